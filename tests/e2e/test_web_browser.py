"""The web edition as a reader meets it: built from the seeds, served on 127.0.0.1 by the
same WSGI app as `teipress serve` (waitress), opened in Debian's Chromium via Playwright.

Needs: Debian's `chromium` (apt-get install -y chromium), the `playwright` Python package
(never `playwright install`: the browser is Debian's), axe-core and vnu-jar installed with
`npm install --prefix $TEIPRESS_NPM` (default /opt/teipress-npm), and Java for vnu. Each test skips
without its tool locally and fails under TEIPRESS_STRICT=1 (CI). Screenshots go to
test-artifacts/web/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html

from conftest import CORPUS, ROOT, SEEDS, require, require_tool
from teipress.convert import convert_files
from teipress.config import Config
from teipress.serve import make_app
from teipress.writers.web import write_site

NPM = Path(os.environ.get("TEIPRESS_NPM", "/opt/teipress-npm")) / "node_modules"  # npm install --prefix TEIPRESS_NPM
AXE = NPM / "axe-core" / "axe.min.js"
VNU = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts" / "web"
HOSTILE = ROOT / "tests" / "fixtures" / "web" / "hostile.xml"
SEED_ID = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 360, "height": 740}
CONFIG = Config(title="Letters of the Cold War")


def quiet(*args, **kwargs):
    pass


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    """The seeds (and the shared corpus samples, when present) plus the hostile fixture, built with search."""
    target = tmp_path_factory.mktemp("edition")
    sources = [SEEDS] + ([CORPUS] if CORPUS.is_dir() else [])
    with pytest.MonkeyPatch.context() as patch:  # module fixtures run before conftest's epoch fixture
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        convert_files(sources, target / "tei", CONFIG, echo=quiet)
    shutil.copy(HOSTILE, target / "tei" / "hostile.xml")
    outcome = write_site(target, CONFIG, echo=quiet)
    assert not outcome.failed, outcome.failed
    return target


@pytest.fixture(scope="module")
def base_url(editions):
    import waitress

    server = waitress.create_server(make_app(editions, CONFIG), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def wait_until(page, script: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function evaluates a
    string with eval(), which the pages' Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)


def search_for(page, base_url: str, words: str) -> list[str]:
    page.goto(base_url + "search.html")
    page.fill("#q", words)
    page.press("#q", "Enter")
    wait_until(page, "document.getElementById('search-status').textContent.includes('match')")
    if not page.text_content("#search-status").startswith("No document"):
        wait_until(page, "document.querySelectorAll('#search-results li h2 a').length > 0")
    return page.eval_on_selector_all("#search-results li h2 a", "links => links.map(a => a.getAttribute('href'))")


def test_search_finds_a_word_of_the_seed(new_page, base_url):
    page = new_page()
    hrefs = search_for(page, base_url, "advisors")
    assert any(h.endswith(f"{SEED_ID}.html") for h in hrefs), hrefs
    assert page.eval_on_selector("#search-results mark", "m => m.textContent.toLowerCase()") == "advisors"
    # the result leads to the page, relative to where the site is published
    page.click(f"#search-results a[href$='{SEED_ID}.html']")
    page.wait_for_load_state()
    assert page.url == base_url + f"{SEED_ID}.html"


def test_search_folds_diacritics(new_page, base_url):
    hrefs = search_for(new_page(), base_url, "Bucuresti")
    assert any(h.endswith("hostile.html") for h in hrefs), hrefs


def test_a_facet_filters_the_list(new_page, base_url):
    page = new_page()
    page.goto(base_url + "index.html")
    total = page.locator("#doc-list tbody tr").count()
    page.wait_for_selector("#filters", state="visible")
    page.select_option("#f-type", "letter")
    types = page.eval_on_selector_all("#doc-list tbody tr td.c-type", "cells => cells.map(c => c.textContent)")
    assert types and set(types) == {"Letter"} and len(types) < total
    assert "type=letter" in page.url
    assert "match" in page.text_content("#filter-status")
    page.click("#filters button[type=reset]")
    wait_until(page, f"document.querySelectorAll('#doc-list tbody tr').length === {total}")
    # a link from a document's metadata (index.html?sender=...) opens the list filtered
    page.goto(base_url + "index.html?sender=" + "CC%20of%20the%20CPSU")
    wait_until(page, "document.querySelectorAll('#doc-list tbody tr').length === 1")
    assert page.input_value("#f-sender") == "CC of the CPSU"


def test_no_script_from_the_hostile_fixture_runs(new_page, base_url):
    page = new_page()
    dialogs, requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + "hostile.html")
    page.wait_for_load_state("networkidle")
    # give every element the events an injected handler would wait for
    page.evaluate("""() => {
        for (const el of document.querySelectorAll('body *')) {
            for (const type of ['mouseover', 'mouseenter', 'focus', 'load', 'error', 'animationstart']) {
                el.dispatchEvent(new Event(type));
            }
        }
    }""")
    for paragraph in page.locator(".reading p").all():
        paragraph.hover()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('[onclick], [onerror], [onload], [onmouseover]').length") == 0
    # and the Content-Security-Policy is in force: an inline script injected now does not run
    ran = page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true';
        document.body.appendChild(s);
        return window.__inlineRan === true;
    }""")
    assert ran is False
    assert all(url.startswith(base_url) for url in requests), [u for u in requests if not u.startswith(base_url)]


