"""The web edition: pages, metadata for machines, escaping, links, rebuilds.

Assertions are XPath on the HTML parsed with lxml.html. The site is built once per module
from the seed letter and the hostile fixture (tests/fixtures/web/hostile.xml), without the
Pagefind index (that has its own test below).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html

from conftest import ROOT, SEEDS
from teipress.convert import convert_files
from teipress.config import Config
from teipress.edition import BEHAVIOURS, how_to_cite, reading
from teipress.writers import web, web_pages
from teipress.writers.web_text import _INLINE
from teipress.xmlio import safe_parser

HOSTILE = ROOT / "tests" / "fixtures" / "web" / "hostile.xml"
SEED_ID = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
CONFIG = Config(title="Letters of the Cold War", publisher="Test Press", base_url="https://edition.example.org/letters")


def quiet(*args, **kwargs):
    pass


def make_editions(target: Path) -> Path:
    """EDITIONS_DIR with tei/ (the seed converted, the hostile fixture) and a PDF for the seed."""
    with pytest.MonkeyPatch.context() as patch:  # module fixtures run before conftest's epoch fixture
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        convert_files([SEEDS], target / "tei", CONFIG, echo=quiet)
    shutil.copy(HOSTILE, target / "tei" / "hostile.xml")
    (target / "print").mkdir()
    (target / "print" / f"{SEED_ID}.pdf").write_bytes(b"%PDF-1.7\n% a stand-in\n")
    return target


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    editions = make_editions(tmp_path_factory.mktemp("editions"))
    outcome = web.write_site(editions, CONFIG, echo=quiet, search=False)
    assert not outcome.failed
    return editions / "web"


def page(site: Path, name: str) -> html.HtmlElement:
    return html.fromstring((site / name).read_bytes())


def meta(tree: html.HtmlElement, name: str) -> list[str]:
    return tree.xpath("//head/meta[@name=$n]/@content", n=name)


# ---------------------------------------------------------------------------
# the document page


def test_document_page_has_the_reading_text(site):
    tree = page(site, f"{SEED_ID}.html")
    assert tree.xpath("string(//h1)").startswith("Letter addressed by the CC of the CPSU")
    assert tree.xpath("normalize-space(//div[@class='opener']/p[contains(@class, 'salute')])") == "Dear Comrades,"
    paragraphs = tree.xpath("//section[@class='reading']//p[@class='para']")
    assert [p.get("id") for p in paragraphs] == [f"p{n}" for n in range(1, 10)]
    # paragraph numbers are permalinks to their paragraph
    assert [p.xpath("string(a[@class='pnum']/@href)") for p in paragraphs] == [f"#p{n}" for n in range(1, 10)]
    assert tree.xpath("normalize-space(//div[@class='closer']/p[contains(@class, 'signed')])") \
        == "The Central Committee of the CPSU"
    assert tree.xpath("//div[@class='closer']/p[contains(@class, 'dateline')]/time/@datetime") == ["1958-09-09"]


def test_document_head_carries_dublin_core_highwire_and_json_ld(site):
    tree = page(site, f"{SEED_ID}.html")
    url = f"https://edition.example.org/letters/{SEED_ID}.html"
    assert tree.xpath("/html/@lang") == ["en"]
    assert tree.xpath("//head/link[@rel='canonical']/@href") == [url]
    assert tree.xpath("//head/link[@rel='alternate'][@type='application/tei+xml']/@href") == [f"tei/{SEED_ID}.xml"]
    assert meta(tree, "DC.title") == meta(tree, "citation_title") == [tree.xpath("string(//h1)")]
    assert meta(tree, "DC.date") == ["1958-09-09"]
    assert meta(tree, "citation_date") == ["1958/09/09"]
    assert meta(tree, "DC.creator") == meta(tree, "citation_author") == ["CC of the CPSU"]
    assert "Central Historical National Archives" in meta(tree, "DC.source")[0]
    assert meta(tree, "DC.rights") and meta(tree, "DC.language") == meta(tree, "citation_language") == ["en"]
    assert url in meta(tree, "DC.identifier")
    assert meta(tree, "citation_publisher") == ["Test Press"]  # from the TEI's publicationStmt
    assert meta(tree, "citation_pdf_url") == [f"https://edition.example.org/letters/pdf/{SEED_ID}.pdf"]
    data = json.loads(tree.xpath("string(//script[@type='application/ld+json'])"))
    assert data["@type"] == "Message" and data["url"] == url and data["dateCreated"] == "1958-09-09"
    assert [s["name"] for s in data["sender"]] == ["CC of the CPSU"]
    assert [r["name"] for r in data["recipient"]] == ["CC of the RWP"]


def test_metadata_panel_shows_every_header_field(site):
    tree = page(site, f"{SEED_ID}.html")
    details = {dt.text: [dd.text_content() for dd in dt.itersiblings("dd")]
               for dt in tree.xpath("//section[contains(@class, 'details')]//dt")}
    assert details["Repository"] == ["Central Historical National Archives"]
    assert details["Collection"] == ["Fund CC of the RCP - Foreign Relations Section"]
    assert details["Call number"] == ["File 6/1955"]
    assert details["Pages"] == ["pp. 719-720"]
    assert details["Translation"] == ["Delia Razdolescu"]
    assert details["Place"] == ["Bucharest, Romania"]
    assert len(details["Rights"]) == 2 and "Licence" in details
    assert details["From"] == ["CC of the CPSU"] and details["To"] == ["CC of the RWP"]
    assert "Provenance" in details and "Identifier" in details


def test_how_to_cite_and_downloads(site):
    tree = page(site, f"{SEED_ID}.html")
    root = etree.parse(str(site.parent / "tei" / f"{SEED_ID}.xml"), safe_parser()).getroot()
    assert tree.xpath("string(//p[@id='citation-text'])") == how_to_cite(reading(root)["header"])
    hrefs = tree.xpath("//section[@id='cite']//a/@href") + tree.xpath("//section[contains(@class, 'downloads')]//a/@href")
    assert hrefs == [f"cite/{SEED_ID}.bib", f"cite/{SEED_ID}.ris", f"tei/{SEED_ID}.xml", f"pdf/{SEED_ID}.pdf"]
    # the downloads are inside web/, byte for byte the editions' files
    assert (site / "tei" / f"{SEED_ID}.xml").read_bytes() == (site.parent / "tei" / f"{SEED_ID}.xml").read_bytes()
    assert (site / "pdf" / f"{SEED_ID}.pdf").read_bytes() == (site.parent / "print" / f"{SEED_ID}.pdf").read_bytes()
    bib = (site / "cite" / f"{SEED_ID}.bib").read_text("utf-8")
    assert bib.startswith(f"@misc{{{SEED_ID},") and bib.count("{") == bib.count("}")
    assert "author = {{CC of the CPSU}}" in bib and "date = {1958-09-09}" in bib
    ris = (site / "cite" / f"{SEED_ID}.ris").read_bytes().decode("utf-8").split("\r\n")
    assert ris[0] == "TY  - PCOMM" and "ER  - " in ris and "DA  - 1958/09/09/" in ris
    assert "AU  - CC of the CPSU" in ris and "A2  - CC of the RWP" in ris


def test_prev_next_by_date(site):
    tree = page(site, f"{SEED_ID}.html")  # 1958, after the hostile letter of 1960? no: before it
    assert tree.xpath("//nav[@class='prevnext']/a[@rel='next']/@href") == ["hostile.html"]
    assert tree.xpath("//nav[@class='prevnext']/a[@rel='prev']") == []
    hostile = page(site, "hostile.html")
    assert hostile.xpath("//nav[@class='prevnext']/a[@rel='prev']/@href") == [f"{SEED_ID}.html"]


def test_render_document_gives_the_page_write_site_wrote(site):
    """The orchestrator's way (render_document per document) and write_site's agree byte for byte."""
    docs = {}
    for path in sorted((site.parent / "tei").glob("*.xml")):
        docs[path.stem] = reading(etree.parse(str(path), safe_parser()).getroot())
        docs[path.stem]["has_pdf"] = (site.parent / "print" / f"{path.stem}.pdf").exists()
    navs = web.neighbours([web.web_entry(d["header"], d["has_pdf"]) for d in docs.values()])
    for doc_id, doc in docs.items():
        assert web.render_document(doc, navs[doc_id], CONFIG) == (site / f"{doc_id}.html").read_bytes()


def test_csp_allows_wasm_and_nothing_inline(site):
    for name in ("index.html", f"{SEED_ID}.html", "search.html", "about.html"):
        csp = page(site, name).xpath("string(//meta[@http-equiv='Content-Security-Policy']/@content)")
        assert "script-src 'self' 'wasm-unsafe-eval'" in csp
        assert "unsafe-inline" not in csp and "default-src 'self'" in csp


def test_accessibility_landmarks_on_every_page(site):
    for name in ("index.html", f"{SEED_ID}.html", "search.html", "about.html"):
        tree = page(site, name)
        assert tree.xpath("(//body/a)[1]/@href") == ["#main"]  # the skip link comes first
        assert len(tree.xpath("//main[@id='main']")) == 1
        assert tree.xpath("//header[@class='site-header']//nav/@aria-label") == ["Site"]
        assert len(tree.xpath("//h1")) == 1
        for control in tree.xpath("//input[not(@type='hidden')] | //select"):
            assert tree.xpath("//label[@for=$id]", id=control.get("id")), control.get("id")


# ---------------------------------------------------------------------------
# safety: the hostile fixture


def test_hostile_text_is_escaped_everywhere(site):
    tree = page(site, "hostile.html")
    # nothing that can run: no event handlers, no inline scripts, no foreign elements
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []
    assert tree.xpath("//@style") == []
    scripts = tree.xpath("//script")
    assert [s.get("src") for s in scripts if s.get("type") != "application/ld+json"] == ["assets/edition.js"]
    assert all(not (s.text or "").strip() for s in scripts if s.get("src"))
    assert tree.xpath("//body//iframe | //body//img | //body//svg | //body//object | //body//embed") == []
    # the markup in the TEI's text is shown as text
    assert tree.xpath("string(//h1)") == 'Hostile <script>alert("title")</script> letter from Bucureşti'
    assert "<svg onload=alert('recipient')>" in tree.xpath("string(//p[@class='correspondents'])")
    assert "</p><script>alert('text')</script>" in tree.xpath("string(//p[@id='p2'])")
    assert "alert('html-script')" in tree.xpath("string(//p[@id='p1'])")
    data = json.loads(tree.xpath("string(//script[@type='application/ld+json'])"))
    assert data["name"] == 'Hostile <script>alert("title")</script> letter from Bucureşti'
    # attribute values from the TEI never leave their attribute
    assert all(re.fullmatch(r"[a-z0-9 -]*", c) for c in tree.xpath("//body//@class")), tree.xpath("//body//@class")
    assert all(re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", v) for v in tree.xpath("//@lang"))


def test_only_http_relative_and_fragment_links_from_tei_pointers(site):
    tree = page(site, "hostile.html")
    hrefs = tree.xpath("//@href | //@src | //@action")
    for href in hrefs:
        scheme = urlsplit(href).scheme
        assert scheme in ("", "http", "https"), href
        assert not href.startswith("//"), href
    text_links = tree.xpath("//section[@class='reading']//p[@id='p1']/a[not(@class)]/@href")
    assert text_links == ["https://example.org/fine", "#p2"]  # the others are plain text
    assert tree.xpath("normalize-space(//p[@id='p1']/span[@class='link'][1])") == "a script link"


def test_hostile_metadata_and_citation_files(site):
    bib = (site / "cite" / "hostile.bib").read_text("utf-8")
    assert bib.count("{") - bib.count("\\{") == bib.count("}") - bib.count("\\}")
    ris = (site / "cite" / "hostile.ris").read_bytes().decode("utf-8")
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in ris.split("\r\n") if line)


# ---------------------------------------------------------------------------
# the collection pages


def test_index_lists_every_document_sorted_by_date(site):
    tree = page(site, "index.html")
    rows = tree.xpath("//table[@id='doc-list']/tbody/tr")
    assert [r.xpath("string(td[@class='c-title']/a/@href)") for r in rows] == [f"{SEED_ID}.html", "hostile.html"]
    assert [r.xpath("string(td[@class='c-date']/time/@datetime)") for r in rows] == ["1958-09-09", "1960-01-02"]
    first = rows[0]
    assert first.xpath("normalize-space(td[@class='c-corr'])") == "CC of the CPSU → to CC of the RWP"
    assert first.xpath("string(td[@class='c-type'])") == "Letter"
    assert first.xpath("string(td[@class='c-archive'])") == "Central Historical National Archives"
    assert first.get("id") == "y1958"
    # the filters exist for the script, hidden without it
    assert tree.xpath("//form[@id='filters']/@hidden") == [""]
    assert tree.xpath("//form[@id='filters']//select/@name") == ["type", "sender", "recipient", "year", "archive"]


def test_catalogue_holds_the_facets(site):
    text = (site / "assets" / "catalogue.js").read_text("ascii")
    data = json.loads(text[text.index("{"):text.rindex("}") + 1])
    rows = [dict(zip(data["fields"], row)) for row in data["rows"]]
    assert [r["id"] for r in rows] == [SEED_ID, "hostile"]
    assert rows[0]["senders"] == ["CC of the CPSU"] and rows[0]["year"] == "1958" and rows[0]["type"] == "letter"


def test_index_pages_together_are_the_whole_sorted_list(tmp_path, monkeypatch):
    monkeypatch.setattr(web_pages, "PAGE_SIZE", 1)
    editions = make_editions(tmp_path)
    web.write_site(editions, CONFIG, echo=quiet, search=False)
    site = editions / "web"
    names = ["index.html", "index-2.html"]
    assert sorted(p.name for p in site.glob("index*.html")) == sorted(names)
    rows = []
    for name in names:
        tree = page(site, name)
        assert tree.xpath("//nav[starts-with(@aria-label, 'Pages')][1]//a/@href") == names
        rows += tree.xpath("//table[@id='doc-list']/tbody/tr/td[@class='c-title']/a/@href")
    assert rows == [f"{SEED_ID}.html", "hostile.html"]
    # the years link to the page where each year starts
    assert page(site, "index-2.html").xpath("//nav[@class='years']//a/@href") == ["index.html#y1958",
                                                                                  "index-2.html#y1960"]


def test_about_page_reads_the_encoding_description(site):
    tree = page(site, "about.html")
    assert "converted from the archive's plain-text exports" in tree.xpath("string(//p[@class='lede'])")
    assert tree.xpath("//section[@aria-labelledby='principles-h']/h3/text()") == [
        "Normalisation", "Quotation", "Segmentation", "Interpretation"]
    facts = {dt.text: dt.getnext().text_content() for dt in tree.xpath("//dl[@class='facts']//dt")}
    assert facts["Title"] == "Letters of the Cold War" and facts["Documents"] == "2"
    assert facts["Licence of the edition"] == CONFIG.licence
    signs = tree.xpath("//table[@class='signs']/tbody/tr/td[@class='sign']/text()")
    assert "[text]" in signs and "[...]" in signs


def test_search_page_has_a_labelled_input(site):
    tree = page(site, "search.html")
    assert tree.xpath("//form[@role='search']/label[@for='q']/text()")
    assert tree.xpath("//input[@id='q']/@type") == ["search"]
    assert tree.xpath("//noscript//a/@href") == ["index.html"]


def test_sitemap_and_robots(site):
    sitemap = etree.parse(str(site / "sitemap.xml"), safe_parser())
    locs = sitemap.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    base = "https://edition.example.org/letters/"
    # the edition's own pages, the documents in index order, then the name pages
    assert locs == [base, base + "about.html", base + "search.html", f"{base}{SEED_ID}.html", base + "hostile.html",
                    base + "people.html", base + "organisations.html", base + "places.html"]
    robots = (site / "robots.txt").read_text("utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()


def _internal_links(site: Path):
    for path in sorted(site.glob("*.html")):
        tree = html.fromstring(path.read_bytes())
        for element, attribute, link, _ in tree.iterlinks():
            rel = element.get("rel") or ""
            if rel in ("canonical", "schema.DC") or "external" in rel.split():
                continue
            yield path, link


def test_links_are_relative_and_every_internal_link_resolves(site):
    checked = 0
    for path, link in _internal_links(site):
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc and not parts.path.startswith("/"), (path.name, link)
        target = (site / unquote(parts.path)) if parts.path else path
        assert target.is_file(), (path.name, link)
        if parts.fragment and target.suffix == ".html":
            ids = html.fromstring(target.read_bytes()).xpath("//@id")
            assert parts.fragment in ids, (path.name, link)
        checked += 1
    assert checked > 50


def test_every_behaviour_of_the_shared_table_has_a_renderer():
    inline = {behaviour for behaviour, _, _ in BEHAVIOURS.values()} - {
        "section", "heading", "group", "paragraph", "line", "list", "item", "table", "row", "cell"}
    assert inline <= set(_INLINE) | {"emphasis"}, inline - set(_INLINE)


# ---------------------------------------------------------------------------
# rebuilds and failures


def test_rebuild_gives_the_same_bytes_and_rewrites_nothing(tmp_path, monkeypatch):
    one, two = make_editions(tmp_path / "one"), make_editions(tmp_path / "two")
    web.write_site(one, CONFIG, echo=quiet, search=False, jobs=1)
    monkeypatch.setattr(web, "PARALLEL_FROM", 0)  # the same site from two worker processes
    web.write_site(two, CONFIG, echo=quiet, search=False, jobs=2)
    files = sorted(p.relative_to(one / "web") for p in (one / "web").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two / "web") for p in (two / "web").rglob("*") if p.is_file())
    for name in files:
        assert (one / "web" / name).read_bytes() == (two / "web" / name).read_bytes(), name
    again = web.write_site(one, CONFIG, echo=quiet, search=False)
    assert again.written == [] and sorted(again.unchanged) == sorted([SEED_ID, "hostile"])


def test_removed_documents_leave_the_site(tmp_path):
    editions = make_editions(tmp_path)
    web.write_site(editions, CONFIG, echo=quiet, search=False)
    (editions / "tei" / "hostile.xml").unlink()
    web.write_site(editions, CONFIG, echo=quiet, search=False)
    site = editions / "web"
    assert not (site / "hostile.html").exists() and not (site / "tei" / "hostile.xml").exists()
    assert not (site / "cite" / "hostile.bib").exists()
    assert (site / f"{SEED_ID}.html").exists()
    # a PDF that is gone from print/ is gone from the site and from the page
    (editions / "print" / f"{SEED_ID}.pdf").unlink()
    web.write_site(editions, CONFIG, echo=quiet, search=False)
    assert not (site / "pdf" / f"{SEED_ID}.pdf").exists()
    assert page(site, f"{SEED_ID}.html").xpath("//a[contains(@href, '.pdf')] | //meta[@name='citation_pdf_url']") == []


def test_a_broken_tei_fails_alone_with_its_line(tmp_path):
    editions = make_editions(tmp_path)
    (editions / "tei" / "broken.xml").write_text('<?xml version="1.0"?>\n<TEI>\n<oops></TEI>\n', "utf-8")
    text = HOSTILE.read_text("utf-8").replace('xml:id="hostile"', 'xml:id="other"')
    (editions / "tei" / "renamed.xml").write_text(text, "utf-8")
    messages = []
    outcome = web.write_site(editions, CONFIG, echo=lambda m, **k: messages.append(m), search=False)
    failed = dict(outcome.failed)
    assert set(failed) == {str(editions / "tei" / "broken.xml"), str(editions / "tei" / "renamed.xml")}
    assert re.match(r".*broken\.xml:3: render error: not well-formed XML", failed[str(editions / "tei" / "broken.xml")])
    assert "differs from the file name" in failed[str(editions / "tei" / "renamed.xml")]
    assert sorted(outcome.written) == sorted([SEED_ID, "hostile"])


def test_no_tei_folder_is_an_input_error(tmp_path):
    from teipress.errors import InputError

    with pytest.raises(InputError, match="no TEI folder"):
        web.write_site(tmp_path, CONFIG, echo=quiet)


# ---------------------------------------------------------------------------
# search index


def test_search_index_is_built_with_pagefind_and_is_reproducible(tmp_path):
    try:
        web.pagefind_executable()
    except Exception as error:  # the binary comes with the pagefind[bin] dependency
        pytest.fail(f"Pagefind is missing: {error}")
    editions = make_editions(tmp_path)
    web.write_site(editions, CONFIG, echo=quiet)
    entry = json.loads((editions / "web" / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert entry["languages"]["en"]["page_count"] == 2  # the document pages only, one language
    first = {p.relative_to(editions / "web"): p.read_bytes() for p in (editions / "web" / "pagefind").rglob("*")
             if p.is_file()}
    web.index_search(editions / "web")
    second = {p.relative_to(editions / "web"): p.read_bytes() for p in (editions / "web" / "pagefind").rglob("*")
              if p.is_file()}
    assert first == second
    assert not [p for p in (editions / "web").iterdir() if p.name.startswith(".pagefind-")]


def test_page_ids_are_unique_even_when_tei_ids_clash_with_the_page():
    from teipress.writers.web_text import TextContext, blocks_html, notes_html

    blocks = [
        {"kind": "paragraph", "n": 1, "id": "d-main", "c": [{"t": "text", "text": "a"}]},
        {"kind": "paragraph", "n": 2, "id": "d-n1-ref", "c": [
            {"t": "note", "n": "1", "id": "d-n1", "c": [{"t": "text", "text": "note"}]},
            {"t": "link", "href": "#d-main", "c": [{"t": "text", "text": "back"}]}]},
        {"kind": "paragraph", "n": 3, "id": "d-p3", "c": [{"t": "note", "n": None, "id": None, "c": []}]},
    ]
    ctx = TextContext("d", blocks)
    tree = html.fromstring(f"<div>{blocks_html(blocks, ctx)}{notes_html(ctx)}</div>")
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)) and "main" not in ids
    # links inside the text follow the renamed anchors
    for href in tree.xpath("//a/@href"):
        assert href[1:] in ids, href


def test_every_page_has_unique_ids(site):
    for path in site.glob("*.html"):
        ids = html.fromstring(path.read_bytes()).xpath("//@id")
        assert len(ids) == len(set(ids)), path.name
