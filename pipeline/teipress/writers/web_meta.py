"""Metadata for machines: Dublin Core, Highwire (citation_*), schema.org JSON-LD, BibTeX,
RIS, sitemap.xml and robots.txt, all from edition.header_fields() and the config.

Reference managers (Zotero's embedded-metadata translator), Google Scholar and crawlers read
these; the values are the same the page shows, so the two cannot disagree.
"""

from __future__ import annotations

import re

import orjson

from teipress.config import Config
from teipress.writers.web_text import esc


def base_url(config: Config) -> str:
    return config.base_url.rstrip("/") + "/"


def document_urls(doc_id: str, config: Config, has_pdf: bool) -> dict:
    """Absolute addresses of a document's page and downloads (for metadata, never for links)."""
    base = base_url(config)
    return {"page": f"{base}{doc_id}.html", "tei": f"{base}tei/{doc_id}.xml",
            "pdf": f"{base}pdf/{doc_id}.pdf" if has_pdf else None}


def names(people: list[dict]) -> list[str]:
    return [p["name"] for p in people if p.get("name")]


def source_text(fields: dict) -> str:
    """Where the original is: the citation as written, else the first archive's shelfmark."""
    if fields["citation"]:
        return fields["citation"]
    if fields["archives"]:
        first = fields["archives"][0]
        return ", ".join(v for v in (first["repository"], first["collection"], first["idno"], first["locus"]) if v)
    return "; ".join(fields["printed"])


def rights_text(fields: dict) -> str:
    parts = list(fields["rights"])
    if fields["licence"]:
        parts.append(fields["licence"]["text"])
    return " ".join(parts)


def _iso(fields: dict) -> str | None:
    return fields["date"]["iso"] if fields["date"] and fields["date"]["iso"] else None


def meta_tags(fields: dict, config: Config, urls: dict) -> list[tuple[str, str]]:
    """(name, content) pairs: Dublin Core first, then Highwire Press tags."""
    iso = _iso(fields)
    creators = names(fields["senders"]) or fields["authors"]
    publisher = fields["publisher"] or config.publisher
    source, rights, summary, page = source_text(fields), rights_text(fields), fields["summary"], urls["page"]
    tags = [("DC.title", fields["title"])]
    tags += [("DC.creator", name) for name in creators]
    tags += [("DC.contributor", name) for name in fields["translators"]]
    if iso:
        tags.append(("DC.date", iso))
    tags += [("DC.publisher", publisher), ("DC.type", "Text"), ("DC.format", "text/html")]
    if summary:
        tags.append(("DC.description", summary))
    if source:
        tags.append(("DC.source", source))
    if rights:
        tags.append(("DC.rights", rights))
    tags += [("DC.language", fields["lang"]), ("DC.identifier", page)]
    if fields["record_id"]:
        tags.append(("DC.identifier", fields["record_id"]))

    tags.append(("citation_title", fields["title"]))
    tags += [("citation_author", name) for name in creators]
    if iso:
        slashed = iso.replace("-", "/")
        tags += [("citation_date", slashed), ("citation_publication_date", slashed)]
    tags += [("citation_publisher", publisher), ("citation_language", fields["lang"])]
    if fields["archives"] and fields["archives"][0]["repository"]:
        tags.append(("citation_archive", fields["archives"][0]["repository"]))  # not Highwire: Zotero reads it
    tags += [("citation_abstract_html_url", page), ("citation_fulltext_html_url", page)]
    if urls["pdf"]:
        tags.append(("citation_pdf_url", urls["pdf"]))
    if summary:
        tags.append(("description", summary))
    return [(n, c) for n, c in tags if c]


def _agent(person: dict) -> dict:
    return {"@type": "Organization" if person.get("kind") == "orgName" else "Person", "name": person["name"]}


