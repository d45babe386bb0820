"""The message catalogues are compiled as part of every build (wheel, sdist
install, editable install): each ``gradcli/locale/<lang>/LC_MESSAGES/gradcli.po``
becomes the ``.mo`` that gettext reads, beside it, before the package's files
are collected. The rest of the metadata is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalogues(root: Path) -> list[Path]:
    """Compile every .po under ``root`` into its .mo: a broken catalogue fails the build,
    a fuzzy translation is left out (English is said instead)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name, abort_invalid=True)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        compiled.append(mo)
    return compiled


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        compile_catalogues(Path(__file__).parent / "gradcli" / "locale")
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
