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
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]")
_TEI = f"{{{TEI_NS}}}"  # the Clark prefix of TEI tags: f"{_TEI}p" == "{http://www.tei-c.org/ns/1.0}p"
_XML_ID = f"{{{XML_NS}}}id"
_XML_LANG = f"{{{XML_NS}}}lang"
_SPAN = ("span", "", "")  # the behaviour of an inline the table does not know


def local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # "{ns}name" -> "name"; 10x cheaper than QName


def safe_href(target: str | None) -> str | None:
    """A link target an edition may emit: http(s), relative, or '#'; anything else is None."""
    if not target:
        return None
    target = target.strip()
    if _CONTROL_OR_SPACE.search(target):
        return None
    if target.startswith(("http://", "https://")) and target.isascii() and "[" not in target and "]" not in target:
        return target  # (what the tests below come to for such an address; urlsplit costs more than the rest)
    scheme = urlsplit(target).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    if target.startswith("//"):
        return None
    return target


# ---------------------------------------------------------------------------
# inlines


def inlines(element: etree._Element, *, notes: bool = True, keys: dict[str, str] | None = None) -> list[dict]:
    """The content of a text element as inlines (whitespace collapsed, ends trimmed). A name
    whose @ref is in keys carries its entity key ("entity"; see body_blocks)."""
    return _trim(_inlines(element, notes, keys))


def _inlines(element: etree._Element, notes: bool, keys: dict[str, str] | None) -> list[dict]:
    out: list[dict] = []
    text = element.text  # (each .text, .tail, .tag asks lxml again: read once)
    if text:
        out.append({"t": "text", "text": _squeeze(text)})  # whitespace collapsed here, once (see _trim)
    if not len(element):
        return out  # (most names: text alone, no need to look for children)
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            node = _inline(child, tag.rpartition("}")[2], notes, keys)
            if node is not None:
                out.append(node)
        tail = child.tail
        if tail:
            out.append({"t": "text", "text": _squeeze(tail)})
    return out


# The inline behaviours whose nodes have a shape of their own (the others hold inlines)
_OWN_SHAPE = frozenset(("gap", "note", "break", "page", "choice"))


def _inline(child: etree._Element, tag: str, notes: bool, keys: dict[str, str] | None = None) -> dict | None:
    """One inline of an element whose local name is tag."""
    behaviour, before, after = BEHAVIOURS.get(tag, _SPAN)
    if behaviour not in _OWN_SHAPE:  # (names, supplied text, dates ...: most inlines)
        node: dict = {"t": behaviour, "c": _inlines(child, notes, keys)}
        if before or after:
            node["before"], node["after"] = before, after
        if behaviour == "name":
            ref = child.get("ref")
            node["kind"], node["ref"] = tag, ref
            if keys and ref in keys:
                node["entity"] = keys[ref]
        elif behaviour == "link":
            node["href"] = safe_href(child.get("target"))
        elif behaviour == "date":
            node["when"] = child.get("when") or child.get("from") or child.get("notBefore")
        elif behaviour == "emphasis":
            node["rend"] = child.get("rend", "italic")
        elif behaviour == "foreign":
            node["lang"] = child.get(_XML_LANG)
        return node
    if behaviour == "gap":
        desc = _first_child(child, ("desc",))
        reason = child.get("reason", "")
        shown = _string_value(desc).strip() if desc is not None else GAP_TEXT.get(reason, "...")
        return {"t": "gap", "reason": reason, "text": f"{before}{shown}{after}"}
    if behaviour == "note":
        if not notes:
            return None
        return {"t": "note", "n": child.get("n"), "id": child.get(_XML_ID), "c": inlines(child, keys=keys)}
    if behaviour == "break":
        return {"t": "break"}
    if behaviour == "page":
        return {"t": "page", "text": f"{before}{child.get('n', '')}{after}"}
    # choice
    shown = _first_child(child, ("corr", "expan", "reg"))
    other = _first_child(child, ("sic", "abbr", "orig"))
    return {"t": "choice", "c": inlines(shown, keys=keys) if shown is not None else inlines(child, keys=keys),
            "alt": plain(other) if other is not None else ""}


def _first_child(element: etree._Element, names: tuple[str, ...]) -> etree._Element | None:
    """The first TEI child called names[0], else names[1] ... (one look at the children:
    element.find() per name costs more)."""
    firsts: dict = {}
    for child in element:
        firsts.setdefault(child.tag, child)
    for name in names:
        found = firsts.get(f"{_TEI}{name}")
        if found is not None:  # (an element without children is falsy: test for None)
            return found
    return None


