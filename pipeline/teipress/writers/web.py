"""The web edition: a static site in EDITIONS_DIR/web built from EDITIONS_DIR/tei.

Entry points (the build orchestrator calls the first two per document and once):

* render_document(doc, nav, config) -> bytes: one document page from edition.reading(root);
* write_collection(web_dir, entries, config): index pages, about, search, catalogue,
  citation files, sitemap.xml, robots.txt and the assets;
* write_site(editions_dir, config): all of it, with the TEI and PDF downloads linked into
  web/ (so web/ alone is the site), then the search index;
* index_search(web_dir): the Pagefind index of the document pages (web/pagefind/);
* publish_downloads(editions_dir, doc_id, has_pdf): the TEI and PDF downloads inside web/
  (write_site does it; an orchestrator that calls render_document itself calls this too).

Every output is a function of the TEI and the config only, so rebuilding gives the same bytes;
files whose bytes did not change are not rewritten.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_context
from pathlib import Path

from lxml import etree

from teipress.model import Outcome
from teipress.config import Config
from teipress.edition import reading
from teipress.errors import InputError, OutputError, RenderError, TeipressError
from teipress.writers import web_assets
from teipress.writers.web_meta import SITEMAP_END, SITEMAP_START, base_url, citation_files, robots, sitemap_url
from teipress.writers.web_pages import (CATALOGUE_END, CATALOGUE_START, NAV_MARKER, AboutFacts, IndexPages,
                                        about_page, catalogue_row, count_entities, document_page,
                                        entity_index_pages, entity_page_html, order_text, order_year,
                                        prevnext_html, search_page, sort_key)
from teipress.writers.web_text import entity_page
from teipress.xmlio import atomic_write, safe_parser

DOC_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
GENERATOR_MARK = b'<meta name="generator" content="teipress'
FIXED_PAGES = {"index.html", "about.html", "search.html"}
RESERVED_PAGES = FIXED_PAGES | {"people.html", "organisations.html", "places.html"}
PARALLEL_FROM = 64  # fewer documents than this: render in this process (a pool costs more than it saves)


# ---------------------------------------------------------------------------
# the two per-document and per-collection entry points


def check_id(doc_id: str | None, path: str | None = None) -> str:
    """A document id usable as a file name and in URLs (an NCName of safe characters), and not
    the name of one of the site's own pages."""
    if not doc_id or not DOC_ID.fullmatch(doc_id):
        raise RenderError(f"the document id {doc_id!r} cannot name a web page", path=path,
                          hint="give the TEI root an xml:id of letters, digits, '_', '-' and '.'")
    if f"{doc_id}.html" in RESERVED_PAGES or re.fullmatch(r"index-\d+|name-.+", doc_id):
        raise RenderError(f"the document id {doc_id!r} is the name of one of the site's own pages", path=path,
                          hint="rename the seed (the id is its file name)")
    return doc_id


def web_entry(fields: dict, has_pdf: bool) -> dict:
    """What write_collection needs of a document: its header fields and whether it has a PDF."""
    return {**fields, "has_pdf": has_pdf}


def neighbours(entries: list[dict]) -> dict[str, dict]:
    """doc id -> {"prev": entry or None, "next": entry or None}: the order of the index (by date)."""
    ordered = sorted(entries, key=sort_key)
    return {e["id"]: {"prev": ordered[i - 1] if i else None, "next": ordered[i + 1] if i + 1 < len(ordered) else None}
            for i, e in enumerate(ordered)}


def render_document(doc: dict, nav: dict, config: Config) -> bytes:
    """One document page (UTF-8 HTML) from edition.reading(root).

    nav is {"prev": entry or None, "next": entry or None}, the neighbours by date; doc may carry
    "has_pdf": True to offer the PDF download and citation_pdf_url.
    """
    check_id(doc["header"]["id"])
    return document_page(doc, config, prevnext_html(nav)).encode("utf-8")


