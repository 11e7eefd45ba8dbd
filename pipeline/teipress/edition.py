"""What an edition shows of a TEI document: its header fields and its text.

Every edition (print, web, harvest) reads a TEI file through this module, never through
its own XPath, so a hand-edited TEI renders like a converted one and the editions cannot
drift apart. Two parts:

* ``header_fields(root)``: every header field an edition shows, as plain data;
* ``body_blocks(root)``: the text as blocks (paragraphs, salutes, lists ...) holding
  inlines, decided by one behaviour table, BEHAVIOURS, shared by the print and the
  web renderers (TEI Publisher's processing model, reduced to a table).

Both return JSON-serialisable data: the print edition hands it to Typst as JSON, the
web edition turns it into HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from teipress.tei import NS, TEI_NS, XML_NS

# TEI element -> (behaviour, before, after). The behaviour names what the renderers do;
# before/after are the characters both editions print around the content (brackets
# that the TEI encodes as markup).
BEHAVIOURS: dict[str, tuple[str, str, str]] = {
    # blocks
    "div": ("section", "", ""),
    "head": ("heading", "", ""),
    "opener": ("group", "", ""),
    "closer": ("group", "", ""),
    "postscript": ("group", "", ""),
    "p": ("paragraph", "", ""),
    "salute": ("line", "", ""),
    "signed": ("line", "", ""),
    "dateline": ("line", "", ""),
    "list": ("list", "", ""),
    "item": ("item", "", ""),
    "table": ("table", "", ""),
    "row": ("row", "", ""),
    "cell": ("cell", "", ""),
    # inlines
    "supplied": ("supplied", "[", "]"),
    "gap": ("gap", "[", "]"),
    "unclear": ("unclear", "", "[?]"),
    "del": ("deleted", "", ""),
    "add": ("added", "", ""),
    "choice": ("choice", "", ""),
    "hi": ("emphasis", "", ""),
    "foreign": ("foreign", "", ""),
    "title": ("title", "", ""),
    "quote": ("quote", "", ""),
    "note": ("note", "", ""),
    "ref": ("link", "", ""),
    "ptr": ("link", "", ""),
    "persName": ("name", "", ""),
    "orgName": ("name", "", ""),
    "placeName": ("name", "", ""),
    "name": ("name", "", ""),
    "date": ("date", "", ""),
    "lb": ("break", "", ""),
    "pb": ("page", "[p. ", "]"),
    "seg": ("span", "", ""),
    "desc": ("span", "", ""),
}
# What a gap shows, by its reason ("[...]" for an editorial omission).
GAP_TEXT = {
    "omitted": "...",
    "illegible": "illegible",
    "truncated": "… the source is cut off here",
    "not-transcribed": "not transcribed",
}
SAFE_SCHEMES = ("http", "https")


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def safe_href(target: str | None) -> str | None:
    """A link target an edition may emit: http(s), relative, or '#'; anything else is None."""
    if not target:
        return None
    target = target.strip()
    if re.search(r"[\x00-\x20]", target):
        return None
    scheme = urlsplit(target).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    if target.startswith("//"):
        return None
    return target


# ---------------------------------------------------------------------------
# inlines


def _text(value: str) -> dict:
    return {"t": "text", "text": value}


def inlines(element: etree._Element, *, notes: bool = True) -> list[dict]:
    """The content of a text element as inlines (whitespace collapsed, ends trimmed)."""
    out = _inlines(element, notes)
    return _trim(out)


def _inlines(element: etree._Element, notes: bool) -> list[dict]:
    out: list[dict] = []
    if element.text:
        out.append(_text(element.text))
    for child in element:
        if isinstance(child.tag, str):
            node = _inline(child, notes)
            if node is not None:
                out.append(node)
        if child.tail:
            out.append(_text(child.tail))
    return out


def _inline(child: etree._Element, notes: bool) -> dict | None:
    tag = local(child)
    behaviour, before, after = BEHAVIOURS.get(tag, ("span", "", ""))
    if behaviour == "gap":
        desc = child.find("tei:desc", NS)
        reason = child.get("reason", "")
        shown = "".join(desc.itertext()).strip() if desc is not None else GAP_TEXT.get(reason, "...")
        return {"t": "gap", "reason": reason, "text": f"{before}{shown}{after}"}
    if behaviour == "note":
        if not notes:
            return None
        return {"t": "note", "n": child.get("n"), "id": child.get(f"{{{XML_NS}}}id"), "c": inlines(child)}
    if behaviour == "break":
        return {"t": "break"}
    if behaviour == "page":
        return {"t": "page", "text": f"{before}{child.get('n', '')}{after}"}
    if behaviour == "choice":
        shown = _first_child(child, ("corr", "expan", "reg"))
        other = _first_child(child, ("sic", "abbr", "orig"))
        return {"t": "choice", "c": inlines(shown) if shown is not None else inlines(child),
                "alt": plain(other) if other is not None else ""}
    node: dict = {"t": behaviour, "c": _inlines(child, notes)}
    if before or after:
        node["before"], node["after"] = before, after
    if behaviour == "link":
        node["href"] = safe_href(child.get("target"))
    elif behaviour == "name":
        node["kind"] = tag
        node["ref"] = child.get("ref")
    elif behaviour == "date":
        node["when"] = child.get("when") or child.get("from") or child.get("notBefore")
    elif behaviour == "emphasis":
        node["rend"] = child.get("rend", "italic")
    elif behaviour == "foreign":
        node["lang"] = child.get(f"{{{XML_NS}}}lang")
    return node


def _first_child(element: etree._Element, names: tuple[str, ...]) -> etree._Element | None:
    for name in names:
        found = element.find(f"tei:{name}", NS)
        if found is not None:  # (an element without children is falsy: test for None)
            return found
    return None


_WHITESPACE = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    """Whitespace runs as one space (most text has none: skip the regex then)."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _WHITESPACE.sub(" ", text)
    return text


