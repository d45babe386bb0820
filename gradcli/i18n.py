"""Messages in the learner's language: gettext catalogues, one language at a time.

Every sentence gradcli says to a person is written in English in the code,
marked for translation, and looked up in the active language's catalogue when
it is said::

    from gradcli.i18n import _, N_, ngettext

    raise InputError(_("expected {count} numbers, got {given}").format(count=2, given=3))

    TITLE = N_("descent path")      # marked here (module level), translated where shown
    heading = _(TITLE)

A message with fields uses named ``{fields}`` and ``str.format`` after the
lookup, never an f-string inside ``_()`` (the catalogue holds the sentence with
its fields, so that a translation may reorder them). English is the default and
the fallback for any message a catalogue lacks. Names the machine reads (JSON
keys, CSV headers, mistake codes, enum values, exit codes) are never
translated.

The catalogues are ``gradcli/locale/<lang>/LC_MESSAGES/gradcli.po``, compiled to
``.mo`` when the package is built (``setup.py``) and by ``make setup``.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "DEFAULT",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "from_environment",
    "installed",
    "language",
    "ngettext",
    "normalise",
    "requested",
    "set_language",
    "speaking",
]

DOMAIN = "gradcli"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
#: the languages gradcli speaks: English, in the code, and those with a catalogue
LANGUAGES = ("en", "ko")
#: where the locale is read from, in gettext's own order
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT


def _(message: str) -> str:
    """``message`` in the active language (itself in English, or when untranslated)."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for ``n`` things, in the active language."""
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now.

    For text kept at module level (titles, tables of labels), which must be
    looked up with ``_()`` when it is shown, in the language active then.
    """
    return message


def language() -> str:
    """The active language's code: ``"en"`` or ``"ko"``."""
    return _language


def normalise(tag: str) -> str | None:
    """The language gradcli speaks for a tag such as ``ko``, ``ko-KR`` or ``ko_KR.UTF-8``.

    ``None`` for a language without a catalogue. The C and POSIX locales are English.

    >>> normalise("ko_KR.UTF-8"), normalise("en-GB"), normalise("C.UTF-8"), normalise("fr")
    ('ko', 'en', 'en', None)
    """
    base = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    if base in ("c", "posix"):
        return DEFAULT
    return base if base in LANGUAGES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for, as gettext reads it; else English.

    The first of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is
    set decides; ``LANGUAGE`` may list several (``ko:en``), the first spoken wins.

    >>> from_environment({"LANG": "ko_KR.UTF-8"}), from_environment({"LANG": "fr_FR"})
    ('ko', 'en')
    >>> from_environment({"LANGUAGE": "fr:ko", "LANG": "en_US.UTF-8"})
    'ko'
    """
    environ = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            for tag in value.split(":"):
                spoken = normalise(tag)
                if spoken is not None:
                    return spoken
            return DEFAULT
    return DEFAULT


def requested(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language asked for: ``option`` (``--lang``), else ``GRADCLI_LANG``, else the locale.

    The one place that decides which language gradcli speaks. Raises
    ``ValueError`` when ``--lang`` or ``GRADCLI_LANG`` names a language
    gradcli has no messages in; a locale it cannot speak means English.

    >>> requested(None, {"GRADCLI_LANG": "ko", "LANG": "en_US.UTF-8"})
    'ko'
    >>> requested("en", {"GRADCLI_LANG": "ko"}), requested(None, {"LANG": "ko_KR.UTF-8"})
    ('en', 'ko')
    """
    environ = os.environ if environ is None else environ
    for tag in (option, environ.get("GRADCLI_LANG")):
        if tag:
            spoken = normalise(tag)
            if spoken is None:
                raise ValueError(_without_messages(tag))
            return spoken
    return from_environment(environ)


def _without_messages(tag: str) -> str:
    """The message for a language without messages."""
    return _("gradcli has no messages in {language!r}; it speaks: {languages}").format(
        language=tag, languages=", ".join(LANGUAGES)
    )


def installed(lang: str) -> bool:
    """Whether the compiled catalogue for ``lang`` is there (English always is)."""
    if lang == DEFAULT:
        return True
    return gettext.find(DOMAIN, str(LOCALE_DIR), languages=[lang]) is not None


def set_language(lang: str) -> str:
    """Speak ``lang`` from now on (``"en"``, ``"ko"``, or a tag like ``ko_KR.UTF-8``).

    Returns the language now spoken: English when ``lang`` has no compiled
    catalogue (see :func:`installed`). Raises ``ValueError`` for a language
    gradcli has no messages in.
    """
    global _active, _language
    spoken = normalise(lang)
    if spoken is None:
        raise ValueError(_without_messages(lang))
    if spoken == DEFAULT or not installed(spoken):
        _active, _language = gettext.NullTranslations(), DEFAULT
    else:
        _active = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[spoken])
        _language = spoken
    return _language


@contextmanager
def speaking(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside a ``with`` block, then the language spoken before."""
    before = _language
    try:
        yield set_language(lang)
    finally:
        set_language(before)