class EntryList:
    """Collection entries held in a list, readable as write_collection reads the build's
    EntryStore (state.py): in index order, with their places in it, and by the names they
    mention."""

    def __init__(self, entries: Iterable[dict]):
        self.entries = sorted(entries, key=sort_key)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.entries)

    def orders(self) -> Iterator[str]:
        return (order_text(e) for e in self.entries)

    def mentioning(self, key: str) -> list[dict]:
        return [e for e in self.entries if any(x["key"] == key for x in e.get("entities") or [])]

    def ids(self, with_pdf: bool = False) -> set[str]:
        return {e["id"] for e in self.entries if e.get("has_pdf") or not with_pdf}


def write_collection(web_dir: Path, entries, config: Config, *, citations: bool = True) -> None:
    """Everything of the site that depends on the whole collection, plus the assets.

    entries: the documents' header_fields dicts (with "has_pdf"), as an EntryList or the
    build's EntryStore, which give them in index order without holding them all: one pass
    over them makes the index pages (written as each fills), the catalogue and the sitemap
    (written as they grow), and gathers what the About and name pages need. Document pages
    of documents no longer in entries are removed, as are their citation files. The
    citation files (cite/<id>.bib, .ris) are written here unless citations=False (the
    build writes them with each document).
    """
    web_dir = Path(web_dir)
    base = base_url(config)
    for name, data in web_assets.asset_files().items():
        write_if_changed(web_dir / name, data)
    index = IndexPages((order_year(order) for order in entries.orders()), config)
    about, entities = AboutFacts(), {}
    with StreamedFile(web_dir / "assets" / "catalogue.js") as catalogue, \
            StreamedFile(web_dir / "sitemap.xml") as site:
        catalogue.write(CATALOGUE_START)
        site.write(SITEMAP_START + "".join(sitemap_url(base + name) for name in
                                           ["", "about.html", "search.html"] + index.names[1:]))
        for n, entry in enumerate(entries):
            page = index.add(entry)
            if page is not None:
                write_if_changed(web_dir / page[0], page[1].encode("utf-8"))
            catalogue.write(("," if n else "") + catalogue_row(entry))
            site.write(sitemap_url(f"{base}{entry['id']}.html", (entry.get("conversion") or {}).get("when")))
            about.add(entry)
            count_entities(entities, entry)
            if citations:
                for name, data in citation_files(entry, config, entry.get("has_pdf", False)).items():
                    write_if_changed(web_dir / name, data)
        name, html = index.finish()
        write_if_changed(web_dir / name, html.encode("utf-8"))
        catalogue.write(CATALOGUE_END)
        name_pages = entity_index_pages(entities, config)  # the register's entries: one index per kind, a page each
        for name, html in name_pages:
            write_if_changed(web_dir / name, html.encode("utf-8"))
        for key, entity in sorted(entities.items()):
            write_if_changed(web_dir / entity_page(key),
                             entity_page_html(entity, entries.mentioning(key), config).encode("utf-8"))
            name_pages.append((entity_page(key), None))
        site.write("".join(sitemap_url(base + name) for name, _ in name_pages) + SITEMAP_END)
    write_if_changed(web_dir / "about.html", about_page(about, config).encode("utf-8"))
    write_if_changed(web_dir / "search.html", search_page(config).encode("utf-8"))
    write_if_changed(web_dir / "robots.txt", robots(config))
    _remove_stale(web_dir, entries.ids(), entries.ids(with_pdf=True), {n for n, _ in name_pages} | set(index.names))