def test_no_request_leaves_the_site(new_page, base_url):
    page = new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    for name in ("index.html", f"{SEED_ID}.html", "about.html"):
        page.goto(base_url + name)
        page.wait_for_load_state("networkidle")
    search_for(page, base_url, "advisors")
    assert requests and all(url.startswith(base_url) for url in requests), \
        [u for u in requests if not u.startswith(base_url)]
    assert any("/pagefind/" in url for url in requests)


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_every_internal_link_resolves_on_the_served_site(base_url):
    queue, seen, checked = [base_url + "index.html"], set(), set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, body = _fetch(url)
        assert status == 200, url
        for element, attribute, link, _ in html.fromstring(body).iterlinks():
            rel = (element.get("rel") or "").split()
            if "canonical" in rel or "schema.DC" in rel or "external" in rel:
                continue
            target = urljoin(url, link).split("#")[0]
            assert target.startswith(base_url), (url, link)
            if target.split("?")[0].endswith(".html") or target.split("?")[0] == base_url:
                queue.append(target.split("?")[0])
            elif target not in checked:
                checked.add(target)
                assert _fetch(target)[0] == 200, (url, link)
    assert len(seen) >= 5 and any("tei/" in t for t in checked) and any("cite/" in t for t in checked)


def test_screenshots_at_desktop_and_phone_widths(new_page, base_url):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport=viewport)
        for name, stem in (("index.html", "index"), (f"{SEED_ID}.html", "seed")):
            page.goto(base_url + name)
            page.wait_for_load_state("networkidle")
            target = ARTIFACTS / f"{stem}-{label}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
            # usable at 360 px: nothing wider than the screen
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (name, label, width)


AXE_PAGES = ("index.html", f"{SEED_ID}.html", "about.html", "search.html?q=advisors")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_reports_no_violations(new_page, base_url, viewport):
    require(AXE.is_file(), f"axe-core is not installed at {AXE} (npm install --prefix /opt/teipress-npm axe-core@4)")
    # bypass_csp lets the test inject axe-core; the pages themselves are unchanged
    page = new_page(viewport=viewport, bypass_csp=True)
    for name in AXE_PAGES:
        page.goto(base_url + name)
        page.wait_for_load_state("networkidle")
        if name.startswith("search"):
            page.wait_for_selector("#search-results li")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => (await axe.run(document)).violations.map(
            v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))""")
        assert violations == [], f"{name}: {json.dumps(violations, indent=1)}"


def test_vnu_reports_no_errors(editions):
    java = require_tool("java")
    require(VNU.is_file(), f"vnu-jar is not installed at {VNU} (npm install --prefix /opt/teipress-npm vnu-jar)")
    pages = sorted(str(p) for p in (editions / "web").glob("*.html"))
    run = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{urlsplit(m.get('url', '')).path.rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert errors == [], "\n".join(errors)
    assert len(pages) >= 5