def _trim(nodes: list[dict]) -> list[dict]:
    """Collapse whitespace runs in text nodes and trim the ends of the whole run."""
    for node in nodes:
        if node["t"] == "text":
            node["text"] = _squeeze(node["text"])
        elif "c" in node:
            node["c"] = [_collapse(n) for n in node["c"]]
    while nodes and nodes[0]["t"] == "text" and not nodes[0]["text"].strip():
        nodes.pop(0)
    while nodes and nodes[-1]["t"] == "text" and not nodes[-1]["text"].strip():
        nodes.pop()
    if nodes and nodes[0]["t"] == "text":
        nodes[0]["text"] = nodes[0]["text"].lstrip()
    if nodes and nodes[-1]["t"] == "text":
        nodes[-1]["text"] = nodes[-1]["text"].rstrip()
    return nodes


def _collapse(node: dict) -> dict:
    if node["t"] == "text":
        node["text"] = _squeeze(node["text"])
    elif "c" in node:
        node["c"] = [_collapse(n) for n in node["c"]]
    return node


def plain_inlines(nodes: list[dict]) -> str:
    """Inlines as plain text with the editorial brackets back in ("Filippov [Stalin]")."""
    out = []
    for node in nodes:
        t = node["t"]
        if t == "text":
            out.append(node["text"])
        elif t in ("gap", "page"):
            out.append(node["text"])
        elif t == "note":
            continue
        elif t == "break":
            out.append(" ")
        else:
            out.append(node.get("before", "") + plain_inlines(node.get("c", [])) + node.get("after", ""))
    return "".join(out)


def plain(element: etree._Element | None) -> str:
    """An element's text as an edition shows it, without notes; '' for None."""
    if element is None:
        return ""
    return _squeeze(plain_inlines(inlines(element, notes=False))).strip()


# ---------------------------------------------------------------------------
# blocks


def _line(kind: str, element: etree._Element, role: str | None = None) -> dict:
    return {"kind": "line", "role": role or kind, "c": inlines(element)}


