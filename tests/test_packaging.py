"""What pip, pipx and a package index get: the sdist and the wheel, built for real.

The sdist must carry its own tests (conftest, helpers, data, the docs whose
examples they run), and they must collect and pass from the unpacked sdist.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import gradcli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # no isolation: the build uses the venv's setuptools, so it runs offline
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", out],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def _only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def _tracked_files() -> list[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    # CI's script and git's own settings are for the repository, not for users
    return [name for name in listed if not name.startswith((".ci/", ".git"))]


def test_the_sdist_holds_every_file_of_the_project(dist: Path) -> None:
    sdist = _only(dist, "*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = [name for name in _tracked_files() if name not in names]
    assert missing == []
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_wheel_is_typed_and_carries_its_schemas_and_licence(dist: Path) -> None:
    wheel = _only(dist, "*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = Parser().parsestr(
            archive.read(f"gradcli-{gradcli.__version__}.dist-info/METADATA").decode()
        )
    assert "gradcli/py.typed" in names
    schemas = {p.name for p in (ROOT / "gradcli" / "schemas").glob("*.json")}
    assert schemas, "no JSON schema in gradcli/schemas"
    assert {f"gradcli/schemas/{name}" for name in schemas} <= names
    assert f"gradcli-{gradcli.__version__}.dist-info/licenses/LICENSE" in names
    assert not [name for name in names if name.startswith("tests/")]
    assert metadata["Version"] == gradcli.__version__
    assert metadata["License-Expression"] == "MIT"
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert {"Documentation", "Source", "Issues"} <= set(urls)


def test_the_wheel_carries_the_compiled_korean_catalogue(dist: Path) -> None:
    import gettext
    import io

    from babel.messages.pofile import read_po

    wheel = _only(dist, "*.whl")
    folder = "gradcli/locale/ko/LC_MESSAGES"
    with zipfile.ZipFile(wheel) as archive:
        compiled = gettext.GNUTranslations(io.BytesIO(archive.read(f"{folder}/gradcli.mo")))
    with (ROOT / folder / "gradcli.po").open("rb") as source:
        catalogue = read_po(source, locale="ko")
    singular = [m for m in catalogue if m.id and isinstance(m.id, str)]
    assert len(singular) > 500
    # the build compiled the catalogue as it is now, not a stale copy
    assert [m.id for m in singular if compiled.gettext(m.id) != m.string] == []


def test_the_version_has_one_source() -> None:
    from importlib.metadata import version

    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert version("gradcli") == gradcli.__version__


def test_the_sdist_tests_collect_and_pass(dist: Path, tmp_path: Path) -> None:
    sdist = _only(dist, "*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.iterdir()
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    assert "error" not in collected.stdout.lower().split("\n")[-2]
    # a sample that needs the conftest, the golden files and the README: the
    # whole suite is what `make test` runs from a checkout
    sample = ["tests/test_formats_grad.py", "tests/test_errors.py", "tests/test_points.py"]
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *sample],
        cwd=unpacked,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
