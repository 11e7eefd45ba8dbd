"""The per-document work of a build, in worker processes or on a Dask cluster.

A Job says what the build is (small and picklable: sent with every batch); a Task is one
document's work; a Result is what came of it. Each process keeps one Worker (register,
validator, Typst compiler, made once) for the batches of a build.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path

from teipress.config import Config
from teipress.errors import InputError, TeipressError
from teipress.state import STATE_DIR, EntryRow, digest, entry_row, signature, to_json

IN_FLIGHT = 3  # batches a worker has sent or queued at a time: enough to keep it busy, few enough to hold little
LOCAL_BELOW = 24  # fewer documents than this: work in this process (a pool costs more than it saves)


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
    page_lang: str | None = None  # the staged page's language (its end depends on it)
    entry: tuple | None = None  # what the collection pages need, as the build's store keeps it (state.entry_row)
    entry_key: str | None = None  # digest of what the collection pages show of the document
    has_pdf: bool = False
    shared: dict = field(default_factory=dict)  # the parts of the entry many documents share: key -> JSON
    record: dict | None = None  # the whole entry, for the OAI index (harvest stage only)
    seconds: dict = field(default_factory=dict)  # stage -> time this document spent in it

    def __reduce__(self):
        # pickled as its fields' values in order, not as a dict of their names and values: the
        # build process unpickles one a document, and calling Result with them costs less
        return Result, _RESULT_FIELDS(self)


_RESULT_FIELDS = attrgetter(*(f.name for f in fields(Result)))


class Worker:
    """The heavy objects of one process, made once: register, validator, print renderer."""

    def __init__(self, job: Job):
        # (the converter is loaded here, where documents are worked on: the build process
        # of a build with nothing to do never needs it)
        from teipress.register import load_register
        from teipress.validate import Validator

        self.job = job
        self.register = load_register(job.register) if job.register else None
        self.validator = Validator()
        self._printer = None
        # the output folders as strings, joined once: a document's paths are made by
        # formatting (pathlib objects cost more than the file operations they name)
        out = str(job.out_dir)
        self.tei_dir, self.reports_dir, self.print_dir = f"{out}/tei", f"{out}/reports", f"{out}/print"
        self.web_dir, self.staging_dir = f"{out}/web", str(staging_folder(job.out_dir))

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
        from teipress.convert import convert_source, redater, report_bytes
        from teipress.sources import read_source
        from teipress.writers.tei import write_tei
        from teipress.xmlio import atomic_write

        job = self.job
        root = data = None
        clock = time.perf_counter()
        if task.edited and not task.page_only:
            result.messages.append(f"{self.tei_dir}/{task.doc_id}.xml: kept: edited by hand; "
                                   "validated and rendered as it is")
        if task.convert:
            path = job.project_dir / task.source
            source = read_source(path)
            result.source_sig, result.source_sha256 = signature(path), source.sha256
            conversion = convert_source(source, job.config, when=job.when, schema_href=job.schema_href,
                                        register=self.register)
            result.doc_id = conversion.doc.id
            target = f"{self.tei_dir}/{result.doc_id}.xml"
            result.tei = write_tei(target, conversion.data, task.recorded_sha, False, redater(conversion))
            result.messages += [f"{task.source}:{i.line}: {i.severity}: {i.message} [{i.rule}]" if i.line
                                else f"{task.source}: {i.severity}: {i.message} [{i.rule}]"
                                for i in conversion.doc.issues]
            conversion.report["tei"] = f"{result.doc_id}.xml"  # (no write status: the report is the same however often it is rebuilt)
            atomic_write(f"{self.reports_dir}/{result.doc_id}.json", report_bytes(conversion.report))
            if result.tei == "kept":
                result.edited = True
                result.messages.append(f"{target}: kept: edited by hand (it differs from the conversion of "
                                       f"{task.source}); rendering the edited file")
            else:
                root, data = conversion.tree.getroot(), conversion.data
        path = target if task.convert else f"{self.tei_dir}/{result.doc_id}.xml"
        if data is None:  # an existing TEI (hand-edited, or converted earlier): parsed as validate does
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise InputError(f"cannot read the TEI file: {exc.strerror}", path=path) from None
            checked = self.validator.check_data(data, Path(path))
            root, issues = checked.root, checked.issues
        else:
            issues = self.validator.check(root, path)
        result.tei_sha256 = hashlib.sha256(data).hexdigest()
        result.tei_sig = signature(path)
        problems = [i for i in issues if i.severity == "error"]
        result.seconds["tei"] = time.perf_counter() - clock
        if root is None and not problems:
            result.error = f"{path}: error: not a TEI document (its root element is not TEI)"
            return
        if problems:
            first = problems[0]
            where = f"{path}:{first.line}" if first.line else path
            result.error = (f"{where}: error: {first.message} [{first.rule}] "
                            f"({len(problems)} problem{'s' if len(problems) > 1 else ''}; "
                            f"'teipress validate {path}' lists them)")
            return
        result.valid = True
        self._editions(task, result, root, data, path)

    def _editions(self, task: Task, result: Result, root, data: bytes, tei_path: str) -> None:
        from teipress.edition import header_fields_and_keys

        job = self.job
        doc_id = result.doc_id
        fields, keys = header_fields_and_keys(root)
        if fields["id"] != doc_id:
            raise InputError(f"the xml:id {fields['id']!r} differs from the file name {doc_id}.xml",
                             path=tei_path,
                             hint=f"set xml:id=\"{doc_id}\" on the TEI element, or rename the file")
        pdf_path = f"{self.print_dir}/{doc_id}.pdf"
        if "print" in job.stages and not task.page_only:
            result.pdf_key = digest(result.tei_sha256, job.keys["print"])
            if result.pdf_key != task.pdf_key or not os.path.exists(pdf_path):
                clock = time.perf_counter()
                try:
                    self.printer.render(root, data, Path(pdf_path))
                    result.pdf = "written"
                    if "web" in job.stages:  # the web edition's download follows the new PDF
                        from teipress.writers.web import link_or_copy

                        link_or_copy(pdf_path, f"{self.web_dir}/pdf/{doc_id}.pdf")
                except TeipressError as error:
                    result.pdf = "failed"
                    result.messages.append(str(error))
                result.seconds["print"] = time.perf_counter() - clock
            else:
                result.pdf = "unchanged"
        has_pdf = result.pdf != "failed" and os.path.exists(pdf_path)
        full = collection_entry(root, fields, Path(tei_path), data, result.edited, has_pdf, result.tei_sha256)
        result.entry, result.entry_key, result.shared = stored_entry(full)
        result.has_pdf = has_pdf
        if "harvest" in job.stages:
            result.record = full
        if "web" in job.stages:
            result.page_key = digest(result.tei_sha256, job.keys["web"], has_pdf)
            if task.page_only or result.page_key != task.page_key \
                    or not os.path.exists(f"{self.web_dir}/{doc_id}.html"):
                clock = time.perf_counter()
                result.page_lang = self._stage_page(root, fields, keys, full, has_pdf)
                result.page = "staged"
                result.seconds["web"] = time.perf_counter() - clock
            else:
                result.page = "unchanged"

    def _stage_page(self, root, fields: dict, keys: dict, entry: dict, has_pdf: bool) -> str:
        """Render one page up to its previous/next links into the staging folder (the build
        appends the links and the page's end once the order is known: see
        build._finish_pages); link its downloads. Returns the page's language, which its
        end depends on. keys: the document's register keys, as header_fields_and_keys gives them."""
        from teipress.edition import body_blocks, how_to_cite
        from teipress.writers.web import link_or_copy, write_if_changed
        from teipress.writers.web_meta import citation_files
        from teipress.writers.web_pages import document_page_start_utf8, page_lang

        doc_id, web = fields["id"], self.web_dir
        doc = {"header": fields, "body": body_blocks(root, keys), "cite": how_to_cite(fields), "has_pdf": has_pdf}
        _write_staged(self.staging_dir, f"{doc_id}.html", document_page_start_utf8(doc, self.job.config))
        link_or_copy(f"{self.tei_dir}/{doc_id}.xml", f"{web}/tei/{doc_id}.xml")
        if has_pdf:
            link_or_copy(f"{self.print_dir}/{doc_id}.pdf", f"{web}/pdf/{doc_id}.pdf")
        for name, content in citation_files(entry, self.job.config, has_pdf).items():
            write_if_changed(f"{web}/{name}", content)
        return page_lang(fields)


