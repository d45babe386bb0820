"""Machine and paste-ready output: each format a pure ``result -> str``.

One module per kind of result (``grad``, …), each with ``to_json``,
``to_csv``, ``to_plain`` and ``to_latex``. None of them imports rich; the
terminal tables live in :mod:`gradcli.render`.
"""
