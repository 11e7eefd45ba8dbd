"""`teipress serve`'s WSGI application, called directly (no server, no port)."""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path

import pytest

from teipress.config import Config
from teipress.errors import InputError
from teipress.serve import content_type, make_app, serve


@pytest.fixture
def editions(tmp_path) -> Path:
    web = tmp_path / "web"
    (web / "tei").mkdir(parents=True)
    (web / "pagefind" / "fragment").mkdir(parents=True)
    (web / "sub").mkdir()
    (web / "index.html").write_text("<!DOCTYPE html><title>index</title>", "utf-8")
    (web / "sub" / "index.html").write_text("<!DOCTYPE html><title>sub</title>", "utf-8")
    (web / "tei" / "a.xml").write_text("<TEI/>", "utf-8")
    (web / "sitemap.xml").write_text("<urlset/>", "utf-8")
    (web / "pagefind" / "wasm.en.pagefind").write_bytes(b"\0asm")
    (web / "pagefind" / "pagefind.js").write_text("export {}", "utf-8")
    (web / "pagefind" / "fragment" / "en_1.pf_fragment").write_bytes(b"\x1f\x8b")
    (web / ".hidden").write_text("secret", "utf-8")
    (tmp_path / "secret.txt").write_text("outside the site", "utf-8")
    (web / "escape").symlink_to(tmp_path / "secret.txt")
    return tmp_path


def call(app, path: str, method: str = "GET", **environ) -> tuple[str, dict, bytes]:
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "wsgi.input": io.BytesIO(),
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "wsgi.url_scheme": "http", **environ}
    body = b"".join(app(env, start_response))
    return seen["status"], seen["headers"], body


def test_serves_the_site_with_exact_content_types(editions):
    app = make_app(editions, Config())
    status, headers, body = call(app, "/")
    assert status == "200 OK" and body.startswith(b"<!DOCTYPE html>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert call(app, "/tei/a.xml")[1]["Content-Type"] == "application/tei+xml"
    assert call(app, "/sitemap.xml")[1]["Content-Type"] == "application/xml"
    assert call(app, "/pagefind/pagefind.js")[1]["Content-Type"] == "text/javascript; charset=utf-8"
    assert call(app, "/pagefind/fragment/en_1.pf_fragment")[1]["Content-Type"] == "application/octet-stream"
    assert content_type("pagefind/wasm.en.pagefind") == "application/octet-stream"
    assert content_type("x.wasm") == "application/wasm"
    assert content_type("pagefind/pagefind.en_1.pf_meta") == "application/octet-stream"
    assert content_type("cite/a.bib").startswith("application/x-bibtex")


def test_folders_redirect_to_their_slash_and_serve_index(editions):
    app = make_app(editions, Config())
    status, headers, _ = call(app, "/sub")
    assert status.startswith("301") and headers["Location"] == "/sub/"
    assert call(app, "/sub/")[2].endswith(b"<title>sub</title>")


@pytest.mark.parametrize("path", ["/../secret.txt", "/sub/../../secret.txt", "/.hidden", "/escape",
                                  "/tei/%2e%2e/x", "/nothing.html", "/a\x00b", "/..%2fsecret.txt", "/C:\\x"])
def test_nothing_outside_the_site_is_served(editions, path):
    status, _, body = call(make_app(editions, Config()), path)
    assert status.startswith("404") and b"outside the site" not in body and b"secret" not in body


def test_only_get_and_head(editions):
    app = make_app(editions, Config())
    status, headers, _ = call(app, "/", method="POST")
    assert status.startswith("405") and headers["Allow"] == "GET, HEAD"
    status, headers, body = call(app, "/", method="HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 0


def test_etag_gives_not_modified(editions):
    app = make_app(editions, Config())
    etag = call(app, "/")[1]["ETag"]
    assert call(app, "/", HTTP_IF_NONE_MATCH=etag)[0].startswith("304")


def test_oai_app_is_mounted_at_oai(editions, monkeypatch):
    made = []

    def make_oai_app(editions_dir, config):
        made.append(editions_dir)

        def oai_app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}|{environ.get('QUERY_STRING', '')}".encode()]
        return oai_app

    monkeypatch.setitem(sys.modules, "teipress.oai", types.SimpleNamespace(make_app=make_oai_app))
    app = make_app(editions, Config())
    assert call(app, "/oai", QUERY_STRING="verb=Identify")[2] == b"/oai||verb=Identify"
    assert call(app, "/oai/x")[2] == b"/oai|/x|"
    assert call(app, "/oaix")[0].startswith("404")  # not the repository: a (missing) static file
    assert made == [editions]  # made once, at the first request


def test_serve_without_a_site_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no web edition"):
        serve(tmp_path, Config(), host="127.0.0.1", port=0, echo=lambda *a, **k: None)
