"""MkDocs hooks: the command reference laid out as ``--help`` prints it.

mkdocs-click copies each command's help text into the page as Markdown, where
click's unwrapped blocks (``\\b``, dropped on the way) would run together
into one paragraph. Inside what mkdocs-click writes, a line ending in ``:``
followed by indented lines (``Examples:``) becomes a ``text`` code block, so
its lines stay lines, and a line that starts with ``#`` inside a paragraph
is a wrapped sentence, not a heading, and is escaped.
"""

from __future__ import annotations

from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

DIRECTIVE = "::: mkdocs-click"
START, END = "<!-- gradcli-reference -->", "<!-- /gradcli-reference -->"


class MarkReference(Preprocessor):
    """Before mkdocs-click: mark where each of its blocks is."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        inside = False
        for line in lines:
            if inside and not line.startswith("    "):
                out.append(END)
                inside = False
            if line.strip() == DIRECTIVE:
                out.append(START)
                inside = True
            out.append(line)
        if inside:
            out.append(END)
        return out


class LayOutHelp(Preprocessor):
    """After mkdocs-click: lay out the help text it wrote between the marks."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        inside = fenced = block = False
        for i, line in enumerate(lines):
            if line in (START, END):
                inside = line == START
                continue
            if not inside:
                out.append(line)
                continue
            if block:
                if line.startswith("  ") and line.strip():
                    out.append(line)
                    continue
                out.extend(["```", ""])
                block = False
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced and _starts_block(line, lines[i + 1 : i + 2]):
                out.extend(["", "```text", line])
                block = True
                continue
            elif not fenced and line.startswith("#") and out and out[-1].strip():
                line = "\\" + line  # a wrapped sentence, not a heading
            out.append(line)
        if block:
            out.append("```")
        return out


def _starts_block(line: str, following: list[str]) -> bool:
    return (
        line.rstrip().endswith(":")
        and not line.startswith(("*", "#"))
        and bool(following)
        and following[0].startswith("  ")
        and bool(following[0].strip())
    )


class HelpTextExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # mkdocs-click writes the help in at 141; fenced code is read at 25
        md.preprocessors.register(MarkReference(md), "gradcli_mark_reference", 142)
        md.preprocessors.register(LayOutHelp(md), "gradcli_lay_out_help", 140)


def on_config(config: Any) -> Any:
    config.markdown_extensions.append(HelpTextExtension())
    return config
