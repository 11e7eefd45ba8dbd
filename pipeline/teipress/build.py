"""Orchestration: seeds -> TEI -> validate -> print, web, search, harvest, in one run.

    build():  plan  -> pass 1 (per document, in worker processes, in batches: worker.py)
                    -> the pages' previous/next links, and pass 2 (pages whose
                       neighbours by date changed)
                    -> the collection (index pages, search index, harvest files)

Pass 1 does everything one document needs: convert its seed when the seed, the config,
the register or teipress changed (never over a TEI file an editor changed: that one is
kept and rendered), validate the TEI, typeset its PDF and render its page when their
inputs changed. A page's previous/next links depend on the whole collection's order, so
pass 1 stages the page up to those links and the build appends them, and the page's end,
once every document's date is known. The build state (EDITIONS_DIR/.teipress/state.sqlite,
see state.py) records what each output was made from, a document at a time as pass 1
goes, so a second build with nothing changed does no work beyond comparing file
signatures, and nothing of a document is held in memory once it is recorded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from teipress import __version__
from teipress.config import Config, conversion_date, load_config, schema_href_for
from teipress.errors import InputError, OutputError, TeipressError
from teipress.model import Outcome
from teipress.register import load_register, register_path
from teipress.state import STATE_DIR, STATE_FILE, BuildState, DocState, EntryRow, EntryStore, digest
from teipress.worker import (LOCAL_BELOW, Job, LocalPool, Progress, Result, Task, collection_entry, execute,
                             staged_page, staging_folder, stored_entry)

STAGES = ("tei", "web", "search", "print", "harvest")


@dataclass
class StageReport:
    """Documents (or, for the collection stages, runs) written, unchanged, kept, failed,
    and the time spent (summed over the workers for the per-document stages)."""

    written: int = 0
    unchanged: int = 0
    kept: int = 0
    failed: int = 0
    seconds: float = 0.0


@dataclass
class BuildResult:
    documents: int = 0
    stages: dict[str, StageReport] = field(default_factory=dict)  # per-document work
    collection: dict[str, str] = field(default_factory=dict)  # collection stage -> updated/unchanged/failed
    failures: list[tuple[str, str]] = field(default_factory=list)
    entries: list[EntryRow] = field(default_factory=list)  # collection entries not yet in the store
    shared: dict[str, dict] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)  # OAI records not yet in the index

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def stage(self, name: str) -> StageReport:
        return self.stages.setdefault(name, StageReport())


def _stage_keys(config: Config, register: Path | None, stages: tuple[str, ...]) -> dict:
    """What each stage's outputs depend on besides the TEI: config, templates, versions.
    (The converter's code counts through the version: a rebuild with nothing to convert
    does not load the readers.)"""
    def files_digest(paths: Iterable[Path]) -> str:
        h = hashlib.sha256()
        for path in sorted(paths):
            h.update(path.name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()

    package = Path(__file__).parent
    keys = {
        "tei": digest(__version__, config.digest_key(), files_digest([register]) if register else None),
        "web": digest(__version__, config.title, config.publisher, config.base_url, config.licence,
                      config.licence_url, files_digest(package.glob("writers/web*.py"))),
        "print": digest(__version__, config.paper, config.pdf_standard, config.line_numbers, config.fonts,
                        config.print_template, files_digest(_template_files(config))),
        "harvest": digest(__version__, config.base_url, config.publisher, config.oai_page_size,
                          config.oai_admin_email, files_digest([package / "writers" / "harvest.py"])),
    }
    return {stage: key for stage, key in keys.items() if stage in stages or stage == "tei"}


def _template_files(config: Config) -> list[Path]:
    package = Path(__file__).parent
    files = list((package / "templates").glob("*.typ")) + [package / "writers" / "print.py"]
    if config.print_template and config.source:
        files.append(config.source.parent / config.print_template)
    return [f for f in files if f.is_file()]


# ---------------------------------------------------------------------------
# the build


def _parse_only(only: str | None) -> tuple[str, ...]:
    if not only:
        return STAGES
    stages = tuple(s.strip() for s in only.split(",") if s.strip())
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise TeipressError(f"unknown stage {unknown[0]!r}", hint=f"stages: {','.join(STAGES)}")
    return tuple(s for s in STAGES if s in stages or s == "tei")  # every build reads its TEI


def _listing(folder: Path, suffix: str, signatures: bool = True) -> dict[str, list[int] | None]:
    """File stem -> [size, mtime in ns] (or None, when only existence matters) of
    folder/*suffix: one directory read instead of a stat call per document (a no-change
    rebuild of a large edition is mostly this)."""
    found: dict[str, list[int] | None] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(suffix) and not entry.name.startswith("."):
                    if not signatures:
                        found[entry.name[: -len(suffix)]] = None
                    elif entry.is_file():
                        st = entry.stat()
                        found[entry.name[: -len(suffix)]] = [st.st_size, st.st_mtime_ns]
    except OSError:
        pass
    return found


@dataclass
class _Files:
    """What is on disk now, read once: seeds, TEI files and editions, by document."""

    seeds: dict[str, list[int]]
    tei: dict[str, list[int]]
    pdf: dict[str, list[int]]
    html: dict[str, list[int]]

    @classmethod
    def read(cls, seeds: Path, out_dir: Path) -> _Files:
        return cls(_listing(seeds, ".txt"), _listing(out_dir / "tei", ".xml"),
                   _listing(out_dir / "print", ".pdf", signatures=False),
                   _listing(out_dir / "web", ".html", signatures=False))


def _plan(project_dir: Path, out_dir: Path, seeds: Path, state: BuildState, job: Job,
          echo: Callable) -> tuple[list[Task], list[str]]:
    """The pass-1 tasks, and the ids of documents whose seed was removed."""
    files = _Files.read(seeds, out_dir)
    tasks: list[Task] = []
    seeded: set[str] = set()
    seeds_rel = seeds.relative_to(project_dir).as_posix() if seeds.is_relative_to(project_dir) else str(seeds)
    seeds_dir, tei_dir = str(seeds), str(out_dir / "tei")  # (path strings: a Path a seed costs more than its check)
    recorded_states = state.by_source()  # (read beside the seeds, both in the order of their paths)
    recorded_state = next(recorded_states, None)
    for rel, stem in sorted((f"{seeds_rel}/{stem}.txt", stem) for stem in files.seeds):
        while recorded_state is not None and recorded_state[0] < rel:
            recorded_state = next(recorded_states, None)
        doc_id, known = recorded_state[1:] if recorded_state is not None and recorded_state[0] == rel else (None, None)
        path = f"{seeds_dir}/{stem}.txt"
        if known is None:  # a new seed, or a fresh clone: convert (a TEI already there is compared)
            tasks.append(Task(rel, doc_id, True, None))
            continue
        seeded.add(doc_id)
        recorded = (known.source_sig, known.tei_sig)
        source_changed = _changed(path, files.seeds[stem], known.source_sig, known.source_sha256)
        if not source_changed:
            known.source_sig = files.seeds[stem]  # touched at most
        tei_path = f"{tei_dir}/{doc_id}.xml"
        tei_changed = _changed(tei_path, files.tei.get(doc_id), known.tei_sig, known.tei_sha256)
        if not tei_changed:
            known.tei_sig = files.tei[doc_id]
        if (known.source_sig, known.tei_sig) != recorded:
            state.put(doc_id, known)
        edited = known.edited or (tei_changed and doc_id in files.tei)
        stale = tei_changed or not known.valid or _outputs_stale(job, files, doc_id, known)
        if edited:
            if source_changed or known.convert_key != job.keys["tei"]:
                echo(f"{tei_path}: kept: edited by hand, so the changed seed {rel} is not converted again", err=True)
            if stale:
                tasks.append(Task(rel, doc_id, False, known.tei_sha256, True, known.pdf_key, known.page_key))
        elif source_changed or known.convert_key != job.keys["tei"] or doc_id not in files.tei:
            tasks.append(Task(rel, doc_id, True, known.tei_sha256, False, known.pdf_key, known.page_key))
        elif stale:
            tasks.append(Task(rel, doc_id, False, known.tei_sha256, False, known.pdf_key, known.page_key))
    planned = {t.source for t in tasks}
    removed = [doc_id for doc_id, source in state.sources() if doc_id not in seeded and source not in planned]
    # TEI files without a seed: an editor's own, or an edited one whose seed was removed
    new_seeds = {Path(t.source).stem for t in tasks if t.doc_id is None}
    for doc_id in sorted(files.tei):
        if doc_id in seeded or doc_id in new_seeds:
            continue
        tei_path = out_dir / "tei" / f"{doc_id}.xml"
        known = state.get(doc_id)
        if doc_id in removed:
            if not known.edited and not _changed(tei_path, files.tei[doc_id], known.tei_sig, known.tei_sha256):
                continue  # teipress's own conversion of a removed seed goes with it
            removed.remove(doc_id)
            known.source = None
            state.put(doc_id, known)
            echo(f"{tei_path}: kept: its seed is gone, but the TEI was edited by hand", err=True)
        if known and known.valid and not _changed(tei_path, files.tei[doc_id], known.tei_sig, known.tei_sha256) \
                and not _outputs_stale(job, files, doc_id, known):
            continue
        tasks.append(Task(None, doc_id, False, None, True, known.pdf_key if known else None,
                          known.page_key if known else None))
    return tasks, removed


def _changed(path: Path | str, sig: list[int] | None, recorded_sig: list[int] | None, recorded_sha: str | None) -> bool:
    """Whether a file (whose signature is sig) differs from what was recorded: its signature
    first, its bytes when that differs."""
    if sig is None:
        return True
    return sig != recorded_sig and _sha(path) != recorded_sha


def _sha(path: Path | str) -> str:
    from teipress.state import file_sha256

    try:
        return file_sha256(path)
    except OSError:
        return ""


def _outputs_stale(job: Job, files: _Files, doc_id: str, known: DocState) -> bool:
    """An edition of the document is missing or was made from other inputs."""
    if "print" in job.stages and known.tei_sha256:
        if doc_id not in files.pdf or known.pdf_key != digest(known.tei_sha256, job.keys["print"]):
            return True
    if "web" in job.stages and known.tei_sha256:
        if doc_id not in files.html or \
                known.page_key != digest(known.tei_sha256, job.keys["web"], doc_id in files.pdf):
            return True
    return False


OUTPUT_FOLDERS = ("", "tei", "reports", "print", "web", "web/tei", "web/pdf", "web/cite", "web/assets",
                  "web/schema", STATE_DIR)


def _clean_temporaries(out_dir: Path) -> None:
    """Temporary files a killed build left behind (atomic writes name them .<file>.<random>.tmp)."""
    for folder in OUTPUT_FOLDERS:
        try:
            names = os.listdir(out_dir / folder)
        except OSError:
            continue
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                (out_dir / folder / name).unlink(missing_ok=True)


def _remove(out_dir: Path, doc_id: str) -> None:
    """Everything teipress made for a document whose seed is gone (the web stage removes its pages)."""
    for path in (out_dir / "tei" / f"{doc_id}.xml", out_dir / "reports" / f"{doc_id}.json",
                 out_dir / "print" / f"{doc_id}.pdf", staged_page(out_dir, doc_id)):
        path.unlink(missing_ok=True)


def build(project_dir: Path, out_dir: Path | None = None, *, only: str | None = None, jobs: int | None = None,
          executor: str = "local", scheduler: str | None = None, echo: Callable | None = None,
          tty: bool = False) -> BuildResult:
    """Build the editions of project_dir into out_dir (default project_dir/editions); echo
    takes the messages (default: standard output, and standard error for problems)."""
    if echo is None:
        from teipress.convert import say as echo
    started = time.monotonic()
    project_dir = Path(project_dir)
    out_dir = Path(out_dir) if out_dir is not None else project_dir / "editions"
    config = load_config(project_dir)
    stages = _parse_only(only)
    seeds = project_dir / config.seeds
    if not seeds.is_dir() and not (out_dir / "tei").is_dir():
        raise InputError("no seeds folder", path=str(seeds),
                         hint="put the source .txt files in seeds/, or run 'teipress init DIR' for a new edition")
    register = register_path(project_dir, config.register)
    if register:
        load_register(register)  # a broken register fails here, once, not in every worker
    if executor == "dask" and not scheduler:
        raise TeipressError("--executor dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
    if "print" in stages:
        from teipress.writers.print import check_print_config

        check_print_config(config)
    for folder in ("tei", "reports"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    _clean_temporaries(out_dir)
    job = Job(project_dir.resolve(), out_dir.resolve(), config, stages, conversion_date(config),
              schema_href_for(out_dir / "tei"), register.resolve() if register else None,
              _stage_keys(config, register, stages))
    pool = LocalPool(jobs or os.cpu_count() or 1) if executor == "local" else None
    if pool is not None and pool.jobs > 1 and not (out_dir / STATE_DIR / STATE_FILE).exists() \
            and _count_seeds(seeds) >= LOCAL_BELOW:
        pool.start(job)  # a first build converts every seed: its workers start while it plans
    try:
        state = BuildState(out_dir)
        try:
            return _build(job, state, seeds, pool, scheduler if executor == "dask" else None, echo, tty, started)
        finally:
            state.close()
    except sqlite3.OperationalError as error:  # (a locked or unwritable state database)
        raise OutputError(f"cannot use the build state: {error}", path=str(out_dir / STATE_DIR / STATE_FILE),
                          hint="is another teipress build running on these editions? wait for it, "
                               "or check that the folder is writable") from None
    finally:
        if pool is not None:
            pool.close()


def _count_seeds(seeds: Path) -> int:
    try:
        return sum(1 for entry in os.scandir(seeds) if entry.name.endswith(".txt"))
    except OSError:  # (no seeds folder: the plan says what is wrong)
        return 0


def _build(job: Job, state: BuildState, seeds: Path, pool: LocalPool | None, scheduler: str | None,
           echo: Callable, tty: bool, started: float) -> BuildResult:
    """The build proper: pool runs local batches (None with Dask, whose scheduler is given)."""
    out_dir, stages = job.out_dir, job.stages
    result = BuildResult()
    tasks, removed = _plan(job.project_dir, out_dir, seeds, state, job, echo)

    # pass 1: every document that needs work
    t0 = time.monotonic()
    progress = Progress(len(tasks), "building", echo, tty)
    shutil.rmtree(staging_folder(out_dir), ignore_errors=True)  # pages a killed build staged
    index = _OaiIndex(job, state) if "harvest" in stages else None
    store = state.entries
    said: list[str] = []  # the documents' messages, shown a batch at a time (a write and a flush each)
    try:
        for res in execute(job, tasks, pool, scheduler, progress):
            _record(res, state, result, job, said)
            if len(result.entries) >= 200:  # nothing of a document is held once it is recorded
                _store_entries(store, result)  # (and committed with the state of its documents)
                if index is not None:
                    index.update(result.records, ())
                _say(said, echo)
    finally:
        _say(said, echo)
    _store_entries(store, result)
    for doc_id in removed:
        _remove(out_dir, doc_id)
        state.remove(doc_id)
        echo(f"{doc_id}: removed (its seed is gone)")
    if index is not None:
        index.update(result.records, removed)
    pass_one = time.monotonic() - t0
    state.commit()

    # pass 2 and the collection
    result.documents = state.count()
    _complete_store(job, state)
    state.commit()
    # the index pages and the harvest files need only the entries, committed by now: the
    # worker processes write them while this one finishes the document pages
    web_key = harvest_key = web_files = harvest_files = None
    if "web" in stages:
        web_key = _collection_key("web", state)
        if state.collection_key("web") != web_key:
            web_files = _Aside(_write_web_collection, job, pool=pool)
    if "harvest" in stages:
        index.close()
        if index.rebuild:  # (no index this state wrote, e.g. one deleted since: made again, whatever else changed)
            state.set_collection_key("harvest", None)
        harvest_key = _collection_key("harvest", state)
        if state.collection_key("harvest") != harvest_key:
            harvest_files = _Aside(_write_harvest, job, index.rebuild, pool=pool)
    if "web" in stages:
        clock = time.perf_counter()
        _finish_pages(job, state, pool, scheduler, result, echo)
        result.stage("web").seconds += time.perf_counter() - clock
        _collection_stage("web", state, result, web_files.result if web_files else None, echo, web_key)
    if "search" in stages and "web" in stages:
        _collection_stage("search", state, result, lambda: _write_search(job), echo)
    if "harvest" in stages:
        _collection_stage("harvest", state, result, harvest_files.result if harvest_files else None, echo,
                          harvest_key)
    state.commit()
    _summary(result, pass_one, time.monotonic() - started, echo)
    return result


def _store_entries(store: EntryStore, result: BuildResult) -> None:
    store.put(result.entries, result.shared)
    result.entries.clear()
    result.shared.clear()


def _complete_store(job: Job, state: BuildState) -> None:
    """The store holds the entries of the valid documents and no others (an entry it lacks,
    from an older build, is read from the TEI file)."""
    state.entries.keep_valid()
    for doc_id in state.entries.missing():
        row, _, shared = _entry_from_file(job, doc_id, state.get(doc_id).edited)
        state.entries.put([row], shared)


def _entry_from_file(job: Job, doc_id: str, edited: bool) -> tuple[EntryRow, str, dict[str, str]]:
    from lxml import etree

    from teipress.edition import header_fields
    from teipress.xmlio import safe_parser

    path = job.out_dir / "tei" / f"{doc_id}.xml"
    data = path.read_bytes()
    root = etree.fromstring(data, safe_parser())
    has_pdf = (job.out_dir / "print" / f"{doc_id}.pdf").exists()
    return stored_entry(collection_entry(root, header_fields(root), path, data, edited, has_pdf))


class _OaiIndex:
    """The OAI-PMH index, updated as documents are done (one transaction per batch), so
    nothing of a document is held once it is recorded. An index that is missing, or that
    no build of this state wrote, is made anew from the TEI files at the end; but a first
    build (no index, no state) starts a new one and fills it as it goes, since every
    document of the edition comes through its pass 1 (reading back 10,000 TEI files at the
    end took about 7 s)."""

    def __init__(self, job: Job, state: BuildState):
        from teipress.writers.harvest import INDEX_NAME, open_index

        self.job = job
        there = (job.out_dir / INDEX_NAME).exists()
        first = not there and state.count() == 0
        self.rebuild = not first and (not there or state.collection_key("harvest") is None)
        # a first build's index is made now, empty: there even if no document comes through
        self.conn = open_index(job.out_dir) if first else None

    def update(self, records: list[dict], removed: Iterable[str]) -> None:
        from teipress.writers.harvest import open_index, update_index

        if not self.rebuild and (records or removed):
            if self.conn is None:
                self.conn = open_index(self.job.out_dir)
            update_index(self.conn, records, removed, self.job.config)
        records.clear()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _say(said: list[str], echo: Callable) -> None:
    """Show the messages gathered so far on standard error, in one call, and forget them."""
    if said:
        echo("\n".join(said), err=True)
        said.clear()


def _record(res: Result, state: BuildState, result: BuildResult, job: Job, said: list[str]) -> None:
    """Fold one document's pass-1 result into the state and the report; its messages go to said."""
    said += res.messages
    name = res.doc_id or res.source or "?"
    if res.error:
        said.append(res.error)
        result.failures.append((name, res.error))
        result.stage("tei").failed += 1
        known = state.get(res.doc_id) if res.doc_id else None
        if known is not None:
            known.valid = False
            known.tei_sig = None  # check it again next time
            state.put(res.doc_id, known)
        return
    for stage, seconds in res.seconds.items():
        result.stage(stage).seconds += seconds
    doc = state.get(res.doc_id) or DocState()
    if res.source:
        doc.source = res.source
    if res.source_sig:
        doc.source_sig, doc.source_sha256 = res.source_sig, res.source_sha256
        doc.convert_key = job.keys["tei"]
    if res.tei == "kept" or res.edited:
        doc.edited = True
    elif res.tei in ("written", "unchanged"):
        doc.edited = False
    doc.tei_sha256, doc.tei_sig, doc.valid = res.tei_sha256, res.tei_sig, res.valid
    doc.entry_key, doc.has_pdf = res.entry_key, res.has_pdf
    result.entries.append(res.entry)
    result.shared.update(res.shared)
    if res.record is not None:
        result.records.append(res.record)
    stage = result.stage("tei")
    if res.tei == "kept" or (res.edited and res.tei is None):
        stage.kept += 1
    elif res.tei == "written":
        stage.written += 1
    else:
        stage.unchanged += 1
    if res.pdf:
        doc.pdf_key = res.pdf_key if res.pdf != "failed" else None
        pdfs = result.stage("print")
        if res.pdf == "failed":
            pdfs.failed += 1
            result.failures.append((name, next((m for m in res.messages if "render error" in m), "PDF failed")))
        elif res.pdf == "written":
            pdfs.written += 1
        else:
            pdfs.unchanged += 1
    if res.page == "staged":
        # recorded only once the page is in place (_finish_pages): a build killed before
        # then renders the page again
        doc.staged, doc.nav_key = [res.page_key, res.page_lang], None
    state.put(res.doc_id, doc)


def _collection_key(stage: str, state: BuildState) -> str:
    """What a collection stage's output depends on: the index pages on what they show of
    each document, the search index on the pages, the harvest files on the TEI files."""
    names = {"web": ("entry_key", "has_pdf"), "search": ("page_key", "nav_key")}.get(stage, ("tei_sha256", "has_pdf"))
    h = hashlib.sha256(stage.encode("utf-8"))
    for row in state.fields(*names):
        h.update(repr(row).encode("utf-8"))
    return h.hexdigest()[:32]


@dataclass
class _Place:
    """A document's place in the order of the index, as _finish_pages needs it."""

    doc_id: str
    before: str | None  # the previous document's nav (JSON of id, title, date), None for the first
    after: str | None  # the next one's, None for the last
    recorded: str | None  # the nav_key the state records for the document's page
    staged: list[str] | None  # [page key, language] of a page this build staged

    @property
    def nav_key(self) -> str:
        return digest(self.before, self.after)

    def nav(self) -> dict:
        return {"prev": orjson.loads(self.before) if self.before else None,
                "next": orjson.loads(self.after) if self.after else None}


def _places(state: BuildState) -> Iterable[_Place]:
    """Every document's place in the order of the index, read from the state three at a time."""
    before = current = None
    for doc_id, nav, recorded, staged in state.pages():
        if current is not None:
            yield _Place(current[0], before, nav, current[2], current[3])
            before = current[1]
        current = (doc_id, nav, recorded, staged)
    if current is not None:
        yield _Place(current[0], before, None, current[2], current[3])


def _finish_pages(job: Job, state: BuildState, pool: LocalPool | None, scheduler: str | None,
                  result: BuildResult, echo: Callable) -> None:
    """Put the previous/next links into staged pages; re-render pages whose neighbours changed.

    One pass over the order of the index does both: a staged page is finished at once; a
    page whose neighbours differ from those it shows (a document came or went next to
    it) is rendered again (pass 2) and finished after the pass."""
    from teipress.xmlio import write_all

    stage = result.stage("web")
    staged_files = set(_listing(staging_folder(job.out_dir), ".html", signatures=False))
    pages_there = _listing(job.out_dir / "web", ".html", signatures=False)
    staging, web = str(staging_folder(job.out_dir)), str(job.out_dir / "web")  # (strings: a Path a page costs)
    ends: dict[str, bytes] = {}  # the end of a page, by language
    done: list[tuple[str, str, str]] = []  # pages put in place, recorded a batch at a time

    def finish(place: _Place) -> None:
        # (the page writer is loaded only when there is a page to finish: not by a rebuild with nothing to do)
        from teipress.writers.web_pages import frame_end, prevnext_html

        page_key, lang = place.staged
        if lang not in ends:
            ends[lang] = frame_end(job.config, lang).encode("utf-8")
        page, final = f"{staging}/{place.doc_id}.html", f"{web}/{place.doc_id}.html"
        # appended, not read and written again: the staged start is most of the page's bytes
        # (os calls: a file object costs three more system calls a page)
        fd = os.open(page, os.O_WRONLY | os.O_APPEND)
        try:
            write_all(fd, prevnext_html(place.nav()).encode("utf-8") + ends[lang])
        finally:
            os.close(fd)
        if place.doc_id in pages_there and _same_bytes(final, page):
            stage.unchanged += 1
            os.unlink(page)
        else:  # the staged file becomes the page: one rename, readers see old or new
            os.replace(page, final)
            stage.written += 1
        done.append((place.nav_key, page_key, place.doc_id))
        if len(done) >= 500:
            state.pages_done(done)
            done.clear()

    moved: dict[str, _Place] = {}  # pages whose neighbours changed (few: around the documents redone)
    for place in _places(state):
        if place.doc_id in staged_files and place.staged:
            finish(place)
        elif place.recorded != place.nav_key:
            moved[place.doc_id] = place
        else:
            stage.unchanged += 1
    if moved:  # pass 2: render them again, then finish them
        known = {doc_id: state.get(doc_id) for doc_id in moved}
        tasks = [Task(k.source, doc_id, False, k.tei_sha256, k.edited, k.pdf_key, k.page_key, page_only=True)
                 for doc_id, k in known.items()]
        for res in execute(job, tasks, pool, scheduler, lambda n: None):
            if res.error:
                echo(res.error, err=True)
                result.failures.append((res.doc_id or "?", res.error))
            elif res.page == "staged":
                place = moved[res.doc_id]
                place.staged = [res.page_key, res.page_lang]
                finish(place)
    state.pages_done(done)


def _same_bytes(a: str, b: str) -> bool:
    try:
        with open(a, "rb") as one, open(b, "rb") as other:
            return one.read() == other.read()
    except OSError:
        return False


def _collection_stage(stage: str, state: BuildState, result: BuildResult,
                      write: Callable[[], Outcome | None] | None, echo: Callable, key: str | None = None) -> None:
    """Run a collection stage unless nothing it depends on changed since it last ran
    (key: _collection_key's, when the caller has it; write None: the caller found nothing changed)."""
    key = key or _collection_key(stage, state)
    if write is None or state.collection_key(stage) == key:
        result.collection[stage] = "unchanged"
        return
    clock = time.perf_counter()
    try:
        outcome = write()
    except TeipressError as error:
        outcome = Outcome(failed=[(stage, str(error))])
        echo(str(error), err=True)
    result.stage(stage).seconds += time.perf_counter() - clock
    if outcome is not None and outcome.failed:
        result.failures.extend(outcome.failed)
        result.collection[stage] = "failed"
        state.set_collection_key(stage, None)
        return
    state.set_collection_key(stage, key)
    result.collection[stage] = "updated"


class _Aside:
    """A function run on the build's worker processes while this process goes on, when
    they are running (a pass used them); otherwise (one job, a few documents, Dask) here,
    in result(), where it costs no process start. result() waits for it."""

    def __init__(self, function: Callable, *args, pool: LocalPool | None):
        self.call = (function, args)
        self.future = pool.executor().submit(function, *args) if pool is not None and pool.running else None

    def result(self):
        if self.future is None:
            function, args = self.call
            return function(*args)
        return self.future.result()  # (an error raised there is raised here)


def _write_web_collection(job: Job) -> None:
    """The index, catalogue, name and About pages and the sitemap, from the committed entries."""
    from teipress.writers import web_assets
    from teipress.writers.web import write_collection, write_if_changed

    web = job.out_dir / "web"
    entries = EntryStore.reader(job.out_dir)
    try:
        write_collection(web, entries, job.config, citations=False)  # pass 1 wrote the citation files
    finally:
        entries.close()
    schema = web_assets.schema_file()
    if schema is not None:
        write_if_changed(web / "schema" / schema[0], schema[1])


def _write_harvest(job: Job, rebuild: bool) -> Outcome:
    """cmif.xml and manifest.json from the committed entries, with the OAI index as pass 1
    left it; or all three made anew from the TEI files (rebuild: see _OaiIndex)."""
    from teipress.writers.harvest import write_collection_files, write_harvest

    if rebuild:
        return write_harvest(job.out_dir, job.config, echo=lambda *a, **k: None)
    entries = EntryStore.reader(job.out_dir)
    try:
        write_collection_files(job.out_dir, entries, job.config)
    finally:
        entries.close()
    return Outcome()


def _write_search(job: Job) -> None:
    from teipress.writers.web import index_search

    index_search(job.out_dir / "web")


def _summary(result: BuildResult, pass_one: float, seconds: float, echo: Callable) -> None:
    """The closing summary: documents, what each edition wrote, and where the time went."""
    lines = [f"{result.documents} documents in {seconds:.1f} s (documents pass {pass_one:.1f} s)"]
    for name in STAGES:
        report, state = result.stages.get(name), result.collection.get(name)
        if report is None and state is None:
            continue
        bits = []
        if report is not None and name in ("tei", "print", "web"):
            bits.append(f"{report.written} written, {report.unchanged} unchanged")
            if report.kept:
                bits.append(f"{report.kept} kept (edited by hand)")
            if report.failed:
                bits.append(f"{report.failed} failed")
        if state is not None:
            bits.append(f"{'collection ' if name == 'web' else ''}{state}")
        time_spent = f" [{report.seconds:.1f} s]" if report is not None and report.seconds >= 0.05 else ""
        lines.append(f"  {name:<8} {', '.join(bits)}{time_spent}")
    for line in lines:
        echo(line)
    for name, error in result.failures:
        echo(f"failed: {name}: {error}", err=True)
