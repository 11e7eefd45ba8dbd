"""Build state: what each output of an edition was made from (EDITIONS_DIR/.teipress/).

A rebuild compares each input's recorded signature (size and modification time, then the
SHA-256 when those differ) and each output's recorded key (a digest of everything the
output depends on) with what is there now, and redoes only what changed.

The state is a SQLite database, read and written a document at a time, so a build holds
none of it in memory whatever the size of the edition: a row a document (DocState), the
keys of the collection stages, and the documents' collection entries (EntryStore). It is
committed after each batch of documents and at the end of a build: a build killed at any
moment leaves a state that is old or new, never torn, in which every recorded output is
on disk; what was not yet recorded is checked again by the next build (and found up to
date when it is).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

STATE_DIR = ".teipress"
STATE_FILE = "state.sqlite"
STATE_FORMAT = 4  # a state of another format is started again (the next build checks every file)
OLD_STATE_FILES = ("state.json", "entries.sqlite")  # formats 1 and 2


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
    staged: list[str] | None = None  # [page key, language] of a page this build staged, not yet in place


# The docs table's columns after id: a DocState's fields in order, each a column of its own
# (a row a build writes for every document it works on, and reads back column by column: a
# JSON text of the state would be encoded, and parsed by every query of one field), except
# the pairs (the signatures, the staged page), two columns each.
DOC_COLUMNS = ("source", "source_size", "source_mtime", "source_sha256", "convert_key", "tei_sha256", "tei_size",
               "tei_mtime", "edited", "valid", "page_key", "pdf_key", "nav_key", "has_pdf", "entry_key",
               "staged_key", "staged_lang")
_NO_PAIR = (None, None)


def _doc_row(doc: DocState) -> tuple:
    """A DocState as the values of DOC_COLUMNS (the booleans as ints: sqlite3 binds an int
    directly, a bool only after a search of its adapters)."""
    return (doc.source, *(doc.source_sig or _NO_PAIR), doc.source_sha256, doc.convert_key, doc.tei_sha256,
            *(doc.tei_sig or _NO_PAIR), int(doc.edited), int(doc.valid), doc.page_key, doc.pdf_key, doc.nav_key,
            int(doc.has_pdf), doc.entry_key, *(doc.staged or _NO_PAIR))


def _doc_state(row: tuple) -> DocState:
    """The DocState of the values of DOC_COLUMNS (_doc_row's inverse)."""
    (source, source_size, source_mtime, source_sha256, convert_key, tei_sha256, tei_size, tei_mtime, edited, valid,
     page_key, pdf_key, nav_key, has_pdf, entry_key, staged_key, staged_lang) = row
    return DocState(source, _pair(source_size, source_mtime), source_sha256, convert_key, tei_sha256,
                    _pair(tei_size, tei_mtime), bool(edited), bool(valid), page_key, pdf_key, nav_key, bool(has_pdf),
                    entry_key, _pair(staged_key, staged_lang))


def _pair(first, second) -> list | None:
    return None if first is None else [first, second]


_DOC_SELECT = ", ".join(DOC_COLUMNS)
_DOC_INSERT = f"INSERT OR REPLACE INTO docs (id, {_DOC_SELECT}) VALUES (?{', ?' * len(DOC_COLUMNS)})"


class BuildState:
    """The build state of one edition (EDITIONS_DIR/.teipress/state.sqlite)."""

    def __init__(self, out_dir: Path):
        folder = out_dir / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for name in OLD_STATE_FILES:
            (folder / name).unlink(missing_ok=True)
        try:
            self._open(folder / STATE_FILE)
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                raise  # another build has it: not a broken state
            # not a database (a torn copy, another program's file): start again, as with
            # no state; the next build checks every file
            for suffix in ("", "-wal", "-shm"):  # (the database and its write-ahead log)
                (folder / (STATE_FILE + suffix)).unlink(missing_ok=True)
            self._open(folder / STATE_FILE)

    def _open(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=2)
        # write-ahead log: the web collection reads the entries from another process while
        # this one records the finished pages (build._build), and neither waits for the other
        self.conn.execute("PRAGMA journal_mode = WAL")
        if self.conn.execute("PRAGMA user_version").fetchone()[0] != STATE_FORMAT:
            self.conn.executescript("""
                DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS collection; DROP TABLE IF EXISTS entries;
                DROP TABLE IF EXISTS shared; DROP TABLE IF EXISTS mentions;""")
            self.conn.execute(f"PRAGMA user_version = {STATE_FORMAT}")
        self.conn.executescript("""
            CREATE TABLE IF NOT EXISTS docs (id TEXT PRIMARY KEY, source TEXT, source_size INTEGER,
                source_mtime INTEGER, source_sha256 TEXT, convert_key TEXT, tei_sha256 TEXT, tei_size INTEGER,
                tei_mtime INTEGER, edited INTEGER NOT NULL, valid INTEGER NOT NULL, page_key TEXT, pdf_key TEXT,
                nav_key TEXT, has_pdf INTEGER NOT NULL, entry_key TEXT, staged_key TEXT, staged_lang TEXT);
            CREATE INDEX IF NOT EXISTS docs_source ON docs (source);
            CREATE TABLE IF NOT EXISTS collection (stage TEXT PRIMARY KEY, key TEXT NOT NULL);
        """)
        self.entries = EntryStore(self.conn)

    def get(self, doc_id: str) -> DocState | None:
        row = self.conn.execute(f"SELECT {_DOC_SELECT} FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return _doc_state(row) if row else None

    def by_source(self) -> Iterator[tuple[str, str, DocState]]:
        """(seed, doc id, state) of every document converted from a seed, by seed (its path
        relative to the project). Read 500 at a time, each batch whole, so the caller may
        write to the state between rows."""
        for row in self._paged(f"SELECT source, id, {_DOC_SELECT} FROM docs WHERE source > ? "
                               "ORDER BY source LIMIT 500"):
            yield row[0], row[1], _doc_state(row[2:])

    def put(self, doc_id: str, doc: DocState) -> None:
        self.conn.execute(_DOC_INSERT, (doc_id, *_doc_row(doc)))

    def remove(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM docs WHERE id = ?", (doc_id,))

    def sources(self) -> Iterator[tuple[str, str]]:
        """(doc id, seed) of every document converted from a seed."""
        yield from self.conn.execute("SELECT id, source FROM docs WHERE source IS NOT NULL ORDER BY id")

    def fields(self, *names: str) -> Iterator[tuple]:
        """(doc id, and the named DocState fields) of every valid document, by id: fields of one
        column each (the booleans as 0 or 1)."""
        if not set(names) <= set(DOC_COLUMNS) & DocState.__dataclass_fields__.keys():  # (they go into the query's text)
            raise ValueError(f"not DocState fields of a column each: {names}")
        yield from self.conn.execute(f"SELECT id{''.join(f', {name}' for name in names)} FROM docs WHERE valid "
                                     "ORDER BY id")

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]

    def pages(self) -> Iterator[tuple[str, str, str | None, list[str] | None]]:
        """Every document with a collection entry, in the order of the index: its id, its
        nav (JSON of id, title, date), and the nav_key and staged page its state records.
        Read 500 at a time, each batch whole, so the caller may write to the state between rows."""
        for _, doc_id, nav, nav_key, staged_key, staged_lang in self._paged(
                "SELECT e.sort, e.id, e.nav, d.nav_key, d.staged_key, d.staged_lang "
                "FROM entries e JOIN docs d ON d.id = e.id WHERE e.sort > ? ORDER BY e.sort LIMIT 500"):
            yield doc_id, nav, nav_key, _pair(staged_key, staged_lang)

    def _paged(self, query: str) -> Iterator[tuple]:
        """The rows of a query ordered by its first column, which is unique and which the
        query's one parameter follows ("WHERE key > ? ORDER BY key LIMIT n"): each batch is
        fetched whole, so no statement is open while the caller writes."""
        after = ""
        while rows := self.conn.execute(query, (after,)).fetchall():
            yield from rows
            after = rows[-1][0]

    def pages_done(self, done: Iterable[tuple[str, str, str]]) -> None:
        """Staged pages are in place: record their keys ((nav_key, page_key, doc id) each)."""
        self.conn.executemany("UPDATE docs SET nav_key = ?, page_key = ?, staged_key = NULL, staged_lang = NULL "
                              "WHERE id = ?", done)

    def collection_key(self, stage: str) -> str | None:
        row = self.conn.execute("SELECT key FROM collection WHERE stage = ?", (stage,)).fetchone()
        return row[0] if row else None

    def set_collection_key(self, stage: str, key: str | None) -> None:
        if key is None:
            self.conn.execute("DELETE FROM collection WHERE stage = ?", (stage,))
        else:
            self.conn.execute("INSERT OR REPLACE INTO collection VALUES (?, ?)", (stage, key))

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        """Close without committing: what the build did not commit is checked again next time."""
        self.conn.close()


class EntryStore:
    """What the collection pages need of each document (its collection entry), one row a
    document, with the document's place in the order of the index (a text that sorts like
    web_pages.sort_key) and the names it mentions. The build puts entries in as documents
    are done and reads them back in order, a few at a time, so no collection page needs
    the whole collection in memory. The parts many documents share (the edition's
    description, editorial declaration, rights) are stored once. Part of the build state's
    database: a document's state and its entry are committed together."""

    @classmethod
    def reader(cls, out_dir: Path) -> EntryStore:
        """The store of an edition's build state, read through a connection of its own (the
        committed entries; for a process that only reads them). Close it when done."""
        path = (out_dir / STATE_DIR / STATE_FILE).resolve()
        return cls(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=2), create=False)

    def close(self) -> None:
        self.conn.close()

    def __init__(self, conn: sqlite3.Connection, *, create: bool = True):
        self.conn = conn
        if not create:  # (a read-only connection: the build that wrote the entries made the tables)
            return
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
        """Record (or replace) entries (see entry_row), and commit them with the state of
        their documents."""
        rows = list(rows)
        with self.conn:  # (one statement a table for the whole batch: a call a row costs more than the row)
            self.conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                                  [row[:4] for row in rows])
            self.conn.executemany("DELETE FROM mentions WHERE id = ?", [(row[0],) for row in rows])
            self.conn.executemany("INSERT INTO mentions VALUES (?, ?)",
                                  [(key, row[0]) for row in rows for key in row[4]])
            self.conn.executemany("INSERT OR REPLACE INTO shared VALUES (?, ?)", shared.items())

    def keep_valid(self) -> None:
        """Forget the entries of documents that are gone or no longer valid."""
        with self.conn:
            self.conn.execute("DELETE FROM entries WHERE id NOT IN (SELECT id FROM docs WHERE valid)")
            self.conn.execute("DELETE FROM mentions WHERE id NOT IN (SELECT id FROM entries)")

    def missing(self) -> list[str]:
        """The valid documents the store has no entry of (a state from an older build)."""
        return [doc_id for (doc_id,) in self.conn.execute(
            "SELECT id FROM docs WHERE valid AND id NOT IN (SELECT id FROM entries) ORDER BY id")]

    def ids(self, with_pdf: bool = False) -> set[str]:
        query = "SELECT id FROM entries" + (" WHERE json_extract(entry, '$.has_pdf')" if with_pdf else "")
        return {doc_id for (doc_id,) in self.conn.execute(query)}


    def orders(self) -> Iterator[str]:
        """Every document's place in the order of the index, in that order."""
        for (order,) in self.conn.execute("SELECT sort FROM entries ORDER BY sort"):
            yield order

    def __iter__(self) -> Iterator[dict]:
        """Every entry with its shared parts, in the order of the index."""
        shared: dict[str, dict] = {}
        for (text,) in self.conn.execute("SELECT entry FROM entries ORDER BY sort"):
            yield self._whole(orjson.loads(text), shared)

    def mentioning(self, entity: str) -> Iterator[dict]:
        """The entries of the documents that mention a register entry, in the order of the index."""
        shared: dict[str, dict] = {}
        for (text,) in self.conn.execute(
                "SELECT entry FROM entries WHERE id IN (SELECT id FROM mentions WHERE entity = ?) ORDER BY sort",
                (entity,)):
            yield self._whole(orjson.loads(text), shared)

    def _whole(self, entry: dict, shared: dict[str, dict]) -> dict:
        key = entry.get("about")
        if key not in shared:
            row = self.conn.execute("SELECT value FROM shared WHERE key = ?", (key,)).fetchone()
            shared[key] = orjson.loads(row[0]) if row else {}
        return {**entry, **shared[key]}  # (one dict a key: the shared parts are the same objects)


# id, place in the order of the index, nav (JSON), entry (JSON), keys of the names it mentions
EntryRow = tuple[str, str, str, str, list[str]]


def entry_row(entry: dict, order: str, entry_json: str | None = None) -> EntryRow:
    """An entry as the store keeps it (entry_json: to_json(entry), when the caller has it).
    Made where the document is (a worker process), so the build process only files it away."""
    date = entry.get("date") or {}
    nav = {"id": entry["id"], "title": entry.get("title"),
           "date": {"text": date.get("text"), "iso": date.get("iso")} if date else None}
    return (entry["id"], order, to_json(nav), entry_json if entry_json is not None else to_json(entry),
            [e["key"] for e in entry.get("entities") or []])


def to_json(value) -> str:
    """Compact JSON text of a tree of dicts, lists, strings and numbers (the text
    json.dumps(value, ensure_ascii=False, separators=(",", ":")) writes, in a sixth of its time)."""
    return orjson.dumps(value).decode("utf-8")
