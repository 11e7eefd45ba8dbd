"""Orchestration: seeds -> TEI -> validate -> print, web, search, harvest, in one run.

    build():  plan  -> pass 1 (per document, in worker processes, in batches)
                    -> pass 2 (pages whose neighbours by date changed)
                    -> the collection (index pages, search index, harvest files)
                    -> state

Pass 1 does everything one document needs: convert its seed when the seed, the config,
the register or teipress changed (never over a TEI file an editor changed: that one is
kept and rendered), validate the TEI, typeset its PDF and render its page when their
inputs changed. A page's previous/next links depend on the whole collection's order, so
pass 1 stages the page with a marker and the parent puts the links in once every
document's date is known. The build state (EDITIONS_DIR/.teipress/, see state.py)
records what each output was made from, so a second build with nothing changed does no
work beyond comparing file signatures.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from teipress import __version__
from teipress.config import Config, conversion_date, load_config
from teipress.convert import convert_source, redater, report_bytes, schema_href_for
from teipress.errors import InputError, TeipressError
from teipress.model import Outcome
from teipress.register import Register, load_register, register_path
from teipress.sources import read_source
from teipress.state import (STATE_DIR, BuildState, DocState, digest, load_entries, load_state, save_entries,
                            save_state, signature)
from teipress.writers.tei import write_tei
from teipress.xmlio import atomic_write

STAGES = ("tei", "web", "search", "print", "harvest")
LOCAL_BELOW = 24  # fewer documents than this: work in this process (a pool costs more than it saves)

__all__ = ["Outcome", "build", "convert_files", "source_files", "project_register", "say", "STAGES"]


def say(text: str, err: bool = False) -> None:
    """The default echo: standard output, or standard error for problems (click.echo's signature)."""
    print(text, file=sys.stderr if err else sys.stdout)


# ---------------------------------------------------------------------------
# teipress convert: sources -> TEI, no state


def source_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to their .txt files (sorted)."""
    out = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not found:
                raise InputError("no .txt files in this folder", path=str(path),
                                 hint="sources are UTF-8 .txt files")
            out.extend(found)
        else:
            out.append(path)
    return out


def _echo_issues(path: Path, issues, echo: Callable) -> None:
    for issue in issues:
        where = f"{path}:{issue.line}" if issue.line else str(path)
        echo(f"{where}: {issue.severity}: {issue.message} [{issue.rule}]", err=True)


def convert_files(paths: list[Path], tei_dir: Path, config: Config, *, report_path: Path | None = None,
                  reports_dir: Path | None = None, reader: str | None = None, force: bool = False,
                  recorded: dict[str, str] | None = None, register: Register | None = None,
                  echo: Callable = say) -> Outcome:
    """Convert sources into tei_dir; one failing source does not stop the others."""
    outcome = Outcome()
    when = conversion_date(config)
    href = schema_href_for(tei_dir)
    reports = []
    seen: dict[str, Path] = {}
    for path in source_files(paths):
        try:
            conversion = convert_source(read_source(path), config, when=when, schema_href=href, reader=reader,
                                        register=register)
            doc_id = conversion.doc.id
            if doc_id in seen:
                raise InputError(f"gives the id {doc_id!r}, which {seen[doc_id]} has already",
                                 path=str(path), hint="rename one of the files")
            seen[doc_id] = path
            target = tei_dir / f"{doc_id}.xml"
            status = write_tei(target, conversion.data, (recorded or {}).get(doc_id), force, redater(conversion))
        except TeipressError as error:
            echo(str(error), err=True)
            outcome.failed.append((str(path), str(error)))
            continue
        _echo_issues(path, conversion.doc.issues, echo)
        getattr(outcome, status).append(doc_id)
        if status == "kept":
            echo(f"{target}: kept: differs from the conversion of {path} (edited by hand?); "
                 "use --force to overwrite", err=True)
        else:
            echo(f"{path} -> {target} ({status})")
        conversion.report["tei"] = target.name
        if reports_dir is not None:
            atomic_write(reports_dir / f"{doc_id}.json", report_bytes(conversion.report))
        reports.append(conversion.report)
    if report_path is not None:
        atomic_write(report_path, report_bytes(reports[0] if len(reports) == 1 else reports))
    return outcome


def project_register(project_dir: Path, config: Config) -> Register | None:
    """The project's register of names, if it has one."""
    path = register_path(project_dir, config.register)
    return load_register(path) if path else None


# ---------------------------------------------------------------------------
# what a build is made of


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one build (small and picklable: sent with every batch)."""

    project_dir: Path
    out_dir: Path
    config: Config
    stages: tuple[str, ...]
    when: str
    schema_href: str
    register: Path | None
    keys: dict  # stage -> key of what its outputs depend on besides the TEI

    @property
    def token(self) -> str:
        return digest(str(self.project_dir), str(self.out_dir), self.stages, self.when, self.keys)


@dataclass
class Task:
    """One document's work in pass 1 (or pass 2: its page only)."""

    source: str | None  # the seed, relative to the project (None: a TEI file without seed)
    doc_id: str | None  # known unless the seed is new
    convert: bool
    recorded_sha: str | None  # the TEI's sha256 as teipress last wrote it
    edited: bool = False
    pdf_key: str | None = None
    page_key: str | None = None
    page_only: bool = False


@dataclass
class Result:
    """What pass 1 did with one document (sent back from the worker)."""

    source: str | None
    doc_id: str | None = None
    tei: str | None = None  # written, unchanged, kept (hand-edited), or None (not converted)
    error: str | None = None  # the one-line error when the document failed
    messages: list[str] = field(default_factory=list)  # warnings, file:line style
    valid: bool = False
    source_sig: list[int] | None = None
    source_sha256: str | None = None
    tei_sha256: str | None = None
    tei_sig: list[int] | None = None
    edited: bool = False
    pdf: str | None = None  # written, unchanged, failed
    pdf_key: str | None = None
    page: str | None = None  # staged, unchanged, failed
    page_key: str | None = None
    entry: dict = field(default_factory=dict)  # what the collection pages need (slim)
    shared: dict = field(default_factory=dict)  # the parts of the entry many documents share, by key
    record: dict | None = None  # the whole entry, for the OAI index (harvest stage only)
    seconds: dict = field(default_factory=dict)  # stage -> time this document spent in it


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
    pending_pages: dict[str, str] = field(default_factory=dict)  # id -> page key of a staged page
    entries: dict[str, dict] = field(default_factory=dict)  # collection entries of the documents redone
    shared: dict[str, dict] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)  # OAI records not yet in the index

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def stage(self, name: str) -> StageReport:
        return self.stages.setdefault(name, StageReport())


