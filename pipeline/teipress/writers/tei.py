"""Writing TEI files without ever overwriting an editor's hand edits."""

from __future__ import annotations

import hashlib
from pathlib import Path

from teipress.xmlio import atomic_write


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_tei(path: Path, data: bytes, recorded: str | None, force: bool = False) -> str:
    """Write a converted TEI file unless the file there was edited by hand.

    recorded: the sha256 of the file as teipress last wrote it (None when unknown).
    A file whose bytes differ from what was recorded, or (with no record) from what
    conversion writes now, counts as edited by hand and is kept.
    Returns "written", "unchanged" or "kept".
    """
    if path.exists():
        current = path.read_bytes()
        if current == data:
            return "unchanged"
        edited = sha256(current) != recorded if recorded else True
        if edited and not force:
            return "kept"
    atomic_write(path, data)
    return "written"