class StreamedFile:
    """A file written a piece at a time (it grows with the edition): the pieces go to a
    temporary file, which replaces the file at the end only if its bytes differ, and is
    dropped if the writing fails."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")

    def __enter__(self) -> StreamedFile:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.tmp, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise OutputError(f"cannot write the file: {exc.strerror}", path=str(self.path)) from None
        return self

    def write(self, text: str) -> None:
        self.handle.write(text)

    def __exit__(self, kind, error, trace) -> None:
        try:
            self.handle.close()
            if kind is None:
                if self.path.exists() and filecmp.cmp(self.tmp, self.path, shallow=False):
                    self.tmp.unlink()
                else:
                    os.replace(self.tmp, self.path)
        except OSError as exc:
            raise OutputError(f"cannot write the file: {exc.strerror}", path=str(self.path)) from None
        finally:
            self.tmp.unlink(missing_ok=True)


def write_if_changed(path: Path | str, data: bytes) -> bool:
    """Write data unless the file already holds exactly it; True when written."""
    try:
        if os.stat(path).st_size == len(data):
            with open(path, "rb") as handle:
                if handle.read() == data:
                    return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def _remove_stale(web_dir: Path, ids: set[str], with_pdf: set[str], index_names: set[str]) -> None:
    """Remove what earlier builds wrote for documents that are gone (only files teipress made)."""
    keep_html = {f"{i}.html" for i in ids} | FIXED_PAGES | set(index_names)
    for name in _names(web_dir):  # (names, not Path objects: an edition has tens of thousands)
        if name.endswith(".html") and name not in keep_html:
            page = web_dir / name
            with open(page, "rb") as handle:
                if GENERATOR_MARK in handle.read(2048):
                    page.unlink()
    for folder, suffixes, keep in (("cite", (".bib", ".ris"), ids), ("tei", (".xml",), ids),
                                   ("pdf", (".pdf",), with_pdf)):
        for name in _names(web_dir / folder):
            stem, dot, suffix = name.rpartition(".")
            if dot and f".{suffix}" in suffixes and stem not in keep:
                (web_dir / folder / name).unlink()


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


# ---------------------------------------------------------------------------
# the whole site


def _say(echo: Callable, text: str, err: bool = False) -> None:
    """click.echo takes err=True (stderr); a plain print does not."""
    try:
        echo(text, err=err)
    except TypeError:
        echo(text)


def read_tei(path: Path) -> etree._Element:
    try:
        return etree.parse(str(path), safe_parser()).getroot()
    except etree.XMLSyntaxError as error:
        raise RenderError(f"not well-formed XML: {error.msg}", path=str(path), line=error.lineno,
                          hint="fix the TEI file; 'teipress validate' shows every problem") from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error}", path=str(path)) from None


def link_or_copy(source: Path | str, target: Path | str) -> bool:
    """Make target hold source's bytes: a hard link where possible, else a copy; True if changed."""
    try:
        os.link(source, target)  # where there is no target yet (a first build), one call does it
        return True
    except OSError:  # a target there, no folder yet, another file system, no links: the careful way
        pass
    source, target = Path(source), Path(target)
    try:
        if target.exists() and (os.path.samefile(source, target) or target.read_bytes() == source.read_bytes()):
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.link.tmp")
    try:
        if tmp.exists():
            tmp.unlink()
        os.link(source, tmp)
        os.replace(tmp, target)
    except OSError:  # another file system, or links not allowed: copy the bytes
        atomic_write(target, source.read_bytes())
    return True


def publish_downloads(editions_dir: Path, doc_id: str, has_pdf: bool) -> bool:
    """Put tei/<id>.xml (and print/<id>.pdf) into web/, so web/ alone is the site; True if changed."""
    editions_dir = Path(editions_dir)
    web_dir = editions_dir / "web"
    changed = link_or_copy(editions_dir / "tei" / f"{doc_id}.xml", web_dir / "tei" / f"{doc_id}.xml")
    if has_pdf:
        changed |= link_or_copy(editions_dir / "print" / f"{doc_id}.pdf", web_dir / "pdf" / f"{doc_id}.pdf")
    return changed