def json_ld(fields: dict, config: Config, urls: dict) -> str:
    """schema.org Message (a letter, a telegram) as JSON-LD, safe inside <script>:
    "</script>" or "<!--" inside a value must not end or change the script element."""
    title, iso = fields["title"], _iso(fields)
    rights, source = rights_text(fields), source_text(fields)
    ld = {"@context": "https://schema.org", "@type": "Message", "@id": urls["page"], "url": urls["page"],
          "name": title, "headline": title[:110], "inLanguage": fields["lang"],
          "publisher": {"@type": "Organization", "name": fields["publisher"] or config.publisher},
          "isPartOf": {"@type": "Collection", "name": config.title, "url": base_url(config)}}
    if iso:
        ld["dateCreated"] = ld["dateSent"] = iso
    if fields["senders"]:
        ld["sender"] = ld["author"] = [_agent(p) for p in fields["senders"]]
    if fields["recipients"]:
        ld["recipient"] = [_agent(p) for p in fields["recipients"]]
    if fields["summary"]:
        ld["abstract"] = fields["summary"]
    if fields["place_sent"]:
        ld["locationCreated"] = {"@type": "Place", "name": fields["place_sent"]}
    if fields["translators"]:
        ld["translator"] = [{"@type": "Person", "name": name} for name in fields["translators"]]
    if fields["licence"] and fields["licence"]["url"]:
        ld["license"] = fields["licence"]["url"]
    if rights:
        ld["copyrightNotice"] = rights
    identifiers = [v for v in (fields["record_id"], fields["url"]) if v]
    if identifiers:
        ld["identifier"] = identifiers
    if source:
        ld["citation"] = source
    ld["encoding"] = [{"@type": "MediaObject", "contentUrl": urls["tei"], "encodingFormat": "application/tei+xml"}]
    if urls["pdf"]:
        ld["encoding"].append({"@type": "MediaObject", "contentUrl": urls["pdf"], "encodingFormat": "application/pdf"})
    text = orjson.dumps(ld).decode("utf-8")
    # <, > and & stand only inside strings in JSON text, so all of them can be escaped there
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return text


# ---------------------------------------------------------------------------
# citation downloads


# BibTeX's special characters, escaped so a value stays one balanced {...} group
_BIBTEX = str.maketrans({"\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "&": "\\&", "%": "\\%",
                         "$": "\\$", "#": "\\#", "_": "\\_", "~": "\\textasciitilde{}",
                         "^": "\\textasciicircum{}"})


_BIBTEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")


def _bibtex_value(text: str) -> str:
    # translate() with a dict looks up every character: skip it for the many values without any
    return text.translate(_BIBTEX) if _BIBTEX_SPECIAL.search(text) else text


_BIBTEX_KEY = re.compile(r"[^A-Za-z0-9_:-]")


def bibtex(fields: dict, config: Config, urls: dict) -> str:
    """One @misc entry (biblatex and BibTeX read it; Zotero imports it as a document)."""
    key = _BIBTEX_KEY.sub("-", fields["id"] or "document")
    lines = [f"@misc{{{key},", f"  title = {{{_bibtex_value(fields['title'])}}},"]
    authors = [p for p in fields["senders"] if p.get("name")]
    if authors:
        # organisations in an extra pair of braces, so no one splits "CC of the CPSU" into names
        value = " and ".join(
            ("{" + _bibtex_value(p["name"]) + "}") if p.get("kind") != "persName" else _bibtex_value(p["name"])
            for p in authors)
        lines.append(f"  author = {{{value}}},")
    iso = _iso(fields)
    if iso:
        lines += [f"  date = {{{_bibtex_value(iso)}}},", f"  year = {{{_bibtex_value(iso[:4])}}},"]
    source = source_text(fields)
    if fields["recipients"]:
        note = "To " + ", ".join(names(fields["recipients"])) + (". " + source if source else "")
        lines.append(f"  note = {{{_bibtex_value(note)}}},")
    elif source:
        lines.append(f"  note = {{{_bibtex_value(source)}}},")
    if fields["translators"]:
        lines.append(f"  translator = {{{_bibtex_value(' and '.join(fields['translators']))}}},")
    lines += [f"  publisher = {{{_bibtex_value(fields['publisher'] or config.publisher)}}},",
              f"  howpublished = {{{_bibtex_value(config.title)}}},",
              f"  url = {{{urls['page']}}},",
              f"  langid = {{{_bibtex_value(fields['lang'])}}},",
              "}"]
    return "\n".join(lines) + "\n"


