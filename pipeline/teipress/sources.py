"""Reading a source file as text, with errors that say what to do.

Sources are UTF-8 text. A file that is empty, binary, in another encoding or holds
characters XML cannot carry is refused with the byte offset or line; a file that ends
inside a multi-byte character (an export cut off part-way) is read up to the cut.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from teipress.errors import InputError

MAX_SOURCE_BYTES = 16 * 1024 * 1024
# Characters XML 1.0 cannot hold (besides tab, newline and carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class SourceText:
    path: Path
    text: str
    sha256: str
    cut_in_character: bool = False  # the file ended inside a multi-byte UTF-8 character


def read_source(path: Path) -> SourceText:
    """The text of a source file, or an InputError naming the file and what to do."""
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
    if not data.strip():
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
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    bad = _NOT_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"control character U+{ord(bad.group()):04X} cannot be kept in TEI", path=name,
                         line=line, hint="remove it, or re-export the page as plain text")
    return SourceText(path, text, digest, cut)


def document_id(stem: str, record_id: str | None, rule: str, prefix: str) -> str:
    """A document's id: its file stem (or the archive's record id), made a valid xml:id.

    Characters other than ASCII letters, digits, '.', '-' and '_' become '-'; an id that
    would not start with a letter or '_' gets the prefix ("000_9717" -> "d000_9717").
    """
    base = f"{prefix}{record_id}" if rule == "record-id" and record_id else stem
    ident = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-.") or "document"
    if not re.match(r"[A-Za-z_]", ident):
        ident = prefix + ident
    return ident
