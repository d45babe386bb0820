r"""Lines of a byte stream, read as they arrive: the one line reader.

Every reader of lines (``grad -``, ``grad --at -``, ``check --batch``) reads
through :func:`blocks`: a line ends at ``\n``, ``\r\n`` or a lone ``\r``; a
byte-order mark at the start is dropped and UTF-16 refused; no line is held
past its bound, so an over-long line (``/dev/zero``) is that line's error,
given as soon as the bound is passed, and the lines after it go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from gradcli.errors import InputError
from gradcli.i18n import N_, _

__all__ = ["BOM", "Block", "LongLine", "blocks", "lines", "reader"]

#: the UTF-8 byte-order mark (Excel and Notepad write it)
BOM = b"\xef\xbb\xbf"
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
#: the message that refuses UTF-16 input (translated when it is said)
UTF16_MESSAGE = N_("the input is UTF-16 text: save it as UTF-8")


@dataclass(frozen=True)
class LongLine:
    """A line longer than ``limit`` bytes, skipped unread (it stands for its line)."""

    limit: int


@dataclass(frozen=True)
class Block:
    r"""Whole lines, each ended by ``\n``, and the number of the first.

    A line in ``too_long`` was longer than the bound: it stands here empty.
    """

    first_line: int
    data: bytes
    too_long: tuple[int, ...] = ()


def blocks(
    read: Callable[[int], bytes],
    *,
    max_line: int,
    size: int = 1 << 16,
    utf16: str | None = UTF16_MESSAGE,
) -> Iterator[Block]:
    r"""Blocks of whole lines from a byte stream, as fast as they arrive.

    ``read(n)`` returns up to ``n`` bytes of what is available (as
    ``BufferedReader.read1`` does), so a slow producer gets small blocks and
    prompt output, and a fast one large blocks. Line ends become ``\n``; a
    last line without one gets it. Input that starts with a UTF-16
    byte-order mark is refused with the message ``utf16`` (None: read as
    bytes).

    >>> import io
    >>> [b.data for b in blocks(io.BytesIO(b"\xef\xbb\xbf1,3\r\n2,4\r5").read1, max_line=3)]
    [b'1,3\n2,4\n', b'5\n']
    >>> list(blocks(io.BytesIO(b"ab\nlong line\ncd").read1, max_line=3))[0]
    Block(first_line=1, data=b'ab\n\n', too_long=(2,))
    """
    number = 1
    pending = b""  # the start of a line not ended yet (and a \r that may be half of \r\n)
    started = skipping = False
    while True:
        chunk = read(size)
        end = not chunk
        data = pending + chunk
        if not started:
            if len(data) < len(BOM) and not end:
                pending = data
                continue
            if utf16 is not None and data.startswith(_UTF16):
                if utf16 is UTF16_MESSAGE:
                    utf16 = _("the input is UTF-16 text: save it as UTF-8")
                raise InputError(utf16)
            data = data.removeprefix(BOM)
            started = True
        held = b""
        if not end and data.endswith(b"\r"):
            data, held = data[:-1], b"\r"  # a \n may follow in the next read
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if skipping:  # the rest of a line already given as too long
            cut = data.find(b"\n")
            if cut < 0:
                pending = held
                if end:
                    return
                continue
            data, skipping = data[cut + 1 :], False
        if end and data and not data.endswith(b"\n"):
            data += b"\n"
        cut = data.rfind(b"\n") + 1
        whole, pending = data[:cut], data[cut:]
        whole, too_long = _bounded(whole, number, max_line)
        if len(pending) > max_line:  # a line not ended yet, and already too long
            too_long += (number + whole.count(b"\n"),)
            whole += b"\n"
            pending, skipping = b"", True
        pending += held
        if whole:
            yield Block(number, whole, too_long)
            number += whole.count(b"\n")
        if end:
            return


def _bounded(whole: bytes, number: int, max_line: int) -> tuple[bytes, tuple[int, ...]]:
    """``whole`` with its lines longer than ``max_line`` emptied, and their numbers."""
    if len(whole) <= max_line + 1:
        return whole, ()
    parts = whole.split(b"\n")
    long = tuple(i for i, part in enumerate(parts) if len(part) > max_line)
    if not long:
        return whole, ()
    for i in long:
        parts[i] = b""
    return b"\n".join(parts), tuple(number + i for i in long)


def lines(
    read: Callable[[int], bytes],
    *,
    max_line: int,
    size: int = 1 << 16,
    utf16: str | None = UTF16_MESSAGE,
) -> Iterator[bytes | LongLine]:
    r"""The lines of a byte stream one by one, without their ends (see :func:`blocks`).

    >>> import io
    >>> list(lines(io.BytesIO(b"ab\r\ncdefg\rh\n\ni").read1, max_line=3))
    [b'ab', LongLine(limit=3), b'h', b'', b'i']
    """
    for block in blocks(read, max_line=max_line, size=size, utf16=utf16):
        parts = block.data.split(b"\n")
        parts.pop()  # after the last \n
        if not block.too_long:
            yield from parts
            continue
        for i, part in enumerate(parts):
            yield LongLine(max_line) if block.first_line + i in block.too_long else part


def reader(stream: IO[bytes]) -> Callable[[int], bytes]:
    """``stream.read1`` where there is one (what is available), else ``stream.read``."""
    read: Callable[[int], bytes] = getattr(stream, "read1", None) or stream.read
    return read