def _string_value(element: etree._Element) -> str:
    """"".join(element.itertext()): for an element of text alone, its text."""
    return (element.text or "") if not len(element) else "".join(element.itertext())


_WHITESPACE = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    """Whitespace runs as one space (most text has none: skip the regex then)."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _WHITESPACE.sub(" ", text)
    return text


def _trim(nodes: list[dict]) -> list[dict]:
    """Trim the ends of a run of inlines (their text nodes' whitespace runs are collapsed by _inlines):
    text nodes of whitespace alone go, the text at either end loses its spaces."""
    while nodes and nodes[0]["t"] == "text":
        first = nodes[0]
        text = first["text"].lstrip()
        if text:
            first["text"] = text
            break
        nodes.pop(0)
    while nodes and nodes[-1]["t"] == "text":
        last = nodes[-1]
        text = last["text"].rstrip()
        if text:
            last["text"] = text
            break
        nodes.pop()
    return nodes


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
    if not len(element):  # no child nodes (most header fields): its text is all there is
        return _squeeze(element.text or "").strip()
    return _squeeze(plain_inlines(inlines(element, notes=False))).strip()


# ---------------------------------------------------------------------------
# blocks


_LINES = frozenset(("salute", "signed", "dateline"))
_GROUPS = frozenset(tag for tag, (behaviour, _, _) in BEHAVIOURS.items() if behaviour == "group")
_HEADINGS = frozenset(tag for tag, (behaviour, _, _) in BEHAVIOURS.items() if behaviour == "heading")


def _blocks(parent: etree._Element, counter: list[int], keys: dict[str, str] | None) -> list[dict]:
    out: list[dict] = []
    for child in parent:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        tag = tag.rpartition("}")[2]  # (local(child))
        # the commonest first: every tag takes one branch, whatever the order of the tests
        if tag == "p":
            counter[0] += 1
            n = counter[0]
            out.append({"kind": "paragraph", "n": n, "id": child.get(_XML_ID) or f"p{n}",
                        "c": inlines(child, keys=keys)})
        elif tag in _LINES:
            out.append({"kind": "line", "role": tag, "c": inlines(child, keys=keys)})
        elif tag == "div":
            out.append({"kind": "section", "type": child.get("type"), "subtype": child.get("subtype"),
                        "lang": child.get(_XML_LANG), "blocks": _blocks(child, counter, keys)})
        elif tag in _HEADINGS:
            out.append({"kind": "heading", "c": inlines(child, keys=keys)})
        elif tag in _GROUPS:
            out.append({"kind": tag, "blocks": _group(child, counter, keys)})
        elif tag == "list":
            out.append({"kind": "list", "rend": child.get("rend", "bulleted"),
                        "items": [inlines(item, keys=keys) for item in child.findall("tei:item", NS)]})
        elif tag == "table":
            out.append({"kind": "table", "rows": [[inlines(cell, keys=keys) for cell in row.findall("tei:cell", NS)]
                                                  for row in child.findall("tei:row", NS)]})
        elif tag == "quote" and child.find("tei:p", NS) is not None:
            out.append({"kind": "quote", "blocks": _blocks(child, counter, keys)})
        elif tag == "seg":
            out.append({"kind": "line", "role": child.get("type") or "seg", "c": inlines(child, keys=keys)})
        elif tag in ("gap", "pb", "note"):
            node = _inline(child, tag, True, keys)
            out.append({"kind": "line", "role": tag, "c": [node] if node else []})
        else:  # an element the table does not know: show its text, never drop it
            out.append({"kind": "line", "role": tag, "c": inlines(child, keys=keys)})
    return out


def _group(element: etree._Element, counter: list[int], keys: dict[str, str] | None) -> list[dict]:
    """Opener, closer, postscript: their lines; text directly inside becomes a line too."""
    blocks = _blocks(element, counter, keys)
    if (element.text or "").strip() or any((c.tail or "").strip() for c in element):
        return [{"kind": "line", "role": local(element), "c": inlines(element, keys=keys)}]
    return blocks


def body_blocks(root: etree._Element, keys: dict[str, str] | None = None) -> list[dict]:
    """The text of a TEI document as blocks; paragraphs numbered in document order.
    A name whose @ref points at an entry of the document's standOff carries the entry's
    register key ("entity"), for the editions to link it. keys: those entries' keys as
    header_fields_and_keys(root) gives them, when the caller has them (else read here)."""
    body = _body(root)
    if body is None:
        return []
    if keys is None:
        keys = _entity_keys(root)
    return _blocks(body, [0], keys or None)  # (names marked as they are read)


def _body(root: etree._Element) -> etree._Element | None:
    """root.find("tei:text/tei:body"), without parsing the path on every call."""
    for text in root.iterchildren(f"{_TEI}text"):
        for body in text.iterchildren(f"{_TEI}body"):
            return body
    return None


_STAND_OFF = f"{_TEI}standOff"


_ENTRY_TAGS = {f"{{{TEI_NS}}}{kind}": kind for kind in ("person", "org", "place")}
_ENTRY_NAMES = ("persName", "orgName", "placeName")
_IDNO = f"{_TEI}idno"


def _entries(root: etree._Element) -> list[etree._Element]:
    # (find() parses its path each time; a loop over the root's few children costs less
    # than setting up iterchildren(tag))
    stand_off = next((child for child in root if child.tag == _STAND_OFF), None)
    return [] if stand_off is None else [e for e in stand_off.iter(*_ENTRY_TAGS)]


def _entity_key(entry: etree._Element) -> str:
    """An entry's key across the edition: its register id, else its own xml:id."""
    for idno in entry.iterchildren(_IDNO):
        if idno.get("type") == "register":
            return _key_of(entry, idno)
    return _key_of(entry, None)


def _key_of(entry: etree._Element, register: etree._Element | None) -> str:
    """_entity_key, given the entry's first idno[@type='register'] (None: it has none)."""
    text = register.text if register is not None else None
    if text and text.strip():
        return text.strip()
    return entry.get(_XML_ID) or ""


def _entity_keys(root: etree._Element) -> dict[str, str]:
    """@ref value ("#<xml:id>") -> entity key, for the entries of the document's standOff."""
    keys = {}
    for entry in _entries(root):
        xml_id = entry.get(_XML_ID)  # (an lxml call costs more than a Python one: each made once)
        if xml_id:
            keys[f"#{xml_id}"] = _entity_key(entry)
    return keys


_P = f"{_TEI}p"


def _paragraph_mentions(root: etree._Element) -> dict[str, list[int]]:
    """@ref -> numbers of the paragraphs that mention it (numbered as body_blocks numbers them)."""
    body = _body(root)
    where: dict[str, list[int]] = {}
    if body is None:
        return where
    # a note's paragraphs are not numbered: found once, from the notes ("{*}": any
    # namespace, or none), instead of looking up the ancestors of every paragraph. (The
    # set keeps their proxies alive, so body.iter() hands back the very same objects.)
    in_notes = {p for note in body.iter("{*}note") for p in note.iter(_P)}
    n = 0
    for p in body.iter(_P):
        if p in in_notes:
            continue
        n += 1
        for element in p.iter(etree.Element):  # (elements only: no comments)
            ref = element.get("ref")
            if ref and (not where.get(ref) or where[ref][-1] != n):
                where.setdefault(ref, []).append(n)
    return where


def entities(root: etree._Element, entries: list[etree._Element] | None = None) -> list[dict]:
    """The register entries a document carries in its standOff: key, kind, preferred name,
    authority URIs, and the paragraphs that mention it (entries: _entries(root), if known)."""
    return [entity for _, entity in _entities(root, _entries(root) if entries is None else entries)]


def _entities(root: etree._Element, entries: list[etree._Element]) -> list[tuple[str | None, dict]]:
    """entities(), each with its entry's xml:id."""
    if not entries:
        return []  # (without a register there is nothing to look up in the text)
    where = _paragraph_mentions(root)
    out = []
    for entry in entries:
        # the entry's names (any namespace), first register idno and URI idnos, in one pass
        names, register, uri_idnos = [], None, []
        for child in entry:
            tag = child.tag
            if tag == _IDNO:
                kind = child.get("type")
                if kind == "register" and register is None:
                    register = child
                elif kind == "URI":
                    uri_idnos.append(child)
            elif isinstance(tag, str) and tag.rpartition("}")[2] in _ENTRY_NAMES:
                names.append(child)
        preferred = names[0] if names else None
        for name in names:
            if name.get("type") == "preferred":
                preferred = name
                break
        key = _key_of(entry, register)
        xml_id = entry.get(_XML_ID)
        out.append((xml_id, {
            "key": key,
            "kind": _ENTRY_TAGS[entry.tag],
            "name": plain(preferred) or key,
            "uris": [u for u in (plain(i) for i in uri_idnos) if safe_href(u)],
            "paragraphs": where.get(f"#{xml_id}", []),
        }))
    return out


# ---------------------------------------------------------------------------
# header


def _children(parents: list[etree._Element], name: str, type: str | None = None) -> list[etree._Element]:
    """The TEI <name> children (with @type=type when given) of each parent, in document order:
    one XPath child step."""
    tag = f"{_TEI}{name}"  # (a loop over the few children costs less than iterchildren(tag) sets up)
    return [c for p in parents for c in p if c.tag == tag and (type is None or c.get("type") == type)]


# The header elements header_fields reads, by their path below teiHeader (at() reads no other).
_HEADER_PATHS = (
    "fileDesc/titleStmt/title", "fileDesc/titleStmt/author", "fileDesc/titleStmt/respStmt",
    "fileDesc/titleStmt/funder", "fileDesc/publicationStmt/publisher", "fileDesc/publicationStmt/idno",
    "fileDesc/publicationStmt/availability/licence", "fileDesc/sourceDesc/bibl", "fileDesc/sourceDesc/bibl/date",
    "fileDesc/sourceDesc/msDesc/msIdentifier", "fileDesc/sourceDesc/msDesc/msContents/msItem/locus",
    "fileDesc/notesStmt/relatedItem", "profileDesc", "profileDesc/correspDesc/correspAction",
    "profileDesc/textClass/keywords/term", "profileDesc/langUsage/language", "profileDesc/abstract",
    "encodingDesc/projectDesc", "encodingDesc/editorialDecl", "revisionDesc/change")


def _path_trie(paths: tuple[str, ...]) -> dict:
    """The paths as a tree: Clark tag -> [the path ending there or None, the tree below]."""
    trie: dict = {}
    for path in paths:
        below = trie
        for name in path.split("/"):
            step = below.setdefault(f"{_TEI}{name}", [None, {}])
            below = step[1]
        step[0] = path
    return trie


_HEADER_TRIE = {f"{_TEI}teiHeader": [None, _path_trie(_HEADER_PATHS)]}


def _header_index(root: etree._Element) -> dict[str, list[etree._Element]]:
    """The elements at the paths of _HEADER_PATHS by path, each list in document order.
    One walk down the paths' tree visits only the children of the elements on a path (a
    union of XPath queries, sorted into document order and grouped after, cost more)."""
    found: dict[str, list[etree._Element]] = {}
    _walk(root, _HEADER_TRIE, found)
    return found


def _walk(parent: etree._Element, trie: dict, found: dict[str, list[etree._Element]]) -> None:
    for child in parent:
        step = trie.get(child.tag)  # (a comment's tag is a function: in no trie)
        if step is not None:
            path, below = step
            if path is not None:
                elements = found.get(path)
                if elements is None:
                    found[path] = [child]
                else:
                    elements.append(child)
            if below:
                _walk(child, below, found)


def _children_by_name(parent: etree._Element, names: dict[str, str]) -> dict[str, list[etree._Element]]:
    """The children of parent named in names (Clark tag -> name), by name, each list in
    document order: what XPath child steps find, for every name at once."""
    found: dict[str, list[etree._Element]] = {}
    for child in parent:
        name = names.get(child.tag)  # (a comment's tag is a function: in no names)
        if name is not None:
            found.setdefault(name, []).append(child)
    return found


_ARCHIVE_PARTS = {f"{_TEI}{name}": name
                  for name in ("country", "settlement", "repository", "collection", "idno", "altIdentifier")}
_NUM = f"{_TEI}num"


def _first_plain(elements: list[etree._Element] | None) -> str:
    return plain(elements[0]) if elements else ""


_RESP = f"{_TEI}resp"
_IS_TRANSLATION = etree.XPath("starts-with(tei:resp, 'Transl')", namespaces=NS)


def _is_translation(resp_stmt: etree._Element) -> bool:
    """XPath's starts-with(tei:resp, 'Transl'); a resp of text alone (all of them, nearly) is read
    without the XPath engine, one with markup by it (its string value counts an entity's text)."""
    resp = next((child for child in resp_stmt if child.tag == _RESP), None)  # (cheaper than iterchildren(tag))
    if resp is None:
        return False
    if not len(resp):
        return (resp.text or "").startswith("Transl")
    return _IS_TRANSLATION(resp_stmt)


def _date(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    get = element.get
    when, start, not_before = get("when"), get("from"), get("notBefore")
    iso = when or start or not_before
    return {"text": plain(element), "when": when, "from": start, "to": get("to"), "notBefore": not_before,
            "notAfter": get("notAfter"), "iso": iso, "year": iso[:4] if iso else None}


_CREATION, _CORRESP_DESC = f"{_TEI}creation", f"{_TEI}correspDesc"


def _sent_date(profiles: list[etree._Element]) -> etree._Element | None:
    """The first, in document order, of correspAction[@type='sent']/date and creation/date."""
    for profile in profiles:
        for child in profile:
            tag = child.tag  # (read once: lxml makes the string at every read)
            if tag == _CREATION:
                dates = _children([child], "date")
            elif tag == _CORRESP_DESC:
                dates = _children(_children([child], "correspAction", "sent"), "date")
            else:
                continue
            if dates:
                return dates[0]
    return None


def _archives(identifiers: list[etree._Element], loci: list[etree._Element]) -> list[dict]:
    """Every msIdentifier and, after each, its altIdentifiers; the loci set on the one they name."""
    idents = []
    for ident in identifiers:
        fields = _children_by_name(ident, _ARCHIVE_PARTS)
        idents.append((ident, fields))
        idents += [(alt, _children_by_name(alt, _ARCHIVE_PARTS)) for alt in fields.get("altIdentifier", ())]
    archives = []
    for ident, fields in idents:
        archives.append({
            "id": ident.get(_XML_ID),
            "country": _first_plain(fields.get("country")),
            "settlement": _first_plain(fields.get("settlement")),
            "repository": _first_plain(fields.get("repository")),
            "collection": "; ".join([plain(c) for c in fields.get("collection", ())]),
            "idno": "; ".join([plain(i) for i in fields.get("idno", ())]),
            "locus": "",
        })
    for locus in loci:
        target = (locus.get("corresp") or "").lstrip("#")
        for archive in archives:
            if (archive["id"] or "") == target or (not target and archive is archives[0]):
                archive["locus"] = plain(locus)
                break
    return archives


def _names(elements: list[etree._Element], keys: dict[str, str] | None = None) -> list[dict]:
    out = []
    for action in elements:
        for name in action:
            tag = local(name)
            if tag in ("persName", "orgName", "placeName", "name"):
                ref = name.get("ref")
                out.append({"name": plain(name), "kind": tag, "ref": ref, "entity": (keys or {}).get(ref)})
    return out


def _conversion(changes: list[etree._Element]) -> dict:
    """The first change[@type='conversion']: when, by which version, from which file."""
    change = next((c for c in changes if c.get("type") == "conversion"), None)
    if change is None:
        return {"when": None, "version": "", "source_file": "", "sha256": ""}
    firsts: dict = {}  # (Clark tag, @type) -> the first such child
    for child in change:
        firsts.setdefault((child.tag, child.get("type")), child)
    return {"when": change.get("when"),
            "version": plain(firsts.get((_NUM, "version"))),
            "source_file": plain(firsts.get((_IDNO, "source-file"))),
            "sha256": plain(firsts.get((_IDNO, "sha256")))}


def _typed(elements: list[etree._Element] | None, type: str) -> list[etree._Element]:
    """The elements with @type=type (XPath's [@type='...'])."""
    return [e for e in elements or () if e.get("type") == type]


def _by_type(elements: list[etree._Element]) -> dict[str | None, list[etree._Element]]:
    """The elements by @type (None: without one), each list in document order: what XPath's
    [@type='...'] finds, for every type at once (one look at each element's @type)."""
    groups: dict[str | None, list[etree._Element]] = {}
    for element in elements:
        kind = element.get("type")
        found = groups.get(kind)
        if found is None:
            groups[kind] = [element]
        else:
            found.append(element)
    return groups


def header_fields(root: etree._Element) -> dict:
    """Every header field an edition shows, as plain data (strings with brackets back)."""
    return header_fields_and_keys(root)[0]


def header_fields_and_keys(root: etree._Element) -> tuple[dict, dict[str, str]]:
    """header_fields(root), and the keys of the entries of the document's standOff by @ref
    value ("#<xml:id>" -> entity key), which it reads anyway: body_blocks(root, keys) then
    need not read the standOff again."""
    header = _header_index(root)

    def at(path: str) -> list[etree._Element]:  # the elements at teiHeader/<path>
        found = header.get(path)
        if found is None:
            assert path in _HEADER_PATHS, f"add {path} to _HEADER_PATHS"
            return []
        return found

    actions = _by_type(at("profileDesc/correspDesc/correspAction"))
    sent = actions.get("sent", [])
    read = _entities(root, _entries(root))
    entity_list = [entity for _, entity in read]
    keys = {f"#{xml_id}": entity["key"] for xml_id, entity in read if xml_id}  # (_entity_keys(root), known already)
    translators = [r for r in at("fileDesc/titleStmt/respStmt") if _is_translation(r)]
    licences = at("fileDesc/publicationStmt/availability/licence")
    rights = [plain(p) for lic in licences if not lic.get("target") for p in (_children([lic], "p") or [lic])]
    edition_licence = next(({"text": plain(lic), "url": safe_href(lic.get("target"))}
                            for lic in licences if lic.get("target")), None)
    keywords: dict[str, list[str]] = {}
    for term in at("profileDesc/textClass/keywords/term"):
        keywords.setdefault(term.get("type") or "keyword", []).append(plain(term))
    editorial = []
    for decl in at("encodingDesc/editorialDecl"):
        for part in decl:
            tag = part.tag  # (read once: lxml makes the string at every read)
            if isinstance(tag, str):  # (not a comment)
                paragraphs = [plain(p) for p in part if p.tag == _P] or [plain(part)]  # (part: any element)
                editorial.append({"part": tag.rpartition("}")[2], "paragraphs": paragraphs})
    publication_ids = _by_type(at("fileDesc/publicationStmt/idno"))
    bibls = _by_type(at("fileDesc/sourceDesc/bibl"))
    return {
        "id": root.get(_XML_ID),
        "lang": root.get(f"{{{XML_NS}}}lang") or "en",
        "title": _first_plain(at("fileDesc/titleStmt/title")),
        "date": _date(_sent_date(at("profileDesc"))),
        "type": (keywords.get("document-type") or [""])[0],
        "type_label": (keywords.get("archive-type") or [""])[0],
        "senders": _names(sent, keys),
        "recipients": _names(actions.get("received", ()), keys),
        "via": _names(actions.get("transmitted", ()), keys),
        "entities": entity_list,
        "place_sent": _first_plain(_children(sent, "placeName")),
        "authors": [plain(a) for a in at("fileDesc/titleStmt/author")],
        "summary": " ".join(plain(p) for p in _children(at("profileDesc/abstract"), "p")),
        "archives": _archives(at("fileDesc/sourceDesc/msDesc/msIdentifier"),
                              at("fileDesc/sourceDesc/msDesc/msContents/msItem/locus")),
        "printed": [plain(b) for b in bibls.get("printed", ())],
        "citation": _first_plain(bibls.get("citation")),
        "translators": [plain(n) for r in translators for n in r if local(n) != "resp"],
        "translation": _first_plain(_children(translators[:1], "resp")),
        "funders": [plain(f) for f in at("fileDesc/titleStmt/funder")],
        "publisher": _first_plain(at("fileDesc/publicationStmt/publisher")),
        "edition_url": _first_plain(publication_ids.get("URL")),
        "record_id": _first_plain(publication_ids.get("record")),
        "url": _first_plain(publication_ids.get("URI")),
        "rights": rights,
        "licence": edition_licence,
        "uploaded": _date(next(iter(_typed(at("fileDesc/sourceDesc/bibl/date"), "uploaded")), None)),
        "languages": [{"ident": lang.get("ident"), "name": plain(lang)}
                      for lang in at("profileDesc/langUsage/language")],
        "keywords": {k: v for k, v in keywords.items() if k not in ("document-type", "archive-type")},
        "related": [plain(b) for b in _children(at("fileDesc/notesStmt/relatedItem"), "bibl")],
        "project": " ".join(plain(p) for p in _children(at("encodingDesc/projectDesc"), "p")),
        "editorial": editorial,
        "conversion": _conversion(at("revisionDesc/change")),
    }, keys


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
    fields, keys = header_fields_and_keys(root)
    return {"header": fields, "body": body_blocks(root, keys), "cite": how_to_cite(fields), "teins": TEI_NS}
