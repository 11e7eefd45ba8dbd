"""Reading a source file as text, with errors that say what to do.

Sources are UTF-8 text. A file that is empty, binary, in another encoding or holds
characters XML cannot carry is refused with the byte offset or line; a file that ends
inside a multi-byte character (an export cut off part-way) is read up to the cut.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from teipress.errors import InputError

MAX_SOURCE_BYTES = 16 * 1024 * 1024
# Characters XML 1.0 cannot hold (besides tab, newline and carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Their UTF-8 bytes, without \v and \f (read as line breaks): the file's bytes are tested
# for them first, many times faster than the search, which only runs to find the first.
# The control characters are single bytes, all found in one pass by deleting them.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF

_NOT_IN_ID = re.compile(r"[^A-Za-z0-9._-]+")
_ID_START = re.compile(r"[A-Za-z_]")


@dataclass(frozen=True)
class SourceText:
    path: Path
    text: str
    sha256: str
    cut_in_character: bool = False  # the file ended inside a multi-byte UTF-8 character


def read_source(path: Path) -> SourceText:
    """The text of a source file, or an InputError naming the file and what to do."""
    try:
        # one open and one fstat: the checks below cost a system call each, and a source
        # that opens is a file (not missing, not a folder); unbuffered, as it is read whole
        with open(path, "rb", buffering=0) as file:
            size = os.fstat(file.fileno()).st_size
            data = file.read() if size <= MAX_SOURCE_BYTES else None
    except OSError:
        return _read_checked(path)  # say what is wrong, as the checks one by one find it
    if data is None:
        raise InputError(f"the file is {size:,} bytes; sources are limited to {MAX_SOURCE_BYTES:,}",
                         path=str(path), hint="split it into one file per document")
    return decode_source(data, path)


def _read_checked(path: Path) -> SourceText:
    name = str(path)
    if not path.exists():
        raise InputError("no such file", path=name, hint="check the path")
    if path.is_dir():
        raise InputError("is a folder, not a text file", path=name)
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise InputError(f"the file is {size:,} bytes; sources are limited to {MAX_SOURCE_BYTES:,}",
                             path=name, hint="split it into one file per document")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=name) from None
    return decode_source(data, path)


def decode_source(data: bytes, path: Path) -> SourceText:
    name = str(path)
    digest = hashlib.sha256(data).hexdigest()
    if not data or data.isspace():
        raise InputError("the file is empty", path=name, hint="a source holds at least a title, a date and the text")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"binary file (a NUL byte at byte offset {nul})", path=name,
                         hint="teipress reads plain UTF-8 text exports")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    cut = False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            text, cut = data[: exc.start].decode("utf-8", errors="strict"), True
        else:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"not UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
                path=name, line=line,
                hint="re-save the file as UTF-8, e.g. 'iconv -f latin1 -t utf-8 FILE > NEW'",
            ) from None
    # (a test for a character is a fast scan; a replace is not, even with nothing to replace)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text or "\v" in text:
        text = text.replace("\f", "\n").replace("\v", "\n")
    bad = _NOT_XML.search(text) if _holds_not_xml(data) else None
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"control character U+{ord(bad.group()):04X} cannot be kept in TEI", path=name,
                         line=line, hint="remove it, or re-export the page as plain text")
    return SourceText(path, text, digest, cut)


def _holds_not_xml(data: bytes) -> bool:
    """Does data hold the UTF-8 bytes of a character _NOT_XML finds (but \\v and \\f)?"""
    return (len(data.translate(None, _CONTROL_BYTES)) != len(data)
            or _NONCHARACTERS[0] in data or _NONCHARACTERS[1] in data)


def document_id(stem: str, record_id: str | None, rule: str, prefix: str) -> str:
    """A document's id: its file stem (or the archive's record id), made a valid xml:id.

    Characters other than ASCII letters, digits, '.', '-' and '_' become '-'; an id that
    would not start with a letter or '_' gets the prefix ("000_9717" -> "d000_9717").
    """
    base = f"{prefix}{record_id}" if rule == "record-id" and record_id else stem
    ident = _NOT_IN_ID.sub("-", base).strip("-.") or "document"
    if not _ID_START.match(ident):
        ident = prefix + ident
    return ident
