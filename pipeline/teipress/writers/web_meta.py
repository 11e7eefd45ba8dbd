"""Metadata for machines: Dublin Core, Highwire (citation_*), schema.org JSON-LD, BibTeX,
RIS, sitemap.xml and robots.txt, all from edition.header_fields() and the config.

Reference managers (Zotero's embedded-metadata translator), Google Scholar and crawlers read
these; the values are the same the page shows, so the two cannot disagree.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as xml_escape

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
    tags = [("DC.title", fields["title"])]
    tags += [("DC.creator", name) for name in creators]
    tags += [("DC.contributor", name) for name in fields["translators"]]
    if iso:
        tags.append(("DC.date", iso))
    tags += [("DC.publisher", publisher), ("DC.type", "Text"), ("DC.format", "text/html")]
    if fields["summary"]:
        tags.append(("DC.description", fields["summary"]))
    if source_text(fields):
        tags.append(("DC.source", source_text(fields)))
    if rights_text(fields):
        tags.append(("DC.rights", rights_text(fields)))
    tags.append(("DC.language", fields["lang"]))
    tags.append(("DC.identifier", urls["page"]))
    if fields["record_id"]:
        tags.append(("DC.identifier", fields["record_id"]))

    tags.append(("citation_title", fields["title"]))
    tags += [("citation_author", name) for name in creators]
    if iso:
        tags.append(("citation_date", iso.replace("-", "/")))
        tags.append(("citation_publication_date", iso.replace("-", "/")))
    tags.append(("citation_publisher", publisher))
    tags.append(("citation_language", fields["lang"]))
    if fields["archives"] and fields["archives"][0]["repository"]:
        tags.append(("citation_archive", fields["archives"][0]["repository"]))  # not Highwire: Zotero reads it
    tags.append(("citation_abstract_html_url", urls["page"]))
    tags.append(("citation_fulltext_html_url", urls["page"]))
    if urls["pdf"]:
        tags.append(("citation_pdf_url", urls["pdf"]))
    if fields["summary"]:
        tags.append(("description", fields["summary"]))
    return [(n, c) for n, c in tags if c]


def _agent(person: dict) -> dict:
    kind = "Organization" if person.get("kind") == "orgName" else "Person"
    return {"@type": kind, "name": person["name"]}


def json_ld(fields: dict, config: Config, urls: dict) -> str:
    """schema.org Message (a letter, a telegram) as JSON-LD, safe inside <script>."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Message",
        "@id": urls["page"],
        "url": urls["page"],
        "name": fields["title"],
        "headline": fields["title"][:110],
        "inLanguage": fields["lang"],
        "publisher": {"@type": "Organization", "name": fields["publisher"] or config.publisher},
        "isPartOf": {"@type": "Collection", "name": config.title, "url": base_url(config)},
    }
    if _iso(fields):
        data["dateCreated"] = _iso(fields)
        data["dateSent"] = _iso(fields)
    if fields["senders"]:
        data["sender"] = [_agent(p) for p in fields["senders"]]
        data["author"] = data["sender"]
    if fields["recipients"]:
        data["recipient"] = [_agent(p) for p in fields["recipients"]]
    if fields["summary"]:
        data["abstract"] = fields["summary"]
    if fields["place_sent"]:
        data["locationCreated"] = {"@type": "Place", "name": fields["place_sent"]}
    if fields["translators"]:
        data["translator"] = [{"@type": "Person", "name": n} for n in fields["translators"]]
    if fields["licence"] and fields["licence"]["url"]:
        data["license"] = fields["licence"]["url"]
    if rights_text(fields):
        data["copyrightNotice"] = rights_text(fields)
    identifiers = [v for v in (fields["record_id"], fields["url"]) if v]
    if identifiers:
        data["identifier"] = identifiers
    if source_text(fields):
        data["citation"] = source_text(fields)
    encodings = [{"@type": "MediaObject", "contentUrl": urls["tei"], "encodingFormat": "application/tei+xml"}]
    if urls["pdf"]:
        encodings.append({"@type": "MediaObject", "contentUrl": urls["pdf"], "encodingFormat": "application/pdf"})
    data["encoding"] = encodings
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "</script>" or "<!--" inside a value must not end or change the script element
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


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


def bibtex(fields: dict, config: Config, urls: dict) -> str:
    """One @misc entry (biblatex and BibTeX read it; Zotero imports it as a document)."""
    key = re.sub(r"[^A-Za-z0-9_:-]", "-", fields["id"] or "document")
    entries: list[tuple[str, str]] = [("title", fields["title"])]
    authors = [p for p in fields["senders"] if p.get("name")]
    if authors:
        # organisations in an extra pair of braces, so no one splits "CC of the CPSU" into names
        entries.append(("author", " and ".join(
            ("{" + _bibtex_value(p["name"]) + "}") if p.get("kind") != "persName" else _bibtex_value(p["name"])
            for p in authors)))
    iso = _iso(fields)
    if iso:
        entries.append(("date", iso))
        entries.append(("year", iso[:4]))
    if fields["recipients"]:
        entries.append(("note", "To " + ", ".join(names(fields["recipients"]))
                        + (". " + source_text(fields) if source_text(fields) else "")))
    elif source_text(fields):
        entries.append(("note", source_text(fields)))
    if fields["translators"]:
        entries.append(("translator", " and ".join(fields["translators"])))
    entries.append(("publisher", fields["publisher"] or config.publisher))
    entries.append(("howpublished", config.title))
    entries.append(("url", urls["page"]))
    entries.append(("langid", fields["lang"]))
    lines = [f"@misc{{{key},"]
    for name, value in entries:
        if name == "author":
            lines.append(f"  {name} = {{{value}}},")
        elif name == "url":
            lines.append(f"  {name} = {{{value}}},")
        else:
            lines.append(f"  {name} = {{{_bibtex_value(value)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


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
    if source_text(fields):
        rows.append(("N1", source_text(fields)))
    if fields["summary"]:
        rows.append(("AB", fields["summary"]))
    rows.append(("PB", fields["publisher"] or config.publisher))
    rows.append(("T2", config.title))
    rows.append(("LA", fields["lang"]))
    rows.append(("UR", urls["page"]))
    if fields["record_id"]:
        rows.append(("ID", fields["record_id"]))
    rows.append(("ER", ""))
    # RIS lines are "XX  - value" with CRLF; a value never spans lines
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in rows)


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
