"""Step-by-step derivations as rich trees: one tree per partial derivative."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.text import Text
from rich.tree import Tree

from gradcli.formats.steps import (
    Path,
    check_text,
    heading,
    note,
    partial_name,
    paths_of,
    rule_name,
    step_line,
)
from gradcli.i18n import _
from gradcli.printing import to_unicode
from gradcli.render.console import text
from gradcli.steps import Derivation


def renderables(
    derivations: Sequence[Derivation], paths: Sequence[Path] | None = None
) -> list[RenderableType]:
    out: list[RenderableType] = []
    for derivation, path in zip(derivations, paths_of(derivations, paths)):
        title = _("Steps for {heading}").format(heading=heading(derivation, path, "unicode"))
        tree = Tree(text(title, "bold"))
        # a stack of the last node at each depth: a step hangs off its parent
        parents: list[Tree] = [tree]
        for step in derivation.steps:
            label = Text()
            label.append(rule_name(step), style="cyan")
            label.append(": ")
            label.append_text(text(step_line(step, to_unicode)))
            remark = note(step, to_unicode)
            if remark:
                label.append_text(text(f"   ({remark})", "dim"))
            parent = parents[min(step.depth, len(parents) - 1)]
            node = parent.add(label)
            del parents[step.depth + 1 :]
            parents.append(node)
        result = f"{partial_name(path, 'unicode')} = {to_unicode(derivation.result)}"
        tree.add(text(_("result: {result}").format(result=result), "bold"))
        check = _("check: {check}").format(check=check_text(derivation))
        tree.add(text(check, "green" if derivation.verified else "red"))
        for remark in derivation.notes:
            tree.add(text(_("note: {note}").format(note=remark), "yellow"))
        out.append(tree)
    return out
