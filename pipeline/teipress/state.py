"""Build state: what each output of an edition was made from (EDITIONS_DIR/.teipress/).

A rebuild compares each input's recorded signature (size and modification time, then the
SHA-256 when those differ) and each output's recorded key (a digest of everything the
output depends on) with what is there now, and redoes only what changed. The state is
written atomically at the end of a build and after the document pass, so a build
killed at any moment leaves a state that is old or new, never torn; outputs not yet
recorded are checked again on the next build (and found up to date when they are).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from teipress import __version__
from teipress.xmlio import atomic_write

STATE_DIR = ".teipress"
STATE_FILE = "state.json"
STATE_VERSION = 1


def signature(path: Path) -> list[int] | None:
    """[size, mtime in ns] of a file, or None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def digest(*parts: object) -> str:
    """A short, stable key for a combination of inputs (strings, numbers, and lists and
    dicts of them built in a fixed order)."""
    return hashlib.sha256("\x1f".join(map(repr, parts)).encode("utf-8")).hexdigest()[:32]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class DocState:
    """One document: its source, its TEI, and the keys of its editions."""

    source: str | None = None  # path of the seed relative to the project (None: a TEI without seed)
    source_sig: list[int] | None = None
    source_sha256: str | None = None
    convert_key: str | None = None  # config, register, teipress version the TEI was converted with
    tei_sha256: str | None = None  # the TEI as teipress wrote it (or as last seen when edited)
    tei_sig: list[int] | None = None
    edited: bool = False  # the TEI differs from what teipress wrote: an editor's version
    valid: bool = False
    page_key: str | None = None
    pdf_key: str | None = None
    nav_key: str | None = None
    has_pdf: bool = False
    nav: dict = field(default_factory=dict)  # id, title, date: the document's place in the order by date
    entry_key: str | None = None  # digest of what the collection pages show of the document


@dataclass
class BuildState:
    docs: dict[str, DocState] = field(default_factory=dict)
    collection: dict[str, str] = field(default_factory=dict)  # stage -> key of its inputs
    version: str = __version__

    def by_source(self) -> dict[str, str]:
        return {d.source: doc_id for doc_id, d in self.docs.items() if d.source}


def load_state(out_dir: Path) -> BuildState:
    """The recorded state, or an empty one (a fresh clone, another teipress version's state,
    or a state file that cannot be read: everything is then checked from the files)."""
    path = out_dir / STATE_DIR / STATE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != STATE_VERSION:
            return BuildState()
        docs = {doc_id: DocState(**fields) for doc_id, fields in data["docs"].items()}
        return BuildState(docs=docs, collection=data.get("collection", {}), version=data.get("teipress", ""))
    except (OSError, ValueError, TypeError, KeyError):
        return BuildState()


ENTRIES_FILE = "entries.sqlite"


def _entries_db(out_dir: Path) -> sqlite3.Connection:
    path = out_dir / STATE_DIR / ENTRIES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, entry TEXT NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS shared (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    return conn


def load_entries(out_dir: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """What the collection pages need of each document (id -> entry), and the parts many
    documents share (the edition's description, its editorial declaration, rights), stored
    once. Read only when a collection stage has to run."""
    try:
        conn = _entries_db(out_dir)
        try:
            entries = {doc_id: json.loads(text) for doc_id, text in conn.execute("SELECT id, entry FROM entries")}
            shared = {key: json.loads(text) for key, text in conn.execute("SELECT key, value FROM shared")}
        finally:
            conn.close()
        return entries, shared
    except (sqlite3.Error, ValueError):
        return {}, {}


def save_entries(out_dir: Path, updates: dict[str, dict], shared: dict[str, dict], live: set[str]) -> None:
    """Record the entries of the documents redone and forget those of documents gone: a row
    each, so one changed document costs one row, not a rewrite of the whole store."""
    try:
        conn = _entries_db(out_dir)
        try:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)",
                                 [(i, json.dumps(e, ensure_ascii=False)) for i, e in updates.items()])
                conn.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?)",
                                 [(k, json.dumps(v, ensure_ascii=False)) for k, v in shared.items()])
                gone = [(i,) for (i,) in conn.execute("SELECT id FROM entries") if i not in live]
                conn.executemany("DELETE FROM entries WHERE id = ?", gone)
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a cache: the next build reads what it lacks from the TEI files


def save_state(out_dir: Path, state: BuildState) -> None:
    data = {
        "format": STATE_VERSION,
        "teipress": __version__,
        "docs": {doc_id: vars(doc) for doc_id, doc in sorted(state.docs.items())},  # (asdict deep-copies)
        "collection": state.collection,
    }
    atomic_write(out_dir / STATE_DIR / STATE_FILE,
                 json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