class _Share:
    """One worker's share of the documents, in two phases.

    The neighbours by date (prev/next) are known only once every document is read, and
    reading is the expensive part. So phase one parses and renders each page with a marker
    where prev/next goes, writes the document's other files (citations, TEI and PDF
    downloads) and keeps the page in memory; the parent sorts the entries and hands each
    worker the prev/next blocks of its pages; phase two fills them in and writes the pages.
    One parse per document, and the pages never travel between processes.
    """

    def __init__(self, editions_dir: Path, config: Config):
        self.editions_dir, self.web_dir = editions_dir, editions_dir / "web"
        self.config = config
        self.pages: dict[str, bytes] = {}
        self.changed: dict[str, bool] = {}

    def read(self, tasks: list[tuple[str, bool]]) -> list[tuple]:
        """Phase one: ("ok", entry) or ("failed", path, message) per task."""
        out = []
        for path, has_pdf in tasks:
            try:
                out.append(("ok", self._read_one(Path(path), has_pdf)))
            except TeipressError as error:
                out.append(("failed", path, str(error)))
        return out

    def _read_one(self, path: Path, has_pdf: bool) -> dict:
        doc = reading(read_tei(path))
        doc_id = check_id(doc["header"]["id"], str(path))
        if doc_id != path.stem:
            raise RenderError(f"the xml:id {doc_id!r} differs from the file name", path=str(path),
                              hint=f"rename the file to {doc_id}.xml or change the xml:id")
        doc["has_pdf"] = has_pdf
        self.pages[doc_id] = document_page(doc, self.config, NAV_MARKER).encode("utf-8")
        changed = False
        for name, data in citation_files(doc["header"], self.config, has_pdf).items():
            changed |= write_if_changed(self.web_dir / name, data)
        changed |= publish_downloads(self.editions_dir, doc_id, has_pdf)
        self.changed[doc_id] = changed
        return web_entry(doc["header"], has_pdf)

    def write(self, navs: dict[str, str]) -> dict[str, bool]:
        """Phase two: the pages with their prev/next; doc id -> whether any of its files changed."""
        marker = NAV_MARKER.encode("utf-8")
        out = {}
        for doc_id, nav_html in navs.items():
            page = self.pages.pop(doc_id).replace(marker, nav_html.encode("utf-8"), 1)
            out[doc_id] = write_if_changed(self.web_dir / f"{doc_id}.html", page) | self.changed[doc_id]
        return out