def _ris_value(text: str) -> str:
    """A RIS value on one line: whitespace runs as one space, the ends trimmed."""
    # most values are so already: printable (so their only whitespace is " ", see
    # str.isprintable), no double space, no space at either end; the rest are split and joined
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def ris(fields: dict, config: Config, urls: dict) -> str:
    """A RIS record (PCOMM, personal communication: what Zotero imports as a letter)."""
    rows: list[tuple[str, str]] = [("TY", "PCOMM"), ("TI", fields["title"])]
    rows += [("AU", name) for name in names(fields["senders"])]
    rows += [("A2", name) for name in names(fields["recipients"])]
    rows += [("A4", name) for name in fields["translators"]]
    iso = _iso(fields)
    if iso:
        parts = iso.split("-") + ["", ""]
        rows.append(("PY", parts[0]))
        rows.append(("DA", "/".join(parts[:3]) + "/"))
    if fields["archives"]:
        first = fields["archives"][0]
        if first["repository"]:
            rows.append(("AV", ", ".join(v for v in (first["repository"], first["collection"]) if v)))
        if first["idno"]:
            rows.append(("CN", first["idno"]))
        if first["locus"]:
            rows.append(("SP", first["locus"]))
    source = source_text(fields)
    if source:
        rows.append(("N1", source))
    if fields["summary"]:
        rows.append(("AB", fields["summary"]))
    rows += [("PB", fields["publisher"] or config.publisher), ("T2", config.title), ("LA", fields["lang"]),
             ("UR", urls["page"])]
    if fields["record_id"]:
        rows.append(("ID", fields["record_id"]))
    rows.append(("ER", ""))
    # RIS lines are "XX  - value" with CRLF; a value never spans lines
    return "".join([f"{tag}  - {_ris_value(value)}\r\n" for tag, value in rows])


def citation_files(fields: dict, config: Config, has_pdf: bool = False) -> dict[str, bytes]:
    """The citation downloads of one document, by path relative to the site root."""
    urls = document_urls(fields["id"], config, has_pdf)
    return {f"cite/{fields['id']}.bib": bibtex(fields, config, urls).encode("utf-8"),
            f"cite/{fields['id']}.ris": ris(fields, config, urls).encode("utf-8")}


# ---------------------------------------------------------------------------
# crawlers


# sitemap.xml: SITEMAP_START, a sitemap_url line an address, SITEMAP_END
SITEMAP_START = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
SITEMAP_END = "</urlset>\n"


def xml_escape(text: str) -> str:
    """&, < and > as entities: xml.sax.saxutils.escape, which would import urllib.request
    and with it http, email and ssl into every worker (about 40 ms a process)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap_url(loc: str, lastmod: str | None = None) -> str:
    extra = f"<lastmod>{xml_escape(lastmod)}</lastmod>" if lastmod else ""
    return f"  <url><loc>{xml_escape(loc)}</loc>{extra}</url>\n"


def robots(config: Config) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url(config)}sitemap.xml\n".encode("utf-8")


def head_metadata(fields: dict, config: Config, urls: dict) -> str:
    """The <head> lines a document page carries for machines."""
    lines = ['<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">']
    lines += [f'<meta name="{name}" content="{esc(content)}">' for name, content in meta_tags(fields, config, urls)]
    lines.append(f'<script type="application/ld+json">\n{json_ld(fields, config, urls)}\n</script>')
    return "\n".join(lines)