def _write_staged(folder: str, name: str, data: bytes) -> None:
    """Write a build-internal file of the staging folder: no temporary name (each build
    starts with an empty staging folder, and a page is recorded as done only once it has
    been finished and moved into place)."""
    from teipress.xmlio import write_all

    path = f"{folder}/{name}"
    try:
        fd = os.open(path, _NEW_FILE, 0o644)
    except FileNotFoundError:  # the first page of a build makes the folder
        os.makedirs(folder, exist_ok=True)
        fd = os.open(path, _NEW_FILE, 0o644)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC


def collection_entry(root, fields: dict, path: Path, data: bytes, edited: bool, has_pdf: bool,
                     sha256: str | None = None) -> dict:
    """What the collection needs of one document: the harvest entry, and whether it has a PDF
    (sha256: of data, when the caller has it already)."""
    from teipress.writers.harvest import harvest_entry

    return {**harvest_entry(root, path, data, edited=edited, fields=fields, sha256=sha256), "has_pdf": has_pdf}


# What the collection (index pages, entity pages, sitemap, CMIF, manifest) needs of a document.
SLIM_KEYS = ("id", "title", "date", "type", "type_label", "lang", "senders", "recipients", "via", "place_sent",
             "archives", "has_pdf", "conversion", "entities", "correspondence", "edition_url", "url", "record_id",
             "tei_sha256", "tei_size", "datestamp")