def _share_process(conn, editions_dir: Path, config: Config, tasks: list[tuple[str, bool]]) -> None:
    """A worker process: phase one, wait for the prev/next blocks, phase two."""
    try:
        share = _Share(editions_dir, config)
        conn.send(share.read(tasks))
        conn.send(share.write(conn.recv()))
    except BaseException as error:  # a bug or a full disk: tell the parent instead of hanging it
        conn.send(("crashed", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


def _render_documents(editions_dir: Path, config: Config, tasks: list[tuple[str, bool]], jobs: int,
                      navs_for: Callable[[list[dict]], dict[str, str]],
                      meanwhile: Callable[[], None]) -> tuple[list[tuple], dict[str, bool]]:
    """Run both phases over every task, in this process or in `jobs` worker processes;
    meanwhile() runs in this process while the workers write their pages."""
    if jobs == 1 or len(tasks) < PARALLEL_FROM:
        share = _Share(editions_dir, config)
        results = share.read(tasks)
        changed = share.write(navs_for([r[1] for r in results if r[0] == "ok"]))
        meanwhile()
        return results, changed
    context = get_context("fork" if os.name == "posix" else "spawn")
    workers = []
    for k in range(jobs):
        parent, child = context.Pipe()
        process = context.Process(target=_share_process, args=(child, editions_dir, config, tasks[k::jobs]))
        process.start()
        child.close()
        workers.append((process, parent))
    try:
        shares = [_receive(conn) for _, conn in workers]
        results = [r for share in shares for r in share]
        navs = navs_for([r[1] for r in results if r[0] == "ok"])
        ids = [{r[1]["id"] for r in share if r[0] == "ok"} for share in shares]
        for (_, conn), mine in zip(workers, ids):
            conn.send({doc_id: navs[doc_id] for doc_id in mine})
        meanwhile()
        changed: dict[str, bool] = {}
        for _, conn in workers:
            changed.update(_receive(conn))
        return results, changed
    finally:
        for process, conn in workers:
            conn.close()
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def _receive(conn):
    try:
        message = conn.recv()
    except EOFError:
        raise RenderError("a worker process of the web edition died", hint="run again with --jobs 1") from None
    if isinstance(message, tuple) and message[:1] == ("crashed",):
        raise RenderError(f"a worker process of the web edition failed: {message[1]}")
    return message


def write_site(editions_dir: Path, config: Config, *, echo: Callable = print, jobs: int | None = None,
               search: bool = True) -> Outcome:
    """EDITIONS_DIR/web from EDITIONS_DIR/tei (and print/ for the PDFs), then its search index."""
    editions_dir = Path(editions_dir)
    tei_dir, web_dir, print_dir = editions_dir / "tei", editions_dir / "web", editions_dir / "print"
    if not tei_dir.is_dir():
        raise InputError("no TEI folder to publish", path=str(tei_dir),
                         hint="run 'teipress build', or 'teipress convert -o EDITIONS_DIR/tei', first")
    pdfs = {p.stem for p in print_dir.glob("*.pdf")} if print_dir.is_dir() else set()
    tasks = [(str(path), path.stem in pdfs) for path in sorted(tei_dir.glob("*.xml"))]
    entries: list[dict] = []

    def navs_for(found: list[dict]) -> dict[str, str]:
        entries.extend(sorted(found, key=sort_key))
        return {doc_id: prevnext_html(nav) for doc_id, nav in neighbours(entries).items()}

    def collection() -> None:
        write_collection(web_dir, EntryList(entries), config, citations=False)
        schema = web_assets.schema_file()
        if schema is not None:
            write_if_changed(web_dir / "schema" / schema[0], schema[1])

    results, changed = _render_documents(editions_dir, config, tasks, jobs or os.cpu_count() or 1, navs_for,
                                         collection)
    outcome = Outcome()
    for result in results:
        if result[0] == "failed":
            _say(echo, result[2], err=True)
            outcome.failed.append((result[1], result[2]))
    for entry in entries:
        (outcome.written if changed[entry["id"]] else outcome.unchanged).append(entry["id"])
    written = len(outcome.written)
    echo(f"web: {written} document page{'' if written == 1 else 's'} written, {len(outcome.unchanged)} unchanged, "
         f"{len(outcome.failed)} failed -> {web_dir}")
    if search:
        try:
            index_search(web_dir)
            echo(f"search: index written -> {web_dir / 'pagefind'}")
        except TeipressError as error:
            _say(echo, str(error), err=True)
            outcome.failed.append((str(web_dir / "pagefind"), str(error)))
    return outcome


# ---------------------------------------------------------------------------
# search


def pagefind_executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError:
        get_executable = None
    found = get_executable() if get_executable else None
    if found is None and shutil.which("pagefind"):
        found = Path(shutil.which("pagefind"))
    if found is None:
        raise RenderError("Pagefind is not installed, so the site has no search index",
                          hint="pip install 'pagefind[bin]==1.5.2'")
    return found


def index_search(web_dir: Path) -> None:
    """Index the document pages of web_dir with Pagefind into web_dir/pagefind.

    One run of Pagefind's CLI over the whole site (not page by page). Every page is indexed
    as English, the language of the site's interface, so one search box finds documents in
    every language; Pagefind folds diacritics, so 'Bucuresti' finds 'Bucureşti'. The new index
    is built beside the old one and swapped in, so a failed run leaves the old index working.
    """
    web_dir = Path(web_dir)
    if not (web_dir / "index.html").is_file():
        raise RenderError("no web edition to index", path=str(web_dir), hint="run 'teipress render web' first")
    executable = pagefind_executable()
    staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=web_dir))
    try:
        run = subprocess.run(
            [str(executable), "--site", str(web_dir), "--output-path", str(staging / "pagefind"),
             "--force-language", "en", "--glob", "*.html"],
            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        if run.returncode != 0:
            raise RenderError(f"Pagefind failed: {(run.stderr or run.stdout).strip()[-800:]}", path=str(web_dir))
        target = web_dir / "pagefind"
        old = staging / "old"
        if target.exists():
            os.replace(target, old)
        os.replace(staging / "pagefind", target)
    except OSError as error:
        raise OutputError(f"cannot write the search index: {error}", path=str(web_dir)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