def _blocks(parent: etree._Element, counter: list[int]) -> list[dict]:
    out: list[dict] = []
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        tag = local(child)
        behaviour = BEHAVIOURS.get(tag, ("paragraph", "", ""))[0]
        if tag == "div":
            out.append({"kind": "section", "type": child.get("type"), "subtype": child.get("subtype"),
                        "lang": child.get(f"{{{XML_NS}}}lang"), "blocks": _blocks(child, counter)})
        elif behaviour == "heading":
            out.append({"kind": "heading", "c": inlines(child)})
        elif behaviour == "group":
            out.append({"kind": tag, "blocks": _group(child, counter)})
        elif tag == "p":
            counter[0] += 1
            out.append({"kind": "paragraph", "n": counter[0],
                        "id": child.get(f"{{{XML_NS}}}id") or f"p{counter[0]}", "c": inlines(child)})
        elif tag == "list":
            out.append({"kind": "list", "rend": child.get("rend", "bulleted"),
                        "items": [inlines(item) for item in child.findall("tei:item", NS)]})
        elif tag == "table":
            out.append({"kind": "table", "rows": [[inlines(cell) for cell in row.findall("tei:cell", NS)]
                                                  for row in child.findall("tei:row", NS)]})
        elif tag == "quote" and child.find("tei:p", NS) is not None:
            out.append({"kind": "quote", "blocks": _blocks(child, counter)})
        elif tag in ("salute", "signed", "dateline"):
            out.append(_line(tag, child))
        elif tag == "seg":
            out.append(_line("seg", child, child.get("type") or "seg"))
        elif tag in ("gap", "pb", "note"):
            node = _inline(child, True)
            out.append({"kind": "line", "role": tag, "c": [node] if node else []})
        else:  # an element the table does not know: show its text, never drop it
            out.append({"kind": "line", "role": tag, "c": inlines(child)})
    return out


def _group(element: etree._Element, counter: list[int]) -> list[dict]:
    """Opener, closer, postscript: their lines; text directly inside becomes a line too."""
    blocks = _blocks(element, counter)
    if (element.text or "").strip() or any((c.tail or "").strip() for c in element):
        return [{"kind": "line", "role": local(element), "c": inlines(element)}]
    return blocks


def body_blocks(root: etree._Element) -> list[dict]:
    """The text of a TEI document as blocks; paragraphs numbered in document order.
    A name whose @ref points at an entry of the document's standOff carries the entry's
    register key ("entity"), for the editions to link it."""
    body = root.find("tei:text/tei:body", NS)
    blocks = _blocks(body, [0]) if body is not None else []
    keys = _entity_keys(root)
    if keys:
        _mark_entities(blocks, keys)
    return blocks


def _mark_entities(nodes: list[dict], keys: dict[str, str]) -> None:
    for node in nodes:
        if node.get("t") == "name" and node.get("ref") in keys:
            node["entity"] = keys[node["ref"]]
        for child in ("blocks", "c"):
            if child in node:
                _mark_entities(node[child], keys)
        for item in node.get("items", []):
            _mark_entities(item, keys)
        for row in node.get("rows", []):
            for cell in row:
                _mark_entities(cell, keys)


_ENTRY_TAGS = {f"{{{TEI_NS}}}{kind}": kind for kind in ("person", "org", "place")}
_ENTRY_NAMES = ("persName", "orgName", "placeName")


def _entries(root: etree._Element) -> list[etree._Element]:
    stand_off = root.find("tei:standOff", NS)
    return [] if stand_off is None else [e for e in stand_off.iter(*_ENTRY_TAGS)]


def _entity_key(entry: etree._Element) -> str:
    """An entry's key across the edition: its register id, else its own xml:id."""
    register = entry.find("tei:idno[@type='register']", NS)
    if register is not None and (register.text or "").strip():
        return register.text.strip()
    return entry.get(f"{{{XML_NS}}}id") or ""


def _entity_keys(root: etree._Element) -> dict[str, str]:
    """@ref value ("#<xml:id>") -> entity key, for the entries of the document's standOff."""
    return {f"#{e.get(f'{{{XML_NS}}}id')}": _entity_key(e) for e in _entries(root) if e.get(f"{{{XML_NS}}}id")}


def _paragraph_mentions(root: etree._Element) -> dict[str, list[int]]:
    """@ref -> numbers of the paragraphs that mention it (numbered as body_blocks numbers them)."""
    body = root.find("tei:text/tei:body", NS)
    where: dict[str, list[int]] = {}
    if body is None:
        return where
    n = 0
    for p in body.iter(f"{{{TEI_NS}}}p"):
        if any(local(a) == "note" for a in p.iterancestors()):
            continue  # a note's paragraphs are not numbered
        n += 1
        for element in p.iter():
            ref = element.get("ref") if isinstance(element.tag, str) else None
            if ref and (not where.get(ref) or where[ref][-1] != n):
                where.setdefault(ref, []).append(n)
    return where