def _stage_keys(config: Config, register: Path | None, stages: tuple[str, ...]) -> dict:
    """What each stage's outputs depend on besides the TEI: config, templates, versions."""
    from teipress.readers import READERS

    def files_digest(paths: Iterable[Path]) -> str:
        h = hashlib.sha256()
        for path in sorted(paths):
            h.update(path.name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()

    package = Path(__file__).parent
    keys = {
        "tei": digest(__version__, config.digest_key(), files_digest([register]) if register else None,
                      sorted(READERS)),
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
# the worker: pass 1 for one document


class Worker:
    """The heavy objects of one process, made once: register, validator, print renderer."""

    def __init__(self, job: Job):
        from teipress.validate import Validator

        self.job = job
        self.register = load_register(job.register) if job.register else None
        self.validator = Validator()
        self._printer = None

    @property
    def printer(self):
        if self._printer is None:
            from teipress.writers.print import PrintRenderer

            self._printer = PrintRenderer(self.job.config)
        return self._printer

    def run(self, task: Task) -> Result:
        result = Result(source=task.source, doc_id=task.doc_id, edited=task.edited)
        try:
            self._run(task, result)
        except TeipressError as error:
            result.error = str(error)
        return result

    def _run(self, task: Task, result: Result) -> None:
        job = self.job
        tei_dir = job.out_dir / "tei"
        root = data = None
        clock = time.perf_counter()
        if task.edited and not task.page_only:
            result.messages.append(f"{tei_dir / (task.doc_id + '.xml')}: kept: edited by hand; "
                                   "validated and rendered as it is")
        if task.convert:
            path = job.project_dir / task.source
            source = read_source(path)
            result.source_sig, result.source_sha256 = signature(path), source.sha256
            conversion = convert_source(source, job.config, when=job.when, schema_href=job.schema_href,
                                        register=self.register)
            result.doc_id = conversion.doc.id
            target = tei_dir / f"{result.doc_id}.xml"
            result.tei = write_tei(target, conversion.data, task.recorded_sha, False, redater(conversion))
            result.messages += [f"{task.source}:{i.line}: {i.severity}: {i.message} [{i.rule}]" if i.line
                                else f"{task.source}: {i.severity}: {i.message} [{i.rule}]"
                                for i in conversion.doc.issues]
            conversion.report["tei"] = target.name  # (no write status: the report is the same however often it is rebuilt)
            atomic_write(job.out_dir / "reports" / f"{result.doc_id}.json", report_bytes(conversion.report))
            if result.tei == "kept":
                result.edited = True
                result.messages.append(f"{target}: kept: edited by hand (it differs from the conversion of "
                                       f"{task.source}); rendering the edited file")
            else:
                root, data = conversion.tree.getroot(), conversion.data
        path = tei_dir / f"{result.doc_id}.xml"
        if data is None:  # an existing TEI (hand-edited, or converted earlier): parsed as validate does
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read the TEI file: {exc.strerror}", path=str(path)) from None
            checked = self.validator.check_data(data, path)
            root, issues = checked.root, checked.issues
        else:
            issues = self.validator.check(root, str(path))
        result.tei_sha256 = hashlib.sha256(data).hexdigest()
        result.tei_sig = signature(path)
        problems = [i for i in issues if i.severity == "error"]
        result.seconds["tei"] = time.perf_counter() - clock
        if root is None and not problems:
            result.error = f"{path}: error: not a TEI document (its root element is not TEI)"
            return
        if problems:
            first = problems[0]
            where = f"{path}:{first.line}" if first.line else str(path)
            result.error = (f"{where}: error: {first.message} [{first.rule}] "
                            f"({len(problems)} problem{'s' if len(problems) > 1 else ''}; "
                            f"'teipress validate {path}' lists them)")
            return
        result.valid = True
        self._editions(task, result, root, data)

    def _editions(self, task: Task, result: Result, root, data: bytes) -> None:
        from teipress.edition import header_fields

        job = self.job
        doc_id = result.doc_id
        fields = header_fields(root)
        if fields["id"] != doc_id:
            raise InputError(f"the xml:id {fields['id']!r} differs from the file name {doc_id}.xml",
                             path=str(job.out_dir / "tei" / f"{doc_id}.xml"),
                             hint=f"set xml:id=\"{doc_id}\" on the TEI element, or rename the file")
        pdf_path = job.out_dir / "print" / f"{doc_id}.pdf"
        if "print" in job.stages and not task.page_only:
            result.pdf_key = digest(result.tei_sha256, job.keys["print"])
            if result.pdf_key != task.pdf_key or not pdf_path.exists():
                clock = time.perf_counter()
                try:
                    self.printer.render(root, data, pdf_path)
                    result.pdf = "written"
                except TeipressError as error:
                    result.pdf = "failed"
                    result.messages.append(str(error))
                result.seconds["print"] = time.perf_counter() - clock
            else:
                result.pdf = "unchanged"
        has_pdf = pdf_path.exists() and result.pdf != "failed"
        full = _collection_entry(root, fields, job.out_dir / "tei" / f"{doc_id}.xml", data, result.edited, has_pdf)
        result.entry, result.shared = _slim(full)
        if "harvest" in job.stages:
            result.record = full
        if "web" in job.stages:
            result.page_key = digest(result.tei_sha256, job.keys["web"], has_pdf)
            page = job.out_dir / "web" / f"{doc_id}.html"
            if task.page_only or result.page_key != task.page_key or not page.exists():
                clock = time.perf_counter()
                _stage_page(job, root, fields, full, has_pdf)
                result.page = "staged"
                result.seconds["web"] = time.perf_counter() - clock
            else:
                result.page = "unchanged"


def _collection_entry(root, fields: dict, path: Path, data: bytes, edited: bool, has_pdf: bool) -> dict:
    """What the collection needs of one document: the index pages, the harvest files."""
    from teipress.writers.harvest import correspondence, datestamp_for

    entry = dict(fields)
    entry["tei_sha256"] = hashlib.sha256(data).hexdigest()
    entry["tei_size"] = len(data)
    entry["datestamp"] = datestamp_for(fields, path, edited)
    entry["correspondence"] = correspondence(root)
    entry["has_pdf"] = has_pdf
    return entry


# What the collection (index pages, entity pages, sitemap, CMIF, manifest) needs of a document.
SLIM_KEYS = ("id", "title", "date", "type", "type_label", "lang", "senders", "recipients", "via", "place_sent",
             "archives", "has_pdf", "conversion", "entities", "correspondence", "edition_url", "url", "record_id",
             "tei_sha256", "tei_size", "datestamp")
# What most documents share, kept once (the About page shows the most common)
SHARED_KEYS = ("project", "editorial", "rights", "licence", "publisher")


def _slim(entry: dict) -> tuple[dict, dict]:
    """A document's collection entry, and its shared parts under their digest."""
    shared = {key: entry.get(key) for key in SHARED_KEYS}
    key = digest(shared)
    return {**{k: entry.get(k) for k in SLIM_KEYS}, "about": key}, {key: shared}


def _stage_page(job: Job, root, fields: dict, entry: dict, has_pdf: bool) -> None:
    """Render one page with the prev/next marker into the staging folder; link its downloads."""
    from teipress.edition import body_blocks, how_to_cite
    from teipress.writers.web import link_or_copy, write_if_changed
    from teipress.writers.web_meta import citation_files
    from teipress.writers.web_pages import NAV_MARKER, document_page

    web = job.out_dir / "web"
    doc = {"header": fields, "body": body_blocks(root), "cite": how_to_cite(fields), "has_pdf": has_pdf}
    page = document_page(doc, job.config, NAV_MARKER).encode("utf-8")
    staged = _staged(job.out_dir, fields["id"])
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(page)  # build-internal: each build starts with an empty staging folder
    link_or_copy(job.out_dir / "tei" / f"{fields['id']}.xml", web / "tei" / f"{fields['id']}.xml")
    if has_pdf:
        link_or_copy(job.out_dir / "print" / f"{fields['id']}.pdf", web / "pdf" / f"{fields['id']}.pdf")
    for name, content in citation_files(entry, job.config, has_pdf).items():
        write_if_changed(web / name, content)


def _staged(out_dir: Path, doc_id: str) -> Path:
    return out_dir / STATE_DIR / "pages" / f"{doc_id}.html"


# Worker processes keep their Worker between batches of the same build.
_WORKER: Worker | None = None


def run_batch(job: Job, tasks: list[Task]) -> list[Result]:
    """Pass 1 for a batch of documents, in whichever process runs it (pool or Dask worker)."""
    global _WORKER
    if _WORKER is None or _WORKER.job.token != job.token:
        _WORKER = Worker(job)
    return [_WORKER.run(task) for task in tasks]


# ---------------------------------------------------------------------------
# executors: this process, a process pool, or a Dask cluster


def _batches(tasks: list[Task], workers: int) -> list[list[Task]]:
    """Batches of tens to hundreds of documents: few enough to spread over the workers,
    large enough that sending them costs little (Dask costs about 2 ms a task)."""
    size = max(8, min(250, len(tasks) // (workers * 4) or 1))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _execute(job: Job, tasks: list[Task], jobs: int, executor: str, scheduler: str | None,
             progress: Callable[[int], None]) -> Iterable[Result]:
    if not tasks:
        return
    if executor == "dask":
        yield from _execute_dask(job, tasks, jobs, scheduler, progress)
        return
    if jobs <= 1 or len(tasks) < LOCAL_BELOW:
        for batch in _batches(tasks, 1):
            results = run_batch(job, batch)
            progress(len(results))
            yield from results
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    # spawn, not fork: a parent that has run Typst or lxml threads must not be forked
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(run_batch, job, batch) for batch in _batches(tasks, jobs)]
        for future in as_completed(futures):
            results = future.result()
            progress(len(results))
            yield from results


def _execute_dask(job: Job, tasks: list[Task], jobs: int, scheduler: str | None,
                  progress: Callable[[int], None]) -> Iterable[Result]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise TeipressError("the Dask executor needs dask.distributed",
                            hint="pip install 'teipress[dask]'") from None
    if not scheduler:
        raise TeipressError("--executor dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise TeipressError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        batches = _batches(tasks, workers)
        futures = client.map(run_batch, [job] * len(batches), batches, pure=False)
        for future in as_completed(futures):
            results = future.result()
            progress(len(results))
            yield from results
    finally:
        client.close()


class Progress:
    """A progress bar on a terminal (done, rate, time left); plain log lines otherwise."""

    def __init__(self, total: int, label: str, echo: Callable, tty: bool):
        self.total, self.label, self.echo, self.tty = total, label, echo, tty
        self.done = 0
        self.start = self.last = time.monotonic()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if not self.total:
            return
        rate = self.done / max(now - self.start, 1e-6)
        left = (self.total - self.done) / rate if rate else 0
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                             f"{rate:,.0f}/s, {left:,.0f} s left ")
            sys.stderr.flush()
            if self.done >= self.total:
                sys.stderr.write("\n")
        elif now - self.last >= 5 or self.done >= self.total:
            self.last = now
            self.echo(f"{self.label}: {self.done}/{self.total} documents ({rate:,.0f} a second)")


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


def _listing(folder: Path, suffix: str) -> dict[str, list[int]]:
    """File stem -> [size, mtime in ns] of folder/*suffix: one directory read instead of a
    stat call per document (a no-change rebuild of a large edition is mostly this)."""
    found = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(suffix) and not entry.name.startswith(".") and entry.is_file():
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
        return cls(_listing(seeds, ".txt"), _listing(out_dir / "tei", ".xml"), _listing(out_dir / "print", ".pdf"),
                   _listing(out_dir / "web", ".html"))


def _plan(project_dir: Path, out_dir: Path, seeds: Path, state: BuildState, job: Job,
          echo: Callable) -> tuple[list[Task], list[str]]:
    """The pass-1 tasks, and the ids of documents whose seed was removed."""
    files = _Files.read(seeds, out_dir)
    tasks: list[Task] = []
    by_source = state.by_source()
    seeded: set[str] = set()
    seeds_rel = seeds.relative_to(project_dir).as_posix() if seeds.is_relative_to(project_dir) else str(seeds)
    for stem in sorted(files.seeds):
        path, rel = seeds / f"{stem}.txt", f"{seeds_rel}/{stem}.txt"
        doc_id = by_source.get(rel)
        known = state.docs.get(doc_id) if doc_id else None
        if known is None:  # a new seed, or a fresh clone: convert (a TEI already there is compared)
            tasks.append(Task(rel, doc_id, True, None))
            continue
        seeded.add(doc_id)
        source_changed = _changed(path, files.seeds[stem], known.source_sig, known.source_sha256)
        if not source_changed:
            known.source_sig = files.seeds[stem]  # touched at most
        tei_path = out_dir / "tei" / f"{doc_id}.xml"
        tei_changed = _changed(tei_path, files.tei.get(doc_id), known.tei_sig, known.tei_sha256)
        if not tei_changed:
            known.tei_sig = files.tei[doc_id]
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
    removed = [doc_id for doc_id, d in state.docs.items()
               if d.source and doc_id not in seeded and d.source not in planned]
    # TEI files without a seed: an editor's own, or an edited one whose seed was removed
    new_seeds = {Path(t.source).stem for t in tasks if t.doc_id is None}
    for doc_id in sorted(files.tei):
        if doc_id in seeded or doc_id in new_seeds:
            continue
        tei_path = out_dir / "tei" / f"{doc_id}.xml"
        known = state.docs.get(doc_id)
        if doc_id in removed:
            if not known.edited and not _changed(tei_path, files.tei[doc_id], known.tei_sig, known.tei_sha256):
                continue  # teipress's own conversion of a removed seed goes with it
            removed.remove(doc_id)
            known.source = None
            echo(f"{tei_path}: kept: its seed is gone, but the TEI was edited by hand", err=True)
        if known and known.valid and not _changed(tei_path, files.tei[doc_id], known.tei_sig, known.tei_sha256) \
                and not _outputs_stale(job, files, doc_id, known):
            continue
        tasks.append(Task(None, doc_id, False, None, True, known.pdf_key if known else None,
                          known.page_key if known else None))
    return tasks, removed


def _changed(path: Path, sig: list[int] | None, recorded_sig: list[int] | None, recorded_sha: str | None) -> bool:
    """Whether a file (whose signature is sig) differs from what was recorded: its signature
    first, its bytes when that differs."""
    if sig is None:
        return True
    return sig != recorded_sig and _sha(path) != recorded_sha


def _sha(path: Path) -> str:
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
                 out_dir / "print" / f"{doc_id}.pdf", _staged(out_dir, doc_id)):
        path.unlink(missing_ok=True)


def build(project_dir: Path, out_dir: Path | None = None, *, only: str | None = None, jobs: int | None = None,
          executor: str = "local", scheduler: str | None = None, echo: Callable = say,
          tty: bool = False) -> BuildResult:
    """Build the editions of project_dir into out_dir (default project_dir/editions)."""
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
    if "print" in stages:
        from teipress.writers.print import check_print_config

        check_print_config(config)
    for folder in ("tei", "reports"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    _clean_temporaries(out_dir)
    job = Job(project_dir.resolve(), out_dir.resolve(), config, stages, conversion_date(config),
              schema_href_for(out_dir / "tei"), register.resolve() if register else None,
              _stage_keys(config, register, stages))
    state = load_state(out_dir)
    result = BuildResult()
    tasks, removed = _plan(project_dir, out_dir, seeds, state, job, echo)
    workers = jobs or os.cpu_count() or 1

    # pass 1: every document that needs work
    t0 = time.monotonic()
    progress = Progress(len(tasks), "building", echo, tty)
    changed: set[str] = set()
    shutil.rmtree(out_dir / STATE_DIR / "pages", ignore_errors=True)  # pages a killed build staged
    index = _OaiIndex(job, state) if "harvest" in stages else None
    for res in _execute(job, tasks, workers, executor, scheduler, progress):
        _record(res, state, result, changed, job, echo)
        if index is not None and len(result.records) >= 200:
            index.update(result.records, ())
    for doc_id in removed:
        _remove(out_dir, doc_id)
        state.docs.pop(doc_id, None)
        changed.add(doc_id)
        echo(f"{doc_id}: removed (its seed is gone)")
    if index is not None:
        index.update(result.records, removed)
    pass_one = time.monotonic() - t0
    if tasks or removed:
        save_state(out_dir, state)

    # pass 2 and the collection
    live = {doc_id: d for doc_id, d in state.docs.items() if d.valid}
    result.documents = len(state.docs)
    entries = _Entries(job, live, result)
    if "web" in stages:
        clock = time.perf_counter()
        _finish_pages(job, state, live, workers, executor, scheduler, result, echo)
        result.stage("web").seconds += time.perf_counter() - clock
        _collection_stage("web", state, live, changed, result, lambda: _write_web_collection(job, entries()), echo)
    if "search" in stages and "web" in stages:
        _collection_stage("search", state, live, changed, result, lambda: _write_search(job), echo)
    if "harvest" in stages:
        _collection_stage("harvest", state, live, changed, result, lambda: index.finish(entries), echo)
    entries.save()
    if tasks or removed or changed or result.collection.get("web") != "unchanged":
        save_state(out_dir, state)
    _summary(result, pass_one, time.monotonic() - started, echo)
    return result


class _Entries:
    """The collection entries of every live document, read from the build state only when a
    collection stage runs; those of the documents redone in this build are fresh."""

    def __init__(self, job: Job, live: dict[str, DocState], result: BuildResult):
        self.job, self.live, self.result = job, live, result
        self._loaded: tuple[dict, dict] | None = None

    def __call__(self) -> list[dict]:
        if self._loaded is None:
            stored, shared = load_entries(self.job.out_dir)
            stored.update(self.result.entries)
            shared.update(self.result.shared)
            for doc_id in self.live:
                if doc_id not in stored:  # no entry recorded (an older state): read it from the TEI
                    entry, parts = _entry_from_file(self.job, doc_id, self.live[doc_id].edited)
                    stored[doc_id], _ = entry, shared.update(parts)
            self._loaded = ({k: v for k, v in stored.items() if k in self.live}, shared)
        entries, shared = self._loaded
        return [{**entry, **shared.get(entry.get("about"), {})} for entry in entries.values()]

    def save(self) -> None:
        if self._loaded is None and not self.result.entries:
            return
        if self._loaded is None:
            self()
        save_entries(self.job.out_dir, *self._loaded)


def _entry_from_file(job: Job, doc_id: str, edited: bool) -> tuple[dict, dict]:
    from lxml import etree

    from teipress.edition import header_fields
    from teipress.xmlio import safe_parser

    path = job.out_dir / "tei" / f"{doc_id}.xml"
    data = path.read_bytes()
    root = etree.fromstring(data, safe_parser())
    has_pdf = (job.out_dir / "print" / f"{doc_id}.pdf").exists()
    return _slim(_collection_entry(root, header_fields(root), path, data, edited, has_pdf))


class _OaiIndex:
    """The OAI-PMH index, updated as documents are done (one transaction per batch), so
    nothing of a document is held once it is recorded. An index that is missing, or that
    no build of this state wrote, is made anew from the TEI files at the end."""

    def __init__(self, job: Job, state: BuildState):
        from teipress.writers.harvest import INDEX_NAME

        self.job = job
        self.rebuild = not (job.out_dir / INDEX_NAME).exists() or "harvest" not in state.collection
        self.conn = None

    def update(self, records: list[dict], removed: Iterable[str]) -> None:
        from teipress.writers.harvest import open_index, update_index

        if not self.rebuild and (records or removed):
            if self.conn is None:
                self.conn = open_index(self.job.out_dir)
            update_index(self.conn, records, removed, self.job.config)
        records.clear()

    def finish(self, entries: Callable[[], list[dict]]) -> Outcome:
        from teipress.writers.harvest import write_collection_files, write_harvest

        if self.conn is not None:
            self.conn.close()
        if self.rebuild:
            return write_harvest(self.job.out_dir, self.job.config, echo=lambda *a, **k: None)
        write_collection_files(self.job.out_dir, entries(), self.job.config)
        return Outcome()


def _record(res: Result, state: BuildState, result: BuildResult, changed: set[str], job: Job,
            echo: Callable) -> None:
    """Fold one document's pass-1 result into the state and the report."""
    for message in res.messages:
        echo(message, err=True)
    name = res.doc_id or res.source or "?"
    if res.error:
        echo(res.error, err=True)
        result.failures.append((name, res.error))
        result.stage("tei").failed += 1
        if res.doc_id and res.doc_id in state.docs:
            state.docs[res.doc_id].valid = False
            state.docs[res.doc_id].tei_sig = None  # check it again next time
        return
    for stage, seconds in res.seconds.items():
        result.stage(stage).seconds += seconds
    doc = state.docs.get(res.doc_id) or DocState()
    if res.source:
        doc.source = res.source
    if res.source_sig:
        doc.source_sig, doc.source_sha256 = res.source_sig, res.source_sha256
        doc.convert_key = job.keys["tei"]
    if res.tei == "kept" or res.edited:
        doc.edited = True
    elif res.tei in ("written", "unchanged"):
        doc.edited = False
    if doc.tei_sha256 != res.tei_sha256:
        changed.add(res.doc_id)
    doc.tei_sha256, doc.tei_sig, doc.valid = res.tei_sha256, res.tei_sig, res.valid
    doc.nav = _nav_of(res.entry)
    doc.has_pdf = bool(res.entry.get("has_pdf"))
    result.entries[res.doc_id] = res.entry
    result.shared.update(res.shared)
    if res.record is not None:
        result.records.append(res.record)
    state.docs[res.doc_id] = doc
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
            changed.add(res.doc_id)
        else:
            pdfs.unchanged += 1
    if res.page == "staged":
        # recorded only once the page is in place (_finish_pages): a build killed before
        # then renders the page again
        result.pending_pages[res.doc_id] = res.page_key
        doc.nav_key = None


def _nav_entry(entry: dict | None) -> dict | None:
    return None if entry is None else {k: entry.get(k) for k in ("id", "title", "date")}


def _nav_of(entry: dict) -> dict:
    """What the order by date and the previous/next links need of a document."""
    date = entry.get("date") or {}
    return {"id": entry.get("id"), "title": entry.get("title"),
            "date": {"text": date.get("text"), "iso": date.get("iso")} if date else None}


def _finish_pages(job: Job, state: BuildState, live: dict[str, DocState], workers: int, executor: str,
                  scheduler: str | None, result: BuildResult, echo: Callable) -> None:
    """Put the previous/next links into staged pages; re-render pages whose neighbours changed."""
    from teipress.writers.web_pages import NAV_MARKER, prevnext_html, sort_key

    ordered = sorted(live, key=lambda doc_id: sort_key(live[doc_id].nav))
    navs = {}
    for i, doc_id in enumerate(ordered):
        prev_entry = live[ordered[i - 1]].nav if i else None
        next_entry = live[ordered[i + 1]].nav if i + 1 < len(ordered) else None
        navs[doc_id] = {"prev": prev_entry, "next": next_entry}
    staged = set(_listing(job.out_dir / STATE_DIR / "pages", ".html"))
    stale = [doc_id for doc_id in ordered if doc_id not in staged
             and live[doc_id].nav_key != digest(_nav_entry(navs[doc_id]["prev"]), _nav_entry(navs[doc_id]["next"]))]
    if stale:  # pass 2: their TEI is as it was, their neighbours are not
        tasks = [Task(live[d].source, d, False, live[d].tei_sha256, live[d].edited, live[d].pdf_key,
                      live[d].page_key, page_only=True) for d in stale]
        for res in _execute(job, tasks, workers, executor, scheduler, lambda n: None):
            if res.error:
                echo(res.error, err=True)
                result.failures.append((res.doc_id or "?", res.error))
            elif res.page == "staged":
                result.pending_pages[res.doc_id] = res.page_key
    stage = result.stage("web")
    marker = NAV_MARKER.encode("utf-8")
    staged_now = set(_listing(job.out_dir / STATE_DIR / "pages", ".html")) if stale else staged
    for doc_id in ordered:
        if doc_id not in staged_now:
            stage.unchanged += 1
            continue
        staged = _staged(job.out_dir, doc_id)
        nav = navs[doc_id]
        page = staged.read_bytes().replace(marker, prevnext_html(nav).encode("utf-8"), 1)
        final = job.out_dir / "web" / f"{doc_id}.html"
        if final.exists() and final.read_bytes() == page:
            stage.unchanged += 1
            staged.unlink()
        else:  # the staged file becomes the page: one rename, readers see old or new
            staged.write_bytes(page)
            os.replace(staged, final)
            stage.written += 1
        live[doc_id].nav_key = digest(_nav_entry(nav["prev"]), _nav_entry(nav["next"]))
        live[doc_id].page_key = result.pending_pages.pop(doc_id, live[doc_id].page_key)


def _collection_stage(stage: str, state: BuildState, live: dict[str, DocState], changed: set[str],
                      result: BuildResult, write: Callable[[], Outcome | None], echo: Callable) -> None:
    """Run a collection stage unless nothing it depends on changed since it last ran."""
    key = digest(sorted((doc_id, d.tei_sha256, d.has_pdf) for doc_id, d in live.items()), stage)
    if state.collection.get(stage) == key and not changed:
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
        state.collection.pop(stage, None)
        return
    state.collection[stage] = key
    result.collection[stage] = "updated"


def _write_web_collection(job: Job, entries: list[dict]) -> None:
    from teipress.writers import web_assets
    from teipress.writers.web import write_collection, write_if_changed

    web = job.out_dir / "web"
    write_collection(web, entries, job.config, citations=False)  # pass 1 wrote the citation files
    schema = web_assets.schema_file()
    if schema is not None:
        write_if_changed(web / "schema" / schema[0], schema[1])


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
