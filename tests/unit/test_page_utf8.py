"""A document page written as UTF-8 part by part (web_pages.document_page_start_utf8) is
the page's text encoded whole, byte for byte; the frame's parts join to frame_start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT
from teipress.config import Config
from teipress.edition import reading
from teipress.writers import web_pages
from teipress.xmlio import safe_parser

CONFIG = Config(title="Letters · “Cold War” <edition> & more", publisher="Test Press",
                base_url="https://edition.example.org/letters")
TEI_FILES = sorted((ROOT / "tests" / "golden").glob("*/expected.xml")) + [ROOT / "tests" / "fixtures" / "web" / "hostile.xml"]
# a placeholder left unformatted (a part of the page written without its f)
PLACEHOLDER = re.compile(r"\{[a-z_]+(?:\[[^\]]*\])?\}")


def _doc(path: Path, has_pdf: bool, lang: str | None = None) -> dict:
    root = etree.parse(str(path), safe_parser()).getroot()
    if lang:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    doc = reading(root)
    return {"header": doc["header"], "body": doc["body"], "cite": doc["cite"], "has_pdf": has_pdf}


@pytest.mark.parametrize("has_pdf, lang", [(False, None), (True, None), (False, "ru")])
@pytest.mark.parametrize("path", TEI_FILES, ids=lambda p: p.parent.name if p.name == "expected.xml" else p.stem)
def test_the_page_in_utf8_parts_is_the_page_encoded(path: Path, has_pdf: bool, lang: str | None):
    doc = _doc(path, has_pdf, lang)
    page = web_pages.document_page_start(doc, CONFIG)
    assert web_pages.document_page_start_utf8(doc, CONFIG) == page.encode("utf-8")
    assert not PLACEHOLDER.search(page.replace(doc["cite"], "")), "a part of the page lost its f-string"


def test_a_page_not_in_english_keeps_the_interface_in_english():
    for path in TEI_FILES:
        page = web_pages.document_page_start(_doc(path, False, "ru"), CONFIG)
        assert page.startswith('<!DOCTYPE html>\n<html lang="ru">')
        assert '<div class="doc-side" lang="en">' in page
        assert '<h2 id="text-h" class="visually-hidden" lang="en" data-pagefind-ignore>Text</h2>' in page


@pytest.mark.parametrize("description", [None, "A <described> page"])
@pytest.mark.parametrize("head", ["", '<meta name="x" content="’">'])
def test_frame_start_is_its_lines_joined(description, head):
    scripts = ("assets/catalogue.js",)
    top, bottom = web_pages._frame_parts(CONFIG, "index", "de")
    lines = [top, "<title>A &lt;title&gt; · ’</title>", f'<meta name="generator" content="teipress {web_pages.__version__}">']
    if description:
        lines.append('<meta name="description" content="A &lt;described&gt; page">')
    lines += ['<link rel="canonical" href="https://edition.example.org/letters/">',
              '<link rel="stylesheet" href="assets/edition.css">',
              '<link rel="icon" href="assets/icon.svg" type="image/svg+xml">',
              '<script src="assets/catalogue.js" defer></script>', '<script src="assets/edition.js" defer></script>']
    if head:
        lines.append(head)
    lines.append(bottom)
    assert web_pages.frame_start(config=CONFIG, title="A <title> · ’", page="index", lang="de", head=head,
                                 canonical="https://edition.example.org/letters/", description=description,
                                 scripts=scripts) == "\n".join(lines)
