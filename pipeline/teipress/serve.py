"""`teipress serve`: the built edition on 127.0.0.1 for preview.

EDITIONS_DIR/web is served at / by a small, strict static file app (GET and HEAD only,
no path outside web/, no dot-files, explicit content types), and the OAI-PMH repository
of teipress.oai at /oai. The WSGI server is waitress (pure Python, production-grade,
no compiler needed). make_app() gives the same WSGI application for tests.
"""

from __future__ import annotations

import email.utils
import mimetypes
import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from teipress.config import Config
from teipress.errors import InputError, OutputError, TeipressError
from teipress.writers.web_pages import CSP

CHUNK = 64 * 1024
# Content types by suffix; anything else is application/octet-stream (never guessed from bytes).
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".rng": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".bib": "application/x-bibtex; charset=utf-8",
    ".ris": "application/x-research-info-systems; charset=utf-8",
    # Pagefind's index files: compressed binary chunks fetched by pagefind.js
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}
TEI_TYPE = "application/tei+xml"


def content_type(relative: str) -> str:
    """The Content-Type of a site path; the TEI downloads under tei/ are application/tei+xml."""
    suffix = posixpath.splitext(relative)[1].lower()
    if suffix == ".xml" and relative.startswith("tei/"):
        return TEI_TYPE
    return TYPES.get(suffix) or mimetypes.types_map.get(suffix) or "application/octet-stream"


def _plain(start_response: Callable, status: str, text: str, headers: list | None = None,
           head: bool = False) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("X-Content-Type-Options", "nosniff"), *(headers or [])])
    return [] if head else [body]


class StaticSite:
    """Serve the files under root: the site as a static host would, and nothing else."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def resolve(self, path_info: str) -> tuple[str, Path] | None:
        """(site-relative path, file) for a request path, or None when it is not servable."""
        try:
            path = path_info.encode("latin-1").decode("utf-8")  # WSGI hands bytes as latin-1
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        target = self.root.joinpath(*parts) if parts else self.root
        try:
            real = target.resolve()
        except (OSError, RuntimeError):
            return None
        if real != self.root and self.root not in real.parents:  # a symlink out of the site
            return None
        return "/".join(parts), real

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        head = method == "HEAD"
        if method not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "Only GET and HEAD.\n",
                          [("Allow", "GET, HEAD")])
        found = self.resolve(environ.get("PATH_INFO", "") or "/")
        if found is None:
            return self.not_found(start_response, head)
        relative, real = found
        if real.is_dir():
            raw_path = environ.get("PATH_INFO", "") or "/"
            if not raw_path.endswith("/"):  # so the page's relative links resolve against the folder
                script = environ.get("SCRIPT_NAME", "")
                location = quote((script + raw_path).encode("latin-1")) + "/"
                return _plain(start_response, "301 Moved Permanently", "Moved.\n", [("Location", location)], head)
            relative, real = (relative + "/index.html").lstrip("/"), real / "index.html"
        if not real.is_file():
            return self.not_found(start_response, head)
        stat = real.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        headers = [("Content-Type", content_type(relative)), ("Content-Length", str(stat.st_size)),
                   ("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True)), ("ETag", etag),
                   ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Security-Policy", CSP), ("Referrer-Policy", "no-referrer")]
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [h for h in headers if h[0] not in ("Content-Type", "Content-Length")])
            return []
        start_response("200 OK", headers)
        if head:
            return []
        handle = open(real, "rb")
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None:
            return wrapper(handle, CHUNK)
        return _read_chunks(handle)

    def not_found(self, start_response: Callable, head: bool) -> list[bytes]:
        body = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
                '<body><h1>Not found</h1><p>No page here. <a href="/">The list of documents</a>.</p></body></html>\n'
                ).encode("utf-8")
        start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8"),
                                         ("Content-Length", str(len(body))), ("X-Content-Type-Options", "nosniff")])
        return [] if head else [body]


def _read_chunks(handle) -> Iterable[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class LazyOai:
    """The OAI-PMH app of teipress.oai, made at the first request (serve starts fast)."""

    def __init__(self, editions_dir: Path, config: Config):
        self.editions_dir = editions_dir
        self.config = config
        self.app: Callable | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.app is None:
            from teipress.oai import make_app as make_oai_app

            try:
                self.app = make_oai_app(self.editions_dir, self.config)
            except TeipressError as error:
                return _plain(start_response, "503 Service Unavailable", f"{error}\n")
        return self.app(environ, start_response)


def make_app(editions_dir: Path, config: Config) -> Callable:
    """The WSGI application of `teipress serve`: web/ at /, the OAI-PMH repository at /oai."""
    site = StaticSite(Path(editions_dir) / "web")
    oai = LazyOai(Path(editions_dir), config)

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/oai" or path.startswith("/oai/"):
            environ = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + "/oai", "PATH_INFO": path[4:]}
            return oai(environ, start_response)
        return site(environ, start_response)

    return app


def serve(editions_dir: Path, config: Config, *, host: str = "127.0.0.1", port: int = 8000,
          echo: Callable = print) -> None:
    """Serve the edition until interrupted (Ctrl+C)."""
    import waitress

    web = Path(editions_dir) / "web"
    if not (web / "index.html").is_file():
        raise InputError("no web edition to serve", path=str(web),
                         hint="run 'teipress build' or 'teipress render web' first")
    try:
        server = waitress.create_server(make_app(editions_dir, config), host=host, port=port, threads=8,
                                        ident="teipress")
    except OSError as error:
        raise OutputError(f"cannot listen on {host}:{port}: {error.strerror or error}",
                          hint="choose another --port") from None
    shown_host = f"[{host}]" if ":" in host else host
    echo(f"Serving {web} at http://{shown_host}:{server.effective_port}/ "
         f"(OAI-PMH at /oai); press Ctrl+C to stop")
    try:
        server.run()
    except KeyboardInterrupt:
        echo("Stopped.")
    finally:
        server.close()