# What most documents share, kept once (the About page shows the most common)
SHARED_KEYS = ("project", "editorial", "rights", "licence", "publisher")


# Entry fields the harvest files show but the collection pages do not: a change of the TEI's
# bytes alone leaves the index pages as they are. (The last of SLIM_KEYS: see stored_entry.)
NOT_ON_PAGES = ("tei_sha256", "tei_size", "datestamp")
if SLIM_KEYS[-len(NOT_ON_PAGES):] != NOT_ON_PAGES:
    raise AssertionError("NOT_ON_PAGES must be the last of SLIM_KEYS")


def stored_entry(entry: dict) -> tuple[EntryRow, str, dict[str, str]]:
    """A document's collection entry as the build's store keeps it, the digest of what the
    collection pages show of it, and its shared parts under their digest (key -> JSON)."""
    from teipress.writers.web_pages import order_text

    about, shared = _shared_json({key: entry.get(key) for key in SHARED_KEYS})
    shown = {k: entry.get(k) for k in SLIM_KEYS if k not in NOT_ON_PAGES}
    # of how it was made, the collection shows only when (the sitemap, CMIF): the source's
    # checksum would make every seed edit look like a change of the index pages
    shown["conversion"] = {"when": (entry.get("conversion") or {}).get("when")}
    shown_json = to_json(shown)
    rest = {k: entry.get(k) for k in NOT_ON_PAGES}
    rest["about"] = about
    slim = shown | rest
    # slim's JSON is the two objects' members joined (NOT_ON_PAGES are the last of SLIM_KEYS,
    # so the order is slim's own): what the pages show is encoded once, for the key and the store
    slim_json = f"{shown_json[:-1]},{to_json(rest)[1:]}"
    key = _text_digest(shown_json + about)
    return entry_row(slim, order_text(slim), slim_json), key, {about: shared}


# The shared parts a worker encoded lately, the latest first: (their values, digest, JSON). An
# edition's documents share a few versions of them (its description, editorial declaration,
# rights), so they are encoded a few times a worker, not once a document; and the one JSON
# object in every result of a batch that has them is pickled once.
_recent_shared: list[tuple[dict, str, str]] = []
RECENT_SHARED = 16


def _shared_json(values: dict) -> tuple[str, str]:
    """The digest and JSON of a document's shared parts. (Equal values have equal JSON here:
    header_fields makes them of strings, and of lists and dicts each built in one order.)"""
    for index, known in enumerate(_recent_shared):
        if known[0] == values:
            if index:
                _recent_shared.insert(0, _recent_shared.pop(index))
            return known[1], known[2]
    shared = to_json(values)
    _recent_shared.insert(0, (values, _text_digest(shared), shared))
    del _recent_shared[RECENT_SHARED:]
    return _recent_shared[0][1], shared


