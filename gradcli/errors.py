"""The error hierarchy and the exit codes the command line maps it to.

Every error a user can cause is a :class:`GradcliError`; its ``message`` is one
line meant for them, and its ``exit_code`` is what the command line exits with.
The core raises these and never prints or exits. :func:`describe` is the one
place that words an error for people, :func:`describe_bug` for a bug in
gradcli (any other exception), which exits with :attr:`ExitCode.BUG`.
"""

from __future__ import annotations

import errno
import unicodedata
from enum import IntEnum

from gradcli import i18n
from gradcli.i18n import N_, _


class ExitCode(IntEnum):
    """Exit codes of the ``gradcli`` command, documented in docs/exit-codes.md."""

    OK = 0
    #: a checked answer is wrong (``gradcli check``)
    WRONG_ANSWER = 1
    #: bad usage or unreadable input
    USAGE = 2
    #: the mathematics cannot be done: undefined at the point, no convergence,
    #: out of time or size budget
    MATH = 3
    #: a bug in gradcli: an unexpected exception (EX_SOFTWARE in sysexits.h)
    BUG = 70
    #: the output cannot be written: stdout closed or full (EX_IOERR in sysexits.h)
    OUTPUT = 74
    #: interrupted with Ctrl-C
    INTERRUPTED = 130


class GradcliError(Exception):
    """Base of every error gradcli reports to its user.

    ``message`` is one line for the user. Errors about a place in an
    expression also carry the ``text`` and the 0-based ``position`` of the
    offending character, and maybe a ``hint`` ("did you mean sin(x)?").
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        position: int | None = None,
        hint: str | None = None,
    ) -> None:
        message = _one_line(message)
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position
        self.hint = None if hint is None else _one_line(hint)

    def __str__(self) -> str:
        return self.message

    def located(self, max_width: int = 72) -> str:
        """The expression with a caret under the offending character.

        Long expressions are shown as a window around the position, so the
        caret line stays readable on a terminal.

        >>> print(ParseError("unexpected ')'", text="x+)", position=2).located())
          x+)
            ^
        """
        if self.position is None or not self.text:
            return ""
        line, pos = _offending_line(self.text, self.position)
        text = _printable(line)
        pos = min(pos, len(text))
        start = 0
        if len(text) > max_width:
            start = max(0, min(pos - max_width // 2, len(text) - max_width))
        window = text[start : start + max_width]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + max_width < len(text) else ""
        caret = " " * (len(prefix) + pos - start) + "^"
        return f"  {prefix}{window}{suffix}\n  {caret}"


class InputError(GradcliError):
    """Input that cannot be read: bad syntax, unknown name, wrong shape."""

    exit_code = ExitCode.USAGE


class DimensionError(InputError):
    """A point or vector does not match the function's variables: a usage error."""


class ParseError(InputError):
    """An expression that does not parse; knows where it went wrong."""


class LimitError(InputError):
    """Input larger than a configured bound (length, nesting, number size)."""


class MathError(GradcliError):
    """The mathematics cannot be done for this input."""

    exit_code = ExitCode.MATH


class UndefinedError(MathError):
    """A value is undefined at the point (division by zero, not real, …)."""


class NotDifferentiableError(UndefinedError):
    """f has no derivative at the point: a corner or a jump of |u|, sign(u)."""


class BudgetExceeded(MathError):
    """The computation ran out of its time budget."""


class OutputError(GradcliError):
    """The output cannot be written: stdout is closed, full or failing."""

    exit_code = ExitCode.OUTPUT


#: the operating system's reasons a person meets most, as the C library words
#: them, for the catalogue (``strerror`` is English whatever gradcli speaks)
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EROFS: N_("Read-only file system"),
    errno.EIO: N_("Input/output error"),
    errno.EPIPE: N_("Broken pipe"),
    errno.EBADF: N_("Bad file descriptor"),
}
#: Python's own words for a float that leaves the domain or the range
_PYTHON_REASONS = {
    "math domain error": N_("math domain error"),
    "math range error": N_("math range error"),
}


