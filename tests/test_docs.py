"""The manual builds, and cannot drift from the code.

The site is built as ``make docs`` builds it (``mkdocs build --strict``: a
broken link, a page not in the nav or a reference that cannot be generated
is an error); each command's page carries the reference mkdocs-click
generates from the command's own click definition; the man pages come from
the same definitions; and the README stays a front page that also reads on a
package index (no relative images there).
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from gradcli.cli import COMMANDS, SUMMARIES
from tests.conftest import DOCS, README, ROOT

# the docs tools come with the `docs` extra, which `make setup` installs
yaml = pytest.importorskip("yaml", reason="the docs extra is not installed")
pytest.importorskip("mkdocs", reason="the docs extra is not installed")
pytest.importorskip("mkdocs_click", reason="the docs extra is not installed")
pytest.importorskip("click_man", reason="the docs extra is not installed")

DIRECTIVE = re.compile(r"^::: mkdocs-click\n((?:    :\w+: .*\n)+)", re.M)


def _options(command: click.Command) -> list[str]:
    """The long flags of the command's visible options (``--format``)."""
    return [
        flag
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for flag in [*param.opts, *param.secondary_opts]
        if flag.startswith("--")
    ]


def _real(name: str) -> click.Command:
    module, attribute = COMMANDS[name].split(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    return command


def _nav_pages(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in _nav_pages(value)]
    return [page for item in nav for page in _nav_pages(item)]


def _config() -> Any:
    # hooks and plugins are loaded by mkdocs itself; here only the plain keys matter
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader)


# --------------------------------------------------------------------------
# the site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return folder


def test_the_site_builds_strictly(site: Path) -> None:
    assert (site / "index.html").exists()
    for page in DOCS.rglob("*.md"):
        built = page.relative_to(DOCS).with_suffix("")
        html = site / ("index.html" if built.name == "index" else built / "index.html")
        assert html.exists(), page
        # GitHub wants | escaped in a table's code; MkDocs would show the backslash
        # (a console block may hold LaTeX's own \|, as --format latex prints it)
        prose = re.sub(r"<pre>.*?</pre>", "", html.read_text(encoding="utf-8"), flags=re.S)
        assert "\\|" not in prose, page


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_page_has_its_generated_reference(site: Path, name: str) -> None:
    html = (site / "commands" / name / "index.html").read_text(encoding="utf-8")
    assert f"gradcli {name} [OPTIONS]" in html  # the usage line
    for flag in _options(_real(name)):
        assert flag in html, flag
    # click's unwrapped examples stay lines: a code block, not a paragraph
    if "Examples:" in (_real(name).help or ""):
        assert '<pre><code class="language-text">Examples:' in html


def test_every_page_is_in_the_nav() -> None:
    nav = _nav_pages(_config()["nav"])
    pages = sorted(page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md"))
    assert sorted(nav) == sorted(set(nav)), "a page is in the nav twice"
    # the pages other helpers write are in the nav whether or not they exist yet
    assert set(pages) <= set(nav)
    for page in ("machine-output.md", "shell.md", "api.md", "index.md"):
        assert page in nav


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_a_page_with_the_click_directive(name: str) -> None:
    page = DOCS / "commands" / f"{name}.md"
    found = DIRECTIVE.findall(page.read_text(encoding="utf-8"))
    assert len(found) == 1, page
    options = dict(re.findall(r":(\w+): (.*)", found[0]))
    # the real command object, not the lazy group's stand-in
    assert f"{options['module']}:{options['command']}" == COMMANDS[name]
    assert options["prog_name"] == f"gradcli {name}"
    assert _real(name).name == name


# --------------------------------------------------------------------------
# the man pages


@pytest.fixture(scope="module")
def man(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("man")
    done = subprocess.run(
        [sys.executable, str(DOCS / "make_man.py"), str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def test_the_man_page_of_gradcli_lists_every_command(man: Path) -> None:
    page = (man / "gradcli.1").read_text(encoding="utf-8")
    assert page.startswith('.TH "GRADCLI" "1"')
    for name in COMMANDS:
        assert f"\\fB{name}\\fP" in page, name
    assert "\\-\\-no\\-files" in page


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_has_a_man_page_with_its_options(man: Path, name: str) -> None:
    page = (man / f"gradcli-{name}.1").read_text(encoding="utf-8")
    assert page.startswith(f'.TH "GRADCLI {name.upper()}" "1"')
    assert f".B gradcli {name}" in page
    # NAME gives the one-line summary that `gradcli --help` lists
    assert f"gradcli\\-{name} \\- {SUMMARIES[name]}\n" in page
    flags = _options(_real(name))
    assert "--format" in flags or name == "plot"
    for flag in flags:
        assert flag.replace("-", "\\-") in page, flag


def test_man_pages_print_backslashes_and_examples_as_written(man: Path) -> None:
    """roff reads ``\\n`` as an escape and fills lines: the help's examples survive."""
    import inspect

    backslashes = 0
    for name in COMMANDS:
        page = (man / f"gradcli-{name}.1").read_text(encoding="utf-8")
        help_text = inspect.cleandoc(_real(name).help or "")
        for line in help_text.splitlines():
            if "\\" in line:  # such as printf 'x^2\\nsin(x*y)\\n' | gradcli grad -
                assert line.strip().replace("\\", "\\e") in page, line
                backslashes += 1
        if "Examples:" in help_text:
            assert "Examples:\n.nf\n" in page  # no fill: one example a line
    assert backslashes  # the check above checked something


# --------------------------------------------------------------------------
# the front page


def test_the_readme_is_a_front_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 8 * 1024
    assert len(text.splitlines()) <= 125
    # the two commands a newcomer types first come first
    assert text.splitlines()[3:5] == [
        'make demo    # sets up .venv and runs: gradcli grad "x**2+y**2+x*y" --at 1,3',
        "make test    # sets up .venv and runs the whole test suite",
    ]


def test_the_readme_has_no_relative_images() -> None:
    """A package index shows the README without the repository: relative images break."""
    text = README.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    images += re.findall(r"<img[^>]*\ssrc=[\"']([^\"']+)", text, re.I)
    assert all(src.startswith("https://") for src in images), images


def test_the_readme_links_every_page_of_the_manual() -> None:
    text = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)", text))
    for page in _nav_pages(_config()["nav"]):
        assert f"docs/{page}" in linked, page
    for target in linked:
        # the pages written by others may not exist yet; every other one does
        if Path(target).name not in ("machine-output.md", "shell.md", "api.md"):
            assert (ROOT / target).exists(), target