def _text_digest(text: str) -> str:
    """digest() of a text that is already a stable encoding of its value (JSON: no repr needed)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def staging_folder(out_dir: Path) -> Path:
    """Where pass 1 stages pages (build-internal: emptied at the start of every build)."""
    return out_dir / STATE_DIR / "pages"


def staged_page(out_dir: Path, doc_id: str) -> Path:
    return staging_folder(out_dir) / f"{doc_id}.html"


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
    large enough that sending them costs little (Dask costs about 2 ms a task). Each is a
    share of what is left, so they shrink towards the end: the workers finish together
    instead of one waiting while another works through a last large batch."""
    batches, start = [], 0
    while start < len(tasks):
        size = max(8, min(250, (len(tasks) - start) // (workers * 4)))
        batches.append(tasks[start:start + size])
        start += size
    return batches


# What a worker loads for its documents (teipress.writers.print only when a build prints)
WORKER_MODULES = ("teipress.worker", "teipress.convert", "teipress.validate", "teipress.register",
                  "teipress.edition", "teipress.writers.harvest", "teipress.writers.web",
                  "teipress.writers.web_meta", "teipress.writers.web_pages")


class LocalPool:
    """The worker processes of a build on this machine: started when a pass first needs
    them, then kept for the rest of the build (the second pass, the collection pages), so
    that a build starts its processes once. close() ends them."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._executor = None

    @property
    def running(self) -> bool:
        return self._executor is not None

    def executor(self):
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_all_start_methods, get_context

            # Not fork: a parent that has run Typst or lxml threads must not be forked. A fork
            # server is a fresh process that loads the workers' modules once and forks each
            # worker from itself, ready to work; spawn (where there is no fork server, as on
            # Windows) starts each worker as a new interpreter that loads them again.
            if "forkserver" in get_all_start_methods():
                context = get_context("forkserver")
                context.set_forkserver_preload(list(WORKER_MODULES))
            else:
                context = get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self._executor

    def start(self, job: Job) -> None:
        """Start the processes now, each making its Worker for job, rather than at the first
        batch (a first build, which converts every seed, starts them while it plans)."""
        executor = self.executor()
        for _ in range(self.jobs):  # (a task each: the pool starts a process for each task that finds none idle)
            executor.submit(run_batch, job, [])

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None


def execute(job: Job, tasks: list[Task], pool: LocalPool | None, scheduler: str | None,
            progress: Callable[[int], None]) -> Iterable[Result]:
    """Pass 1 (or 2) for tasks: on the pool's processes, in this process (no pool, one job,
    or a few documents), or on the Dask cluster at scheduler (when given)."""
    if not tasks:
        return
    if scheduler is not None:
        yield from _execute_dask(job, tasks, scheduler, progress)
        return
    if pool is None or pool.jobs <= 1 or len(tasks) < LOCAL_BELOW:
        for batch in _batches(tasks, 1):
            results = run_batch(job, batch)
            progress(len(results))
            yield from results
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    executor = pool.executor()
    batches = iter(_batches(tasks, pool.jobs))
    pending = set()

    def submit_next() -> None:
        batch = next(batches, None)
        if batch is not None:
            pending.add(executor.submit(run_batch, job, batch))

    for _ in range(IN_FLIGHT * pool.jobs):
        submit_next()
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)  # (a finished future holds its results: let them go)
                results = future.result()
                submit_next()
                progress(len(results))
                yield from results
    finally:  # (the caller stopped early, or a batch failed: what is queued is not wanted)
        for future in pending:
            future.cancel()


def _execute_dask(job: Job, tasks: list[Task], scheduler: str,
                  progress: Callable[[int], None]) -> Iterable[Result]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise TeipressError("the Dask executor needs dask.distributed",
                            hint="pip install 'teipress[dask]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise TeipressError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        batches = iter(_batches(tasks, workers))
        running = as_completed()

        def submit_next() -> None:
            batch = next(batches, None)
            if batch is not None:
                running.add(client.submit(run_batch, job, batch, pure=False))

        for _ in range(IN_FLIGHT * workers):
            submit_next()
        for future in running:
            results = future.result()
            future.release()
            submit_next()
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
