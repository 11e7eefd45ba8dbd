"""Writing TEI files without ever overwriting an editor's hand edits."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from teipress.xmlio import atomic_write


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_tei(path: Path | str, data: bytes, recorded: str | None, force: bool = False,
              redate: Callable[[bytes], bytes | None] | None = None) -> str:
    """Write a converted TEI file unless the file there was edited by hand.

    recorded: the sha256 of the file as teipress last wrote it (None when unknown).
    A file whose bytes differ from what was recorded, or (with no record) from what
    conversion writes now, counts as edited by hand and is kept. With no record,
    redate(current) gives the conversion dated like the current file: a file converted
    on another day from the same source is up to date, not edited.
    Returns "written", "unchanged" or "kept".
    """
    try:
        with open(path, "rb") as handle:
            current = handle.read()
    except (FileNotFoundError, NotADirectoryError):  # (one call finds out and reads: a first build has no
        current = None                                # file there; an unusable folder fails in atomic_write)
    if current is not None:
        if current == data or (recorded is None and redate is not None and redate(current) == current):
            return "unchanged"
        edited = sha256(current) != recorded if recorded else True
        if edited and not force:
            return "kept"
    atomic_write(path, data)
    return "written"
