"""The pages of the web edition as HTML strings: the shared frame, a document page, the
index (paged), the about page and the search page.

Links are relative (every page sits at the site root), text is escaped with esc(), and
nothing loads from outside the site: the Content-Security-Policy below says so to the
browser too. Pagefind runs WebAssembly, which needs 'wasm-unsafe-eval' in script-src.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote

from teipress import __version__
from teipress.config import Config
from teipress.edition import BEHAVIOURS, safe_href
from teipress.writers.web_meta import base_url, document_urls, head_metadata, rights_text
from teipress.writers.web_text import ISO_DATE, entity_page, esc, lang_attr, notes_html, text_html

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'")
PAGE_SIZE = 500  # rows per index page: about 300 kB of HTML, quick on a phone
NAV_MARKER = "<!--teipress:prevnext-->"
EDITORIAL_PARTS = {"normalization": "Normalisation", "quotation": "Quotation", "segmentation": "Segmentation",
                 "interpretation": "Interpretation", "hyphenation": "Hyphenation", "correction": "Correction",
                 "stdVals": "Standard values", "punctuation": "Punctuation"}


# ---------------------------------------------------------------------------
# the frame every page shares


def _current(flag: bool) -> str:
    return ' aria-current="page"' if flag else ""


def frame(*, config: Config, title: str, page: str, main: str, lang: str = "en", head: str = "",
          canonical: str | None = None, description: str | None = None, scripts: tuple[str, ...] = ()) -> str:
    """A whole page: head (CSP, styles, metadata), skip link, header, main, footer."""
    return (frame_start(config=config, title=title, page=page, lang=lang, head=head, canonical=canonical,
                        description=description, scripts=scripts)
            + main + frame_end(config, lang))


def frame_start(*, config: Config, title: str, page: str, lang: str = "en", head: str = "",
                canonical: str | None = None, description: str | None = None, scripts: tuple[str, ...] = ()) -> str:
    """A page up to its main content: head, skip link, header, and the opening of main."""
    return "".join(_frame_start_parts(config=config, title=title, page=page, lang=lang, head=head,
                                      canonical=canonical, description=description, scripts=scripts))


def _frame_start_parts(*, config: Config, title: str, page: str, lang: str, head: str, canonical: str | None,
                       description: str | None, scripts: tuple[str, ...]) -> list[str]:
    """frame_start in parts: the lines before the title, the title and the links, the head's
    own lines, the rest (see _utf8 for why a page is kept in parts)."""
    top, bottom = _frame_parts(config, page, lang)
    lines = [f"<title>{esc(title)}</title>", f'<meta name="generator" content="teipress {esc(__version__)}">']
    if description:
        lines.append(f'<meta name="description" content="{esc(description)}">')
    if canonical:
        lines.append(f'<link rel="canonical" href="{esc(canonical)}">')
    lines += ['<link rel="stylesheet" href="assets/edition.css">',
              '<link rel="icon" href="assets/icon.svg" type="image/svg+xml">']
    lines += [f'<script src="{src}" defer></script>' for src in scripts]
    lines.append('<script src="assets/edition.js" defer></script>')
    return [top, "\n", "\n".join(lines), "\n", f"{head}\n" if head else "", bottom]


@lru_cache(maxsize=32)
def _frame_parts(config: Config, page: str, lang: str) -> tuple[str, str]:
    """The lines of frame_start before the title and after the head: they depend on the
    edition, the kind of page and its language only (made once, not once a page)."""
    chrome = "" if lang == "en" else ' lang="en"'  # the interface speaks English whatever the text does
    nav = "".join(
        f'<li><a href="{href}"{_current(key == page)}>{label}</a></li>'
        for key, href, label in (("index", "index.html", "Documents"), ("names", "people.html", "Names"),
                                 ("search", "search.html", "Search"), ("about", "about.html", "About")))
    search_box = "" if page == "search" else (
        '<form class="site-search" role="search" action="search.html" method="get">'
        '<label for="site-q" class="visually-hidden">Search the edition</label>'
        '<input id="site-q" name="q" type="search" placeholder="Search the letters" autocomplete="off">'
        '<button type="submit">Search</button></form>')
    top = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
    ]
    bottom = [
        "</head>",
        f'<body class="page-{page}" data-page="{page}">',
        f'<a class="skip-link" href="#main"{chrome}>Skip to the content</a>',
        f'<header class="site-header"{chrome}><div class="wrap header-inner">'
        f'<a class="site-title" href="index.html">{esc(config.title)}</a>'
        f'<nav class="site-nav" aria-label="Site"><ul>{nav}</ul></nav>{search_box}</div></header>',
        '<main id="main" tabindex="-1"><div class="wrap">',
    ]
    return "\n".join(top), "\n".join(bottom)


def frame_end(config: Config, lang: str = "en") -> str:
    """A page after its main content: the footer and the end of the document. It depends on
    the edition and on whether the page's language is English only, so a build can add the
    end of a document page without reading the page (build._finish_pages)."""
    chrome = "" if lang == "en" else ' lang="en"'
    return ("</div></main>\n"
            f'<footer class="site-footer"{chrome}><div class="wrap">'
            f'<p>{esc(config.title)} · published by {esc(config.publisher)} · '
            f'<a href="{esc(config.licence_url)}" rel="license external noopener noreferrer">{esc(config.licence)}</a></p>'
            f'<p>Made with teipress {esc(__version__)} from TEI P5 sources. '
            f'<a href="about.html">About this edition</a> · <a href="sitemap.xml">Sitemap</a></p>'
            "</div></footer>\n</body>\n</html>\n")


# ---------------------------------------------------------------------------
# shared bits of the lists


def type_label(entry: dict) -> str:
    raw = entry.get("type_label") or entry.get("type") or ""
    text = raw.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def date_label(entry: dict) -> str:
    date = entry.get("date")
    if not date:
        return "Undated"
    return date.get("text") or date.get("iso") or "Undated"


def time_html(entry: dict, attrs: str = "") -> str:
    date = entry.get("date")
    iso = date.get("iso") if date else None
    if iso and ISO_DATE.fullmatch(iso):
        return f'<time datetime="{esc(iso)}"{attrs}>{esc(date_label(entry))}</time>'
    return f"<span{attrs}>{esc(date_label(entry))}</span>"


def archive_label(entry: dict) -> str:
    for archive in entry.get("archives") or []:
        if archive.get("repository"):
            return archive["repository"]
    return ""


def people(entry: dict, key: str) -> str:
    return ", ".join(p["name"] for p in entry.get(key) or [] if p.get("name"))


def correspondents_html(entry: dict) -> str:
    senders, recipients = people(entry, "senders"), people(entry, "recipients")
    if not senders and not recipients:
        return ""
    return (f'<span class="from">{esc(senders or "Unknown")}</span> <span class="arrow" aria-hidden="true">→</span>'
            f'<span class="visually-hidden" data-pagefind-ignore> to </span> <span class="to">{esc(recipients or "Unknown")}</span>')


def sort_key(entry: dict) -> tuple:
    """By date (undated last), then title, then id: the order of the index and of prev/next."""
    iso = (entry.get("date") or {}).get("iso") or ""
    return (0 if iso else 1, iso, entry.get("title") or "", entry.get("id") or "")


def order_text(entry: dict) -> str:
    """sort_key as one text that sorts the same way, for a database's ORDER BY: the parts
    joined by a character no part can hold (XML text has no U+0001), which sorts before
    every other, so a part that is the start of another sorts first, as in a tuple."""
    return "\x01".join(map(str, sort_key(entry)))


def order_year(order: str) -> str:
    """The year (as _years gives it) of the entry an order_text was made of."""
    iso = order.split("\x01")[1]
    return iso[:4] if iso[:4].isdigit() else "undated"


# ---------------------------------------------------------------------------
# document page


def _dl(rows: list[tuple[str, str]]) -> str:
    """A description list from (label HTML, the row's <dd> elements); rows without any are left out."""
    html = "<dl>"
    for label, cells in rows:  # (loops, not comprehensions: this runs for every page)
        if cells:
            html += f"<div><dt>{label}</dt>{cells}</div>"
    return html + "</dl>"


def _dd(values: Iterable[str]) -> str:
    """<dd> elements of the values (HTML) that are not empty."""
    cells = ""
    for value in values:
        if value:
            cells += f"<dd>{value}</dd>"
    return cells


def _text_dd(text: str | None) -> str:
    """A <dd> element of a text, if it is not empty."""
    return f"<dd>{esc(text)}</dd>" if text else ""


def _texts_dd(texts: Iterable[str | None]) -> str:
    """<dd> elements of the texts that are not empty."""
    cells = ""
    for text in texts:
        if text:
            cells += f"<dd>{esc(text)}</dd>"
    return cells


@lru_cache(maxsize=1024)  # the same correspondents and types, page after page (quote() is slow)
def _facet_link(facet: str, value: str, label: str | None = None) -> str:
    """A link to the index filtered by this value (the filters read the query string)."""
    return f'<a href="index.html?{facet}={quote(value, safe="")}">{esc(label or value)}</a>'


def _archive_rows(archives: list[dict]) -> list[tuple[str, str]]:
    """The first archive field by field; copies held elsewhere one line each."""
    if not archives:
        return []
    first = archives[0]
    copies = [", ".join(v for v in (a["repository"], a["settlement"], a["country"], a["collection"], a["idno"],
                                    a["locus"]) if v) for a in archives[1:]]
    return [("Repository", _text_dd(first["repository"])),
            ("Place", _text_dd(", ".join(v for v in (first["settlement"], first["country"]) if v))),
            ("Collection", _text_dd(first["collection"])), ("Call number", _text_dd(first["idno"])),
            ("Pages", _text_dd(first["locus"])), ("Also held", _texts_dd(copies))]


def _url_html(url: str) -> str:
    href = safe_href(url)
    if href and href.startswith(("http://", "https://")):
        return f'<a href="{esc(href)}" rel="external noopener noreferrer">{esc(url)}</a>'
    return esc(url)


def details_html(fields: dict) -> str:
    """Every header field, labelled: the metadata panel of a document page."""
    date = fields["date"]
    conv = fields["conversion"]
    conversion = ""
    if conv["version"] or conv["when"]:
        conversion = (f"Converted to TEI by teipress {esc(conv['version'])}"
                      + (f" on {esc(conv['when'])}" if conv["when"] else "")
                      + (f" from <span class=\"mono\">{esc(conv['source_file'])}</span>" if conv["source_file"] else "")
                      + (f' (SHA-256 <span class="mono hash">{esc(conv["sha256"])}</span>)' if conv["sha256"] else "")
                      + ".")
    authors = [a for a in fields["authors"] if a not in [p["name"] for p in fields["senders"]]]
    licence = ""
    if fields["licence"]:
        licence = esc(fields["licence"]["text"])
        if fields["licence"]["url"] and fields["licence"]["url"].startswith(("http://", "https://")):
            licence = (f'<a href="{esc(fields["licence"]["url"])}" rel="license external noopener noreferrer">'
                       f"{licence}</a>")
    # (labels as HTML: the fixed ones need no escaping)
    rows: list[tuple[str, str]] = [
        ("Date", _text_dd(date["text"] or date["iso"]) if date else ""),
        ("From", _dd([_facet_link("sender", p["name"]) for p in fields["senders"]])),
        ("To", _dd([_facet_link("recipient", p["name"]) for p in fields["recipients"]])),
        ("Via", _texts_dd([p["name"] for p in fields["via"]])),
        ("Place", _text_dd(fields["place_sent"])),
        ("Author", _texts_dd(authors)),
        ("Type", f"<dd>{_facet_link('type', fields['type'], type_label(fields))}</dd>" if fields["type"] else ""),
        ("Language", _texts_dd([lang["name"] or lang["ident"] for lang in fields["languages"]])),
        *_archive_rows(fields["archives"]),
        ("Printed in", _texts_dd(fields["printed"])),
        ("Source citation", _text_dd(fields["citation"])),
        (esc(fields["translation"] or "Translation"), _texts_dd(fields["translators"])),
        ("Funding", _texts_dd(fields["funders"])),
        ("Record ID", _text_dd(fields["record_id"])),
        ("Permanent address", f"<dd>{_url_html(fields['url'])}</dd>" if fields["url"] else ""),
        ("Uploaded", _text_dd(fields["uploaded"]["text"] or fields["uploaded"]["iso"]) if fields["uploaded"] else ""),
        *[(esc(key.replace("-", " ").capitalize()), _text_dd(", ".join(values)))
          for key, values in fields["keywords"].items()],
        ("Related", _texts_dd(fields["related"])),
        ("Rights", _texts_dd(fields["rights"])),
        ("Licence", f"<dd>{licence}</dd>" if licence else ""),
        ("Published by", _text_dd(fields["publisher"])),
        ("Edition address", f"<dd>{_url_html(fields['edition_url'])}</dd>" if fields["edition_url"] else ""),
        ("Identifier", f'<dd><span class="mono">{esc(fields["id"])}</span></dd>'),
        ("Provenance", f"<dd>{conversion}</dd>" if conversion else ""),
    ]
    return _dl(rows)


def prevnext_html(nav: dict) -> str:
    def link(entry: dict | None, rel: str, label: str) -> str:
        if not entry:
            return f'<span class="{rel} empty"></span>'
        return (f'<a class="{rel}" rel="{rel}" href="{esc(entry["id"])}.html">'
                f'<span class="dir">{label}</span><span class="t">{esc(entry["title"])}</span>'
                f'<span class="d">{esc(date_label(entry))}</span></a>')

    if not nav.get("prev") and not nav.get("next"):
        return ""
    return (f'<nav class="prevnext" aria-label="Previous and next document by date">'
            f'{link(nav.get("prev"), "prev", "← Previous")}{link(nav.get("next"), "next", "Next →")}</nav>')


def page_lang(fields: dict) -> str:
    """The language of a document page: the text's, where HTML can name it."""
    return fields["lang"] if lang_attr(fields["lang"]) else "en"


def document_page(doc: dict, config: Config, nav_html: str) -> str:
    """One document page; nav_html is the previous/next block."""
    return document_page_start(doc, config) + nav_html + frame_end(config, page_lang(doc["header"]))


def document_page_start(doc: dict, config: Config) -> str:
    """A document page up to its previous/next block, which depends on the whole collection
    (a build adds it and frame_end once the order of the documents is known)."""
    return "".join(_document_page_start_parts(doc, config))


def document_page_start_utf8(doc: dict, config: Config) -> bytes:
    """document_page_start as UTF-8 (what a build writes)."""
    return _utf8(_document_page_start_parts(doc, config))


def _utf8(parts: list[str]) -> bytes:
    """The parts of a page joined, as UTF-8. Encoded part by part: a page holds a few
    characters beyond Latin-1 ("→", "’"), and one of them makes Python keep the whole page
    two bytes a character and transcode every character, while an ASCII part (most of a
    page's text: markup, addresses) is encoded by one copy. (About 1.2% of a worker's
    instructions on the bench letters.)"""
    return b"".join([part.encode("utf-8") for part in parts])


def _document_page_start_parts(doc: dict, config: Config) -> list[str]:
    """document_page_start in parts, the long texts apart from the markup around them (see _utf8)."""
    fields = doc["header"]
    doc_id = fields["id"]
    has_pdf = bool(doc.get("has_pdf"))
    urls = document_urls(doc_id, config, has_pdf)
    lang = page_lang(fields)
    chrome = "" if lang == "en" else ' lang="en"'
    text, ctx = text_html(doc_id, doc["body"], level=3)
    notes = notes_html(ctx, level=2)
    id_html = esc(doc_id)  # (in six links)
    # Pagefind meta, not filters: its filter files differ from run to run, which would break
    # byte-identical rebuilds; the index page has the facets.
    kicker = []
    if fields["type"]:
        kicker.append(f'<span data-pagefind-meta="type">{esc(type_label(fields))}</span>')
    kicker.append(time_html(fields, ' data-pagefind-meta="date"'))
    header = [f'<p class="kicker">{" · ".join(kicker)}</p>',
              f'<h1 id="doc-title" data-pagefind-meta="title">{esc(fields["title"])}</h1>']
    correspondents = correspondents_html(fields)
    if correspondents:
        header.append(f'<p class="correspondents">{correspondents}</p>')
    if fields["summary"]:
        header.append(f'<p class="summary"><span class="label"{chrome}>Summary</span> {esc(fields["summary"])}</p>')
    downloads = [f'<li><a href="tei/{id_html}.xml" type="application/tei+xml" download>TEI P5 XML</a>'
                 f' <span class="hint">the encoded source of this page</span></li>']
    if has_pdf:
        downloads.append(f'<li><a href="pdf/{id_html}.pdf" type="application/pdf">PDF</a>'
                         f' <span class="hint">the print edition</span></li>')
    main = ["""<article class="document" aria-labelledby="doc-title">
<header class="doc-header" data-pagefind-body>
""", "".join(header), f"""
</header>
<div class="doc-layout">
<section class="reading" aria-labelledby="text-h" data-pagefind-body>
<h2 id="text-h" class="visually-hidden"{chrome} data-pagefind-ignore>Text</h2>
""", text, "\n", notes, f"""
</section>
<div class="doc-side"{chrome}>
<section class="panel details" aria-labelledby="details-h" data-pagefind-body>
<h2 id="details-h">Document details</h2>
""", details_html(fields), f"""
</section>
<section class="panel cite" id="cite" aria-labelledby="cite-h">
<h2 id="cite-h">How to cite</h2>
<p class="citation" id="citation-text">""", esc(doc["cite"]), f"""</p>
<p class="cite-actions"><button type="button" class="button" data-copy="citation-text" hidden>Copy citation</button>
<a class="button" href="cite/{id_html}.bib" type="application/x-bibtex" download>BibTeX</a>
<a class="button" href="cite/{id_html}.ris" type="application/x-research-info-systems" download>RIS</a></p>
<p class="copy-status" role="status"></p>
</section>
<section class="panel downloads" aria-labelledby="downloads-h">
<h2 id="downloads-h">Downloads</h2>
<ul>{"".join(downloads)}</ul>
</section>
</div>
</div>
</article>
"""]
    head = (f'<link rel="alternate" type="application/tei+xml" href="tei/{id_html}.xml" title="TEI P5 XML">\n'
            + (f'<link rel="alternate" type="application/pdf" href="pdf/{id_html}.pdf" title="PDF">\n'
               if has_pdf else "")
            + head_metadata(fields, config, urls))
    return [*_frame_start_parts(config=config, title=f"{fields['title']} · {config.title}", page="document",
                                lang=lang, head=head, canonical=urls["page"], description=None, scripts=()), *main]


# ---------------------------------------------------------------------------
# index pages


def index_page_name(number: int) -> str:
    return "index.html" if number == 1 else f"index-{number}.html"


def _years(entry: dict) -> str:
    iso = (entry.get("date") or {}).get("iso") or ""
    return iso[:4] if iso[:4].isdigit() else "undated"


class IndexPages:
    """The list of documents, sorted by date, in pages of PAGE_SIZE rows, made a page at a
    time as the entries come in index order (add, then finish).

    years: the year of every document in index order (order_year), read first for what
    every page carries: the years and the full pager, so that without JavaScript the pages
    together are the whole sorted list; with it, the filters search the whole catalogue
    (catalogue.js).
    """

    def __init__(self, years: Iterable[str], config: Config):
        self.config = config
        self.count = 0
        self.spans: list[list[str]] = []  # first and last year of each page
        self.first_page_of_year: dict[str, int] = {}
        year_counts: Counter = Counter()
        first_dated = last_dated = None
        for year in years:
            if self.count % PAGE_SIZE == 0:
                self.spans.append([year, year])
            self.spans[-1][1] = year
            self.first_page_of_year.setdefault(year, self.count // PAGE_SIZE + 1)
            year_counts[year] += 1
            if year != "undated":
                first_dated = first_dated or year
                last_dated = year
            self.count += 1
        self.pages = max(1, len(self.spans))
        self.years = "".join(
            f'<li><a href="{index_page_name(page)}#y{year}">{"Undated" if year == "undated" else year}</a>'
            f' <span class="count">({year_counts[year]})</span></li>'
            for year, page in self.first_page_of_year.items())
        extent = f"{first_dated}–{last_dated}" if first_dated else ""
        self.intro = (f'<p class="lede">{self.count} document{"s" if self.count != 1 else ""}'
                      + (f", {extent}" if extent else "") + ", sorted by date. "
                      + 'Read them here, <a href="search.html">search their full text</a>, '
                      + 'or download every one as TEI P5 and PDF.</p>')
        self.number, self.rows, self.seen_years = 1, [], set()

    @property
    def names(self) -> list[str]:
        return [index_page_name(n) for n in range(1, self.pages + 1)]

    def add(self, entry: dict) -> tuple[str, str] | None:
        """Take the next entry; returns a page (name, html) when one is full."""
        page = None
        if len(self.rows) == PAGE_SIZE:
            page = self.finish()
            self.number, self.rows, self.seen_years = self.number + 1, [], set()
        year = _years(entry)
        row_id = ""
        if self.first_page_of_year[year] == self.number and year not in self.seen_years:
            row_id = f' id="y{year}"'
        self.seen_years.add(year)
        self.rows.append(
            f"<tr{row_id}><td class=\"c-date\">{time_html(entry)}</td>"
            f'<td class="c-title"><a href="{esc(entry["id"])}.html">{esc(entry["title"])}</a></td>'
            f'<td class="c-corr">{correspondents_html(entry)}</td>'
            f'<td class="c-type">{esc(type_label(entry))}</td>'
            f'<td class="c-archive">{esc(archive_label(entry))}</td></tr>')
        return page

    def _span(self, n: int) -> str:
        if n > len(self.spans):
            return "—"
        first, last = self.spans[n - 1]
        return first if first == last else f"{first}–{last}"

    def finish(self) -> tuple[str, str]:
        """The page of the rows taken so far (the last page, once every entry is in)."""
        config, number, pages = self.config, self.number, self.pages
        pager = ""
        if pages > 1:
            links = "".join(
                f'<li><a href="{index_page_name(n)}"{_current(n == number)}>'
                f'<span class="visually-hidden">Page {n}: </span>{esc(self._span(n))}</a></li>'
                for n in range(1, pages + 1))
            pager = f'<nav class="pager" aria-label="Pages of the list ({{where}})"><ul>{links}</ul></nav>'
        caption = "Documents, sorted by date" + (f", page {number} of {pages}" if pages > 1 else "")
        main = f"""<h1>{esc(config.title)}</h1>
{self.intro}
<form class="filters" id="filters" hidden>
<fieldset><legend>Filter the documents</legend>
<div class="filter-grid">
{"".join(f'<p><label for="f-{k}">{label}</label><select id="f-{k}" name="{k}"><option value="">All</option></select></p>'
         for k, label in (("type", "Type"), ("sender", "Sender"), ("recipient", "Recipient"), ("year", "Year"),
                          ("archive", "Archive")))}
</div>
<p class="filter-actions"><button type="reset" class="button">Clear filters</button></p>
</fieldset>
</form>
<p id="filter-status" class="filter-status" role="status"></p>
<nav class="years" aria-label="Years"><h2 class="small-heading">Years</h2><ul>{self.years}</ul></nav>
{pager.replace("{where}", "top")}
<div class="table-scroll"><table class="doc-list" id="doc-list">
<caption class="visually-hidden">{caption}</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Title</th><th scope="col">Sender → recipient</th><th scope="col">Type</th><th scope="col">Archive</th></tr></thead>
<tbody>
{chr(10).join(self.rows)}
</tbody>
</table></div>
{pager.replace("{where}", "bottom")}"""
        title = config.title if number == 1 else f"{config.title}: documents, page {number}"
        return (index_page_name(number),
                frame(config=config, title=title, page="index", main=main,
                      canonical=base_url(config) + ("" if number == 1 else index_page_name(number)),
                      description=f"{self.count} documents of {config.title}", scripts=("assets/catalogue.js",)))


CATALOGUE_FIELDS = ["id", "iso", "date", "title", "senders", "recipients", "type", "typeLabel", "archive", "year"]
# catalogue.js: CATALOGUE_START, the rows (catalogue_row) separated by commas, CATALOGUE_END
# ASCII escapes: the script reads the same whatever charset a server sends it with. (The
# encoder made once: json.dumps with options makes one at every call, and a row is a document.)
_catalogue_json = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
CATALOGUE_START = 'window.teipressCatalogue = {"fields":' + _catalogue_json(CATALOGUE_FIELDS) + ',"rows":['
CATALOGUE_END = "]};\n"


def catalogue_row(e: dict) -> str:
    """One compact row of the catalogue the filters search."""
    row = [e["id"], (e.get("date") or {}).get("iso") or "", date_label(e), e.get("title") or "",
           [p["name"] for p in e.get("senders") or []], [p["name"] for p in e.get("recipients") or []],
           e.get("type") or "", type_label(e), archive_label(e), _years(e)]
    return _catalogue_json(row)


# ---------------------------------------------------------------------------
# about and search


class _Tally:
    """Which value most documents share (ties: the first in index order), counted as the
    documents go by. Values that are the same object (the build shares them between
    documents) are serialised once, not once a document."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.first: dict[str, tuple[int, object]] = {}  # key -> (order of first occurrence, value)
        self._keys: dict[int, tuple[object, str]] = {}  # id of a value -> (the value, kept alive; its key)

    def add(self, value: object) -> None:
        if isinstance(value, str):
            key = value
        else:
            known = self._keys.get(id(value))
            if known is None:
                known = self._keys[id(value)] = (value, json.dumps(value, sort_keys=True))
            key = known[1]
        self.counts[key] += 1
        self.first.setdefault(key, (len(self.first), value))

    def most_common(self) -> object:
        if not self.counts:
            return None
        best = max(self.counts, key=lambda key: (self.counts[key], -self.first[key][0]))
        return self.first[best][1]


def signs_table() -> str:
    """What the editorial signs mean: read from the behaviour table both editions share."""
    meanings = {"supplied": "Supplied by the editors (not in the source)",
                "gap": "Omitted or illegible in the source; the reason is given where known",
                "unclear": "Uncertain reading", "page": "Page break of the source, with its number"}
    rows = []
    seen = set()
    for element, (behaviour, before, after) in BEHAVIOURS.items():
        if (before or after) and behaviour not in seen:
            seen.add(behaviour)
            example = {"gap": f"{before}...{after}", "page": f"{before}5{after}"}.get(behaviour, f"{before}text{after}")
            rows.append(f"<tr><td class=\"sign\">{esc(example)}</td><td><code>&lt;{esc(element)}&gt;</code></td>"
                        f"<td>{esc(meanings.get(behaviour, behaviour))}</td></tr>")
    rows.append('<tr><td class="sign"><sup>1</sup></td><td><code>&lt;note&gt;</code></td>'
                "<td>A note of the source or of the editors, listed after the text</td></tr>")
    return ('<div class="table-scroll"><table class="signs"><caption class="visually-hidden">Editorial signs</caption>'
            '<thead><tr><th scope="col">Sign</th><th scope="col">TEI element</th><th scope="col">Meaning</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


class AboutFacts:
    """What the About page says of the documents, gathered as they go by (add)."""

    def __init__(self):
        self.tallies = {key: _Tally() for key in ("project", "editorial", "publisher", "rights")}
        self.count = 0
        self.first_dated = self.last_dated = None

    def add(self, e: dict) -> None:
        self.count += 1
        for key in ("project", "editorial", "publisher"):
            if e.get(key):
                self.tallies[key].add(e[key])
        if e.get("rights"):
            self.tallies["rights"].add(rights_text(e))
        if (e.get("date") or {}).get("iso"):
            self.first_dated = self.first_dated or e
            self.last_dated = e


def about_page(facts: AboutFacts, config: Config) -> str:
    tallies, count, first_dated, last_dated = facts.tallies, facts.count, facts.first_dated, facts.last_dated
    project = tallies["project"].most_common() or config.project
    editorial = tallies["editorial"].most_common() or []
    principles = "".join(
        f"<h3>{esc(EDITORIAL_PARTS.get(part['part'], part['part'].capitalize()))}</h3>"
        + "".join(f"<p>{esc(p)}</p>" for p in part["paragraphs"] if p)
        for part in editorial)
    extent = (f"{date_label(first_dated)} – {date_label(last_dated)}" if first_dated else "")
    publishers = tallies["publisher"].most_common() or config.publisher
    rights = tallies["rights"].most_common()
    main = f"""<h1>About this edition</h1>
<section aria-labelledby="edition-h">
<h2 id="edition-h">The edition</h2>
<p class="lede">{esc(project)}</p>
<dl class="facts">
<div><dt>Title</dt><dd>{esc(config.title)}</dd></div>
<div><dt>Publisher</dt><dd>{esc(publishers)}</dd></div>
<div><dt>Licence of the edition</dt><dd><a href="{esc(config.licence_url)}" rel="license external noopener noreferrer">{esc(config.licence)}</a></dd></div>
<div><dt>Documents</dt><dd>{count}</dd></div>
{f'<div><dt>Dates</dt><dd>{esc(extent)}</dd></div>' if extent else ''}
<div><dt>Address</dt><dd>{esc(base_url(config))}</dd></div>
</dl>
{f'<p>The sources keep their own rights statements, shown with each document. The most common one reads: “{esc(rights)}”</p>' if rights else ''}
</section>
<section aria-labelledby="principles-h">
<h2 id="principles-h">Editorial principles</h2>
<p>How the documents were encoded, as every TEI file records it in its <code>encodingDesc</code>.</p>
{principles or '<p>No editorial declaration is recorded in the TEI files.</p>'}
</section>
<section aria-labelledby="signs-h">
<h2 id="signs-h">Editorial signs</h2>
<p>The web and print editions print the same signs around the same TEI elements.</p>
{signs_table()}
</section>
<section aria-labelledby="data-h">
<h2 id="data-h">Data</h2>
<p>Each document page offers its TEI P5 source and, where typeset, its PDF, with a ready citation and BibTeX and RIS files for reference managers. Pages carry Dublin Core, Highwire Press (<code>citation_*</code>) and schema.org metadata; crawlers find every page in the <a href="sitemap.xml">sitemap</a>.</p>
</section>"""
    return frame(config=config, title=f"About · {config.title}", page="about", main=main,
                 canonical=base_url(config) + "about.html", description=project)


KIND_PAGES = {"person": ("people.html", "People"), "org": ("organisations.html", "Organisations"),
              "place": ("places.html", "Places")}


def count_entities(found: dict[str, dict], entry: dict) -> None:
    """Add the register entries a document mentions to found (key -> kind, name, URIs, and
    how many documents mention it), entries coming in index order."""
    for entity in entry.get("entities") or []:
        item = found.setdefault(entity["key"], {"key": entity["key"], "kind": entity["kind"],
                                                "name": entity["name"], "uris": [], "count": 0})
        item["uris"] += [u for u in entity.get("uris", []) if u not in item["uris"]]
        item["count"] += 1


def _kind_tabs(current: str) -> str:
    return ('<nav class="name-kinds" aria-label="Kinds of names"><ul>' + "".join(
        f'<li><a href="{href}"{_current(kind == current)}>{label}</a></li>'
        for kind, (href, label) in KIND_PAGES.items()) + "</ul></nav>")


def entity_index_pages(entities: dict[str, dict], config: Config) -> list[tuple[str, str]]:
    """people.html, organisations.html, places.html: every register entry the documents
    mention, alphabetically, with how many documents mention it."""
    pages = []
    for kind, (name, label) in KIND_PAGES.items():
        items = sorted((e for e in entities.values() if e["kind"] == kind), key=lambda e: e["name"].casefold())
        rows = "".join(
            f'<li><a href="{esc(entity_page(e["key"]))}">{esc(e["name"])}</a> '
            f'<span class="count">({e["count"]} document{"s" if e["count"] != 1 else ""})</span></li>'
            for e in items)
        main = (f"<h1>{label}</h1>{_kind_tabs(kind)}"
                f"<p>The {label.lower()} the documents name, from the edition's register.</p>"
                + (f'<ul class="name-list">{rows}</ul>' if rows else f"<p>No {label.lower()} are registered yet.</p>"))
        pages.append((name, frame(config=config, title=f"{label} · {config.title}", page="names", main=main,
                                  canonical=base_url(config) + name)))
    return pages


def entity_page_html(entity: dict, documents: Iterable[dict], config: Config) -> str:
    """One register entry: its name, its authority records, the documents that mention it
    (their entries, in index order)."""
    kind_page, kind_label = KIND_PAGES[entity["kind"]]
    links = "".join(f'<li><a href="{esc(uri)}" rel="external noopener noreferrer">{esc(uri)}</a></li>'
                    for uri in entity["uris"] if safe_href(uri))
    rows = "".join(
        f'<li>{time_html(doc)} · <a href="{esc(doc["id"])}.html">{esc(doc.get("title") or doc["id"])}</a></li>'
        for doc in documents)
    main = (f'<p class="kicker"><a href="{kind_page}">{kind_label}</a></p><h1>{esc(entity["name"])}</h1>'
            + (f'<section aria-labelledby="auth-h"><h2 id="auth-h">Authority records</h2><ul>{links}</ul></section>'
               if links else "")
            + f'<section aria-labelledby="docs-h"><h2 id="docs-h">Documents that mention it</h2>'
              f'<ul class="mentions">{rows}</ul></section>')
    return frame(config=config, title=f"{entity['name']} · {config.title}", page="names", main=main,
                 canonical=base_url(config) + entity_page(entity["key"]))


def search_page(config: Config) -> str:
    main = """<h1>Search</h1>
<form class="search-form" id="search-form" role="search" action="search.html" method="get">
<label for="q" class="search-label">Search the text and the metadata of every document</label>
<div class="search-row"><input id="q" name="q" type="search" autocomplete="off" spellcheck="false"><button type="submit" class="button primary">Search</button></div>
</form>
<p id="search-status" class="search-status" role="status"></p>
<noscript><p class="notice">Search runs in your browser and needs JavaScript. Without it, browse the <a href="index.html">list of documents</a>.</p></noscript>
<ol id="search-results" class="search-results"></ol>
<p><button type="button" class="button" id="search-more" hidden>More results</button></p>
<p class="hint">Accents do not matter: <i>Bucuresti</i> finds <i>Bucureşti</i>. The search index is part of the site and no query leaves your browser.</p>"""
    return frame(config=config, title=f"Search · {config.title}", page="search", main=main,
                 canonical=base_url(config) + "search.html", description=f"Search {config.title}")