def reason_of(error: BaseException) -> str:
    """Why an outside failure happened, for a message: the system's or Python's
    reason as it gives it, in another language where gradcli knows it.

    >>> reason_of(FileNotFoundError(2, "No such file or directory"))
    'No such file or directory'
    >>> reason_of(ValueError("math domain error")), reason_of(OSError(9999, "Odd"))
    ('math domain error', 'Odd')
    """
    if isinstance(error, OSError) and error.strerror:
        known = None
        if i18n.language() != i18n.DEFAULT and error.errno is not None:
            known = _OS_REASONS.get(error.errno)
        return _(known) if known is not None else str(error.strerror)
    text = str(error)
    found = _PYTHON_REASONS.get(text)
    return _(found) if found is not None else text


def describe(error: GradcliError, *, lines: bool = False, quote: bool = False) -> str:
    """The error as people read it: the one place that words errors.

    One line by default: the message, where in the expression, and the hint.
    With ``lines`` (a terminal's stderr) the expression follows with a caret
    under the place, and the hint gets a line of its own. With ``quote`` the
    position names the text it is in, for a message read apart from it.

    >>> error = ParseError("unexpected ')'", text="x+)", position=2, hint="remove it")
    >>> describe(error)
    "unexpected ')' (at position 3); remove it"
    >>> describe(error, quote=True)
    "unexpected ')' (at position 3 of 'x+)'); remove it"
    >>> print(describe(error, lines=True))
    unexpected ')' (at position 3)
      x+)
        ^
      hint: remove it
    """
    message = error.message
    if error.position is not None and error.text:
        if quote:
            message = _("{message} (at position {position} of {text})").format(
                message=message,
                position=error.position + 1,
                text=repr(_offending_line(error.text, error.position)[0]),
            )
        else:
            message = _("{message} (at position {position})").format(
                message=message, position=error.position + 1
            )
    if not lines:
        return message + (f"; {error.hint}" if error.hint else "")
    located = error.located()
    if located:
        message += "\n" + located
    if error.hint:
        message += "\n  " + _("hint: {hint}").format(hint=error.hint)
    return message


def _offending_line(text: str, position: int) -> tuple[str, int]:
    r"""The line of ``text`` that holds ``position``, and the position in it.

    An error about text read from a file shows that line only, never the
    rest of the file.

    >>> _offending_line("a\nb+)\nc", 4)
    ('b+)', 2)
    """
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)], position - start


def describe_bug(summary: str) -> str:
    """One line for an unexpected exception (``summary`` is "Type: message"):
    a bug in gradcli, not the user's doing, so it says how to learn more.

    >>> describe_bug("ZeroDivisionError: division by zero")
    'internal error: ZeroDivisionError: division by zero (a bug in gradcli; rerun with --debug)'
    """
    return _("internal error: {summary} (a bug in gradcli; rerun with --debug)").format(
        summary=_one_line(summary)
    )


def _one_line(text: str) -> str:
    """A message as one line that a terminal shows as it is.

    Messages quote pieces of untrusted input: an escape sequence or a newline
    in them must not reach the terminal, and a quoted million-digit number is
    shortened to its ends.

    >>> _one_line("'" + chr(27) + "[2J' is not a variable" + chr(10) + "!")
    "'?[2J' is not a variable !"
    >>> len(_one_line("x = " + "9" * 5000))
    500
    """
    text = _printable(text)
    if len(text) > _MESSAGE_MAX:
        text = text[: _MESSAGE_MAX - 101] + "…" + text[-100:]
    return text


_MESSAGE_MAX = 500


def _printable(text: str) -> str:
    """Show control and invisible characters visibly, one cell each."""
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(ch) in _INVISIBLE:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


# control, format (zero-width, bidi), separators, private use, surrogates
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