def entities(root: etree._Element) -> list[dict]:
    """The register entries a document carries in its standOff: key, kind, preferred name,
    authority URIs, and the paragraphs that mention it."""
    where = _paragraph_mentions(root)
    out = []
    for entry in _entries(root):
        names = [n for n in entry if local(n) in _ENTRY_NAMES]
        preferred = next((n for n in names if n.get("type") == "preferred"), names[0] if names else None)
        xml_id = entry.get(f"{{{XML_NS}}}id")
        out.append({
            "key": _entity_key(entry),
            "kind": _ENTRY_TAGS[entry.tag],
            "name": plain(preferred) or _entity_key(entry),
            "uris": [u for u in (plain(i) for i in entry.findall("tei:idno[@type='URI']", NS)) if safe_href(u)],
            "paragraphs": where.get(f"#{xml_id}", []),
        })
    return out


# ---------------------------------------------------------------------------
# header


@lru_cache(maxsize=256)
def _xpath(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=NS)


def _all(root: etree._Element, path: str) -> list[etree._Element]:
    return _xpath(path)(root)


def _first_text(root: etree._Element, path: str) -> str:
    found = _all(root, path)
    return plain(found[0]) if found else ""


def _date(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    when = element.get("when") or element.get("from") or element.get("notBefore")
    return {"text": plain(element), "when": element.get("when"), "from": element.get("from"),
            "to": element.get("to"), "notBefore": element.get("notBefore"),
            "notAfter": element.get("notAfter"), "iso": when, "year": when[:4] if when else None}


def _names(elements: list[etree._Element], keys: dict[str, str] | None = None) -> list[dict]:
    out = []
    for action in elements:
        for name in action:
            tag = local(name)
            if tag in ("persName", "orgName", "placeName", "name"):
                ref = name.get("ref")
                out.append({"name": plain(name), "kind": tag, "ref": ref, "entity": (keys or {}).get(ref)})
    return out


def header_fields(root: etree._Element) -> dict:
    """Every header field an edition shows, as plain data (strings with brackets back)."""
    def first(path: str) -> str:
        return _first_text(root, path)

    corresp = "tei:teiHeader/tei:profileDesc/tei:correspDesc/tei:correspAction"
    keys = _entity_keys(root)
    sent_date = _all(root, f"{corresp}[@type='sent']/tei:date | tei:teiHeader/tei:profileDesc/tei:creation/tei:date")
    archives = []
    for ident in _all(root, "tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:msDesc/tei:msIdentifier"
                            " | tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:msDesc/tei:msIdentifier/tei:altIdentifier"):
        archives.append({
            "id": ident.get(f"{{{XML_NS}}}id"),
            "country": _first_text(ident, "tei:country"),
            "settlement": _first_text(ident, "tei:settlement"),
            "repository": _first_text(ident, "tei:repository"),
            "collection": "; ".join(plain(c) for c in ident.findall("tei:collection", NS)),
            "idno": "; ".join(plain(i) for i in ident.findall("tei:idno", NS)),
            "locus": "",
        })
    for locus in _all(root, "tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:msDesc/tei:msContents/tei:msItem/tei:locus"):
        target = (locus.get("corresp") or "").lstrip("#")
        for archive in archives:
            if (archive["id"] or "") == target or (not target and archive is archives[0]):
                archive["locus"] = plain(locus)
                break
    translators = _all(root, "tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:respStmt[starts-with(tei:resp, 'Transl')]")
    licences = _all(root, "tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:availability/tei:licence")
    rights = [plain(p) for lic in licences if not lic.get("target") for p in (lic.findall("tei:p", NS) or [lic])]
    edition_licence = next(({"text": plain(lic), "url": safe_href(lic.get("target"))}
                            for lic in licences if lic.get("target")), None)
    keywords: dict[str, list[str]] = {}
    for term in _all(root, "tei:teiHeader/tei:profileDesc/tei:textClass/tei:keywords/tei:term"):
        keywords.setdefault(term.get("type") or "keyword", []).append(plain(term))
    change = _all(root, "tei:teiHeader/tei:revisionDesc/tei:change[@type='conversion']")
    editorial = []
    for part in _all(root, "tei:teiHeader/tei:encodingDesc/tei:editorialDecl/*"):
        paragraphs = [plain(p) for p in part.findall("tei:p", NS)] or [plain(part)]
        editorial.append({"part": local(part), "paragraphs": paragraphs})
    return {
        "id": root.get(f"{{{XML_NS}}}id"),
        "lang": root.get(f"{{{XML_NS}}}lang") or "en",
        "title": first("tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title"),
        "date": _date(sent_date[0] if sent_date else None),
        "type": (keywords.get("document-type") or [""])[0],
        "type_label": (keywords.get("archive-type") or [""])[0],
        "senders": _names(_all(root, f"{corresp}[@type='sent']"), keys),
        "recipients": _names(_all(root, f"{corresp}[@type='received']"), keys),
        "via": _names(_all(root, f"{corresp}[@type='transmitted']"), keys),
        "entities": entities(root),
        "place_sent": first(f"{corresp}[@type='sent']/tei:placeName"),
        "authors": [plain(a) for a in _all(root, "tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:author")],
        "summary": " ".join(plain(p) for p in _all(root, "tei:teiHeader/tei:profileDesc/tei:abstract/tei:p")),
        "archives": archives,
        "printed": [plain(b) for b in _all(root, "tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl[@type='printed']")],
        "citation": first("tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl[@type='citation']"),
        "translators": [plain(n) for r in translators for n in r if local(n) != "resp"],
        "translation": plain(translators[0].find("tei:resp", NS)) if translators else "",
        "funders": [plain(f) for f in _all(root, "tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:funder")],
        "publisher": first("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:publisher"),
        "edition_url": first("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:idno[@type='URL']"),
        "record_id": first("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:idno[@type='record']"),
        "url": first("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:idno[@type='URI']"),
        "rights": rights,
        "licence": edition_licence,
        "uploaded": _date(next(iter(_all(root, "tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl"
                                               "/tei:date[@type='uploaded']")), None)),
        "languages": [{"ident": lang.get("ident"), "name": plain(lang)}
                      for lang in _all(root, "tei:teiHeader/tei:profileDesc/tei:langUsage/tei:language")],
        "keywords": {k: v for k, v in keywords.items() if k not in ("document-type", "archive-type")},
        "related": [plain(b) for b in _all(root, "tei:teiHeader/tei:fileDesc/tei:notesStmt/tei:relatedItem/tei:bibl")],
        "project": " ".join(plain(p) for p in _all(root, "tei:teiHeader/tei:encodingDesc/tei:projectDesc/tei:p")),
        "editorial": editorial,
        "conversion": {
            "when": change[0].get("when") if change else None,
            "version": _first_text(change[0], "tei:num[@type='version']") if change else "",
            "source_file": _first_text(change[0], "tei:idno[@type='source-file']") if change else "",
            "sha256": _first_text(change[0], "tei:idno[@type='sha256']") if change else "",
        },
    }


def how_to_cite(fields: dict) -> str:
    """One citation of a document in the edition, shared by the print and web editions."""
    parts = [f"“{fields['title']}”"]
    if fields["date"]:
        parts.append(fields["date"]["text"])
    if fields["citation"]:
        parts.append(fields["citation"].rstrip("."))
    elif fields["archives"]:
        parts.append(", ".join(v for v in (fields["archives"][0]["repository"], fields["archives"][0]["collection"],
                                           fields["archives"][0]["idno"]) if v))
    edition = ", ".join(v for v in (fields["publisher"], fields["edition_url"]) if v)
    return ", ".join(parts) + "." + (f" {edition}." if edition else "")


def reading(root: etree._Element) -> dict:
    """Header fields, text blocks and the citation of one TEI document."""
    fields = header_fields(root)
    return {"header": fields, "body": body_blocks(root), "cite": how_to_cite(fields), "teins": TEI_NS}
