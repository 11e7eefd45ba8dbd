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
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from teipress import __version__
from teipress.xmlio import atomic_write

STATE_DIR = ".teipress"
STATE_FILE = "state.json"
STATE_VERSION = 2


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
ENTRIES_FORMAT = 2


class EntryStore:
    """What the collection pages need of each document (its collection entry), one row a
    document in SQLite, with the document's place in the order of the index (order, a text
    that sorts like web_pages.sort_key) and the names it mentions. The build puts entries in
    as documents are done and reads them back in order, a few at a time, so no collection
    page needs the whole collection in memory. The parts many documents share (the
    edition's description, editorial declaration, rights) are stored once."""

    def __init__(self, out_dir: Path):
        path = out_dir / STATE_DIR / ENTRIES_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version != ENTRIES_FORMAT:  # an older layout: a cache, so start it again
            self.conn.executescript("DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS shared;"
                                    "DROP TABLE IF EXISTS mentions;")
            self.conn.execute(f"PRAGMA user_version = {ENTRIES_FORMAT}")
        self.conn.executescript("""
            CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, sort TEXT NOT NULL, nav TEXT NOT NULL,
                                                entry TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS entries_sort ON entries (sort);
            CREATE TABLE IF NOT EXISTS shared (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS mentions (entity TEXT NOT NULL, id TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity);
            CREATE INDEX IF NOT EXISTS mentions_id ON mentions (id);
        """)

    def put(self, rows: Iterable[EntryRow], shared: dict[str, str]) -> None:
        """Record (or replace) entries (see entry_row), in one transaction."""
        with self.conn:
            for doc_id, order, nav, entry, mentions in rows:
                self.conn.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", (doc_id, order, nav, entry))
                self.conn.execute("DELETE FROM mentions WHERE id = ?", (doc_id,))
                self.conn.executemany("INSERT INTO mentions VALUES (?, ?)", [(key, doc_id) for key in mentions])
            self.conn.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?)", shared.items())

    def keep_only(self, live: Collection[str]) -> None:
        """Forget the entries of documents that are gone or no longer valid."""
        gone = [(doc_id,) for (doc_id,) in self.conn.execute("SELECT id FROM entries") if doc_id not in live]
        with self.conn:
            self.conn.executemany("DELETE FROM entries WHERE id = ?", gone)
            self.conn.executemany("DELETE FROM mentions WHERE id = ?", gone)

    def ids(self, with_pdf: bool = False) -> set[str]:
        query = "SELECT id FROM entries" + (" WHERE json_extract(entry, '$.has_pdf')" if with_pdf else "")
        return {doc_id for (doc_id,) in self.conn.execute(query)}

    def __iter__(self) -> Iterator[dict]:
        return self.ordered()

    def navs(self) -> Iterator[dict]:
        """id, title and date of every document, in the order of the index."""
        for (nav,) in self.conn.execute("SELECT nav FROM entries ORDER BY sort"):
            yield json.loads(nav)

    def ordered(self) -> Iterator[dict]:
        """Every entry with its shared parts, in the order of the index."""
        shared: dict[str, dict] = {}
        for (text,) in self.conn.execute("SELECT entry FROM entries ORDER BY sort"):
            yield self._whole(json.loads(text), shared)

    def mentioning(self, entity: str) -> Iterator[dict]:
        """The entries of the documents that mention a register entry, in the order of the index."""
        shared: dict[str, dict] = {}
        for (text,) in self.conn.execute(
                "SELECT entry FROM entries WHERE id IN (SELECT id FROM mentions WHERE entity = ?) ORDER BY sort",
                (entity,)):
            yield self._whole(json.loads(text), shared)

    def _whole(self, entry: dict, shared: dict[str, dict]) -> dict:
        key = entry.get("about")
        if key not in shared:
            row = self.conn.execute("SELECT value FROM shared WHERE key = ?", (key,)).fetchone()
            shared[key] = json.loads(row[0]) if row else {}
        return {**entry, **shared[key]}  # (one dict a key: the shared parts are the same objects)

    def close(self) -> None:
        self.conn.close()


# id, place in the order of the index, nav (JSON), entry (JSON), keys of the names it mentions
EntryRow = tuple[str, str, str, str, list[str]]


def entry_row(entry: dict, order: str) -> EntryRow:
    """An entry as the store keeps it. Made where the document is (a worker process), so
    the build process only files it away."""
    date = entry.get("date") or {}
    nav = {"id": entry["id"], "title": entry.get("title"),
           "date": {"text": date.get("text"), "iso": date.get("iso")} if date else None}
    return (entry["id"], order, to_json(nav), to_json(entry), [e["key"] for e in entry.get("entities") or []])


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def save_state(out_dir: Path, state: BuildState) -> None:
    data = {
        "format": STATE_VERSION,
        "teipress": __version__,
        "docs": {doc_id: vars(doc) for doc_id, doc in sorted(state.docs.items())},  # (asdict deep-copies)
        "collection": state.collection,
    }
    atomic_write(out_dir / STATE_DIR / STATE_FILE,
                 json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
