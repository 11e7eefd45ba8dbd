"""TEI tree + schema -> problems an editor can act on.

Two validators run one schema (schema/teipress.xsd). lxml's libxml2 validator gives the
verdict: it is fast enough for every build of a whole collection. Only when it says
"invalid" does xmlschema validate the same tree again, because its errors carry what
libxml2's do not: the parent and position of an unexpected child, the elements expected
instead, and the attribute at fault. Then the rules beyond the grammar
(``teipress.rules``) run on every tree, valid or not.

Every problem is reported where the editor has to act: a misplaced element at its own
start tag, a missing child at its parent's start tag, a bad attribute at its element's
start tag (line and column of the '<', computed from the source because libxml2 records
the line where a start tag ends).

Files are read defensively: a size limit, no DOCTYPE at all (so no DTD, no external or
internal entities, no entity-expansion bomb ever reaches the parser), no network.
"""

from __future__ import annotations

import bisect
import difflib
import importlib.util
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from teipress.config import SCHEMA_NAME
from teipress.errors import InputError
from teipress.model import Issue
from teipress.rules import Finding, check_rules
from teipress.tei import TEI_NS, XML_NS
from teipress.xmlio import MAX_XML_BYTES, safe_parser

XS_NS = "http://www.w3.org/2001/XMLSchema"
CMIF_NAME = "cmif.xml"  # follows CMIF's own schema; the harvest stage checks it (GUIDE §6)
T = f"{{{TEI_NS}}}"
SUBSET_README = "schema/README.md"
ACTION_TYPES = ["sent", "received", "transmitted", "redirected", "forwarded"]
# What HTML habits mean in TEI, for "did you mean" hints.
HTML_TO_TEI = {"b": "hi", "i": "hi", "em": "hi", "strong": "hi", "u": "hi", "sup": "hi", "sub": "hi",
               "a": "ref", "br": "lb", "span": "seg", "ul": "list", "ol": "list", "li": "item",
               "blockquote": "quote", "tr": "row", "td": "cell", "th": "cell", "h1": "head", "h2": "head",
               "h3": "head", "abbrev": "abbr", "footnote": "note"}

# Where each container's children go, for hints on misplaced children.
ORDER_HINTS = {
    "TEI": "teiHeader, then text with an optional standOff before or after it (a register: standOff alone)",
    "teiHeader": "fileDesc, then encodingDesc, profileDesc, revisionDesc (each optional, in this order)",
    "fileDesc": "titleStmt, publicationStmt, an optional notesStmt, then sourceDesc",
    "titleStmt": "title first, then author, editor, funder, sponsor, principal, respStmt",
    "publicationStmt": "publisher first, then pubPlace, date, idno, availability, ref, ptr",
    "msDesc": "msIdentifier first, then paragraphs or msContents",
    "msIdentifier": "country, region, settlement, institution, repository, collection, idno, "
                    "then msName and altIdentifier",
    "altIdentifier": "country, region, settlement, institution, repository, collection, idno (required), note",
    "msItem": "locus first, then title, author, textLang, bibl, idno, note (or paragraphs)",
    "div": "head and opener first, then paragraphs, lists, tables, quotes (or nested divs), "
           "then closer and postscript",
    "body": "div elements, or paragraphs, lists, tables and quotes followed by divs",
    "postscript": "a paragraph (or list, table, quote) first, then more of them, then closer",
    "list": "an optional head, then item elements",
    "table": "an optional head, then row elements",
    "respStmt": "resp then names (persName, orgName, name), or names then resp; notes last",
    "person": "persName first, then idno, birth, death, note, ref, ptr",
    "org": "orgName first, then idno, then note, ref, ptr",
    "place": "placeName first, then location, then idno, note, ref, ptr",
    "choice": "sic and corr, or abbr and expan (in either order)",
}


@dataclass(frozen=True)
class Problem(Issue):
    """An Issue with a hint: what is expected instead."""

    hint: str | None = None


@dataclass
class FileResult:
    path: Path
    status: str  # valid | invalid | skipped
    issues: list[Issue] = field(default_factory=list)
    note: str | None = None  # why a file was skipped
    root: etree._Element | None = field(default=None, repr=False)  # the parsed TEI, for callers that go on

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


@dataclass
class ValidationRun:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.status == "invalid" for f in self.files)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def problems(self) -> int:
        return sum(len(f.errors) for f in self.files)


# ---------------------------------------------------------------------------
# the schema


def schema_path() -> Path:
    """The project's schema: packaged beside the code when installed, else schema/ of the checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "schema" / SCHEMA_NAME, here.parents[1] / "schema" / SCHEMA_NAME):
        if candidate.is_file():
            return candidate
    raise InputError(f"the schema {SCHEMA_NAME} is missing", path=str(here.parents[1] / "schema" / SCHEMA_NAME),
                     hint="reinstall teipress")


@lru_cache(maxsize=1)
def xml_namespace_schema() -> str:
    """The W3C schema of the xml namespace (xml:id, xml:lang) shipped with xmlschema, as a file URI.

    Found without importing xmlschema (a fifth of a second), which valid files never need.
    """
    spec = importlib.util.find_spec("xmlschema")
    shipped = Path(spec.origin).parent / "schemas" / "XML" / "xml.xsd" if spec and spec.origin else None
    if shipped is not None and shipped.is_file():
        return shipped.as_uri()
    from xmlschema.locations import FALLBACK_LOCATIONS

    return FALLBACK_LOCATIONS[XML_NS]


def schema_document(path: Path) -> etree._ElementTree:
    """The XSD with its import of the xml namespace pointed at the local copy (lxml cannot go online)."""
    tree = etree.parse(str(path), safe_parser())
    for element in tree.getroot().iter(f"{{{XS_NS}}}import"):
        if element.get("namespace") == XML_NS:
            element.set("schemaLocation", xml_namespace_schema())
    return tree


@lru_cache(maxsize=4)
def _lxml_schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(schema_document(path))


@lru_cache(maxsize=4)
def _rich_schema(path: Path):
    import xmlschema

    return xmlschema.XMLSchema10(str(path), locations=[(XML_NS, xml_namespace_schema())], allow="local")


@lru_cache(maxsize=1)
def tei_names() -> tuple[frozenset[str], frozenset[str]]:
    """All TEI P5 element and attribute names (to tell 'outside our subset' from 'not TEI')."""
    sections: dict[str, set[str]] = {"elements": set(), "attributes": set()}
    current = None
    for line in (Path(__file__).parent / "data" / "tei_names.txt").read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = sections[line.strip("[]")]
        elif current is not None:
            current.update(line.split())
    return frozenset(sections["elements"]), frozenset(sections["attributes"])


# ---------------------------------------------------------------------------
# the validator


class Validator:
    """The schema loaded once; check() any number of parsed TEI trees."""

    def __init__(self, schema: Path | None = None):
        self.schema_file = Path(schema) if schema else schema_path()
        self.schema = _lxml_schema(self.schema_file)
        # One parser for every file: libxml2 then reuses its dictionary of names, which
        # halves the parsing time of a collection. (Parsers are not shared across threads.)
        self.parser = safe_parser(collect_ids=False)

    @property
    def rich(self):
        """The xmlschema validator (loaded on first need: about a second)."""
        return _rich_schema(self.schema_file)

    def is_valid(self, root: etree._Element) -> bool:
        """The grammar's verdict alone (lxml)."""
        return self.schema.validate(_document(root))

    def check(self, root: etree._Element, path: str = "", source: bytes | None = None) -> list[Issue]:
        """Problems of one TEI document: grammar, then rules; sorted by line.

        path: the file the tree was parsed from; source: its bytes. Either gives exact start-tag
        positions (the tree's own URL is tried too); without them libxml2's lines are used.
        """
        if root.tag != T + "TEI" and etree.QName(root).localname == "TEI":
            findings = [Finding(root, "tei-namespace", "the root element <TEI> is not in the TEI namespace",
                                f"write <TEI xmlns=\"{TEI_NS}\">")]
        else:
            findings = [] if self.is_valid(root) else self._grammar(root)
            rules = check_rules(root) if root.tag == T + "TEI" else []
            covered = {(id(f.element), f.attribute) for f in rules if f.attribute}
            findings = [f for f in findings if not (f.attribute and (id(f.element), f.attribute) in covered)]
            findings += rules
        return _locate(root, findings, source, path)

    def check_file(self, path: Path) -> FileResult:
        """Read, parse and check one file; hostile or broken XML is refused with a located error."""
        if path.name == CMIF_NAME:
            return FileResult(path, "skipped", note="a CMIF file: the harvest stage checks it against CMIF's schema")
        try:
            size = path.stat().st_size
            if size > MAX_XML_BYTES:
                return _refused(path, "xml-too-large",
                                f"the file is {size:,} bytes; teipress reads XML files up to {MAX_XML_BYTES:,} bytes",
                                "keep one document per TEI file")
            data = path.read_bytes()
        except OSError as exc:
            return _refused(path, "file-unreadable", f"cannot read the file: {exc.strerror}")
        return self.check_data(data, path)

    def check_data(self, data: bytes, path: Path) -> FileResult:
        """Parse and check a file's bytes (already read, e.g. by the build, which needs them too)."""
        name = str(path)
        doctype = _doctype_position(data)
        if doctype is not None:
            return _refused(path, "xml-doctype",
                            "a DOCTYPE declaration is not allowed: teipress never reads DTDs or entity declarations",
                            "remove the <!DOCTYPE ...> declaration: TEI P5 needs none; write characters "
                            "such as a no-break space directly (or as &#160;)", *doctype)
        try:
            tree = etree.ElementTree(etree.fromstring(data, self.parser, base_url=name))
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (None, None)
            message = re.sub(r",? line \d+, column \d+$", "", exc.msg or str(exc))
            message = message.replace(", use XML_PARSE_HUGE option", "")
            return _refused(path, "xml-malformed", f"not well-formed XML: {message}",
                            _syntax_hint(message), line, column)
        info = tree.docinfo
        if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
            return _refused(path, "xml-doctype", "a DOCTYPE declaration is not allowed", None, 1, 1)
        root = tree.getroot()
        local = etree.QName(root).localname
        if local not in ("TEI", "teiCorpus"):
            return FileResult(path, "skipped", note=f"not a TEI document (root element <{local}>)")
        if local == "teiCorpus":
            issue = Problem("error", "outside-subset",
                            "<teiCorpus> is TEI, but outside the teipress subset: one document per file",
                            root.sourceline, 1, "/teiCorpus", "split the corpus into one <TEI> file per document")
            return FileResult(path, "invalid", [issue])
        issues = self.check(root, name, data)
        status = "invalid" if any(i.severity == "error" for i in issues) else "valid"
        return FileResult(path, status, issues, root=root)

    # -- grammar diagnostics ---------------------------------------------------

    def _grammar(self, root: etree._Element) -> list[Finding]:
        """Why the grammar failed, from xmlschema; libxml2's own log if xmlschema finds nothing."""
        findings: list[Finding] = []
        seen = set()
        try:
            for error in self.rich.iter_errors(root):
                finding = self._explain(error)
                if finding is None:
                    continue
                key = (id(finding.element), finding.rule, finding.attribute, finding.message)
                if key not in seen:
                    seen.add(key)
                    findings.append(finding)
        except Exception:  # noqa: BLE001 - a third-party validator on hostile input: keep the verdict
            findings = []
        if not findings:  # xmlschema found nothing (or failed): fall back to libxml2's words
            findings = self._libxml2_findings(root)
        return findings

    def _libxml2_findings(self, root: etree._Element) -> list[Finding]:
        """libxml2's log as findings: its lines (where a start tag ends) and its messages."""
        self.schema.validate(_document(root))
        findings, seen = [], set()
        for entry in self.schema.error_log:
            message = _strip_ns(entry.message)
            named = re.match(r"Element '([^']+)'", message)
            element = _element_at_line(root, entry.line, named.group(1) if named else None)
            match = re.match(r"Element '[^']+', attribute '([^']+)': (.*)", message)
            attribute = _attr_name(match.group(1)) if match else None
            if (id(element), attribute or message) in seen:
                continue  # libxml2 reports a list attribute twice: the item and the list
            seen.add((id(element), attribute or message))
            findings.append(Finding(element, "attribute-value" if match else "schema",
                                    f"@{attribute} on <{_name(element)}>: {match.group(2)}" if match else message,
                                    _attribute_hint(element, attribute, self) if match else None, attribute))
        return findings

    def _explain(self, error) -> Finding | None:
        element = error.elem
        if element is None or not isinstance(element.tag, str):
            return None
        reason = error.reason or ""
        index = getattr(error, "index", None)
        if type(error).__name__ == "XMLSchemaChildrenValidationError":
            expected = _expected_names(error)
            if index is not None and index < len(element) and reason.startswith("Unexpected child"):
                return self._unexpected(element, element[index], expected)
            return self._missing(element, expected)
        if "can't have child elements" in reason:
            child = next((c for c in element if isinstance(c.tag, str)), element)
            return Finding(child, "element-misplaced",
                           f"<{_name(child)}> is not allowed inside <{_name(element)}>, which holds text only",
                           f"keep <{_name(element)}> plain text")
        if "character data" in reason:
            return Finding(element, "text-not-allowed", f"text is not allowed directly inside <{_name(element)}>",
                           f"put it inside one of: {', '.join(self._children_of(element)) or 'nothing'}")
        match = re.search(r"'([^']+)' attribute not allowed", reason)
        if match:
            return self._attribute_not_allowed(element, match.group(1))
        match = re.search(r"missing required attribute '([^']+)'", reason)
        if match:
            attribute = _attr_name(match.group(1))
            return Finding(element, "attribute-missing", f"<{_name(element)}> lacks the required @{attribute}",
                           _attribute_hint(element, attribute, self), attribute)
        match = re.match(r"attribute (\S+?)=(['\"])(.*?)\2: (.*)", reason, re.S)
        if match:
            return self._attribute_value(element, _attr_name(match.group(1)), match.group(3), match.group(4))
        if "duplicated xs:ID" in reason:
            return Finding(element, "id-duplicate", _strip_ns(reason), attribute="xml:id")
        return Finding(element, "schema", _strip_ns(reason))

    def _unexpected(self, parent, child, expected: list[str]) -> Finding:
        if not isinstance(child.tag, str):
            return Finding(parent, "schema", f"unexpected content in <{_name(parent)}>")
        qname = etree.QName(child)
        name, where = qname.localname, _name(parent)
        tei_elements, _ = tei_names()
        if qname.namespace != TEI_NS:
            namespace = f"the namespace {qname.namespace}" if qname.namespace else "no namespace"
            if name in tei_elements:
                return Finding(child, "element-unknown", f"<{name}> is in {namespace}, not in TEI's",
                               f"TEI elements are in the namespace {TEI_NS}: remove the xmlns declaration "
                               "that moves it out")
            return Finding(child, "element-unknown", f"<{name}> (in {namespace}) is not a TEI element",
                           f"<{where}> may contain: {', '.join(self._children_of(parent)) or 'no elements'}")
        if name not in self._subset():
            if name in tei_elements:
                return Finding(child, "outside-subset",
                               f"<{name}> is TEI, but outside the teipress subset",
                               f"see {SUBSET_README} for the elements teipress accepts; in <{where}> they are: "
                               f"{', '.join(self._children_of(parent)) or 'none'}")
            close = difflib.get_close_matches(name, sorted(self._subset()), n=1, cutoff=0.75)
            lower = {n.lower(): n for n in self._subset()}
            suggestion = lower.get(name.lower()) or HTML_TO_TEI.get(name.lower()) or (close[0] if close else None)
            return Finding(child, "element-unknown", f"<{name}> is not a TEI element",
                           f"did you mean <{suggestion}>?" if suggestion else
                           f"<{where}> may contain: {', '.join(self._children_of(parent)) or 'no elements'}")
        allowed = self._children_of(parent)
        if name in allowed:
            present = {etree.QName(c).localname for c in parent if isinstance(c.tag, str)}
            required = [e for e in expected if e not in present]
            if required and len(expected) == 1:
                return Finding(parent, "element-missing", f"<{where}> lacks <{required[0]}> before <{name}>",
                               f"in <{where}>: {ORDER_HINTS.get(where, 'see ' + SUBSET_README)}")
            here = f"expected here: {', '.join('<' + e + '>' for e in expected)}; " if expected else ""
            return Finding(child, "element-order", f"<{name}> is out of place in <{where}>",
                           here + f"in <{where}>: {ORDER_HINTS.get(where, 'see ' + SUBSET_README)}")
        return Finding(child, "element-misplaced", f"<{name}> is not allowed inside <{where}>",
                       f"<{where}> may contain: {', '.join(allowed) or 'no elements'}")

    def _missing(self, parent, expected: list[str]) -> Finding:
        where = _name(parent)
        if len(expected) == 1:
            message = f"<{where}> lacks a required <{expected[0]}>"
        elif expected:
            message = f"<{where}> is incomplete: it needs one of {', '.join('<' + e + '>' for e in expected)}"
        else:
            message = f"<{where}> is incomplete"
        return Finding(parent, "element-missing", message,
                       f"in <{where}>: {ORDER_HINTS.get(where, 'see ' + SUBSET_README)}")

    def _attribute_not_allowed(self, element, raw: str) -> Finding:
        attribute = _attr_name(raw)
        _, tei_attributes = tei_names()
        allowed = self._attributes_of(element)
        hint = f"<{_name(element)}> takes: {', '.join('@' + a for a in allowed)}"
        if ":" not in attribute.replace("xml:", "") and attribute in tei_attributes:
            return Finding(element, "outside-subset",
                           f"@{attribute} on <{_name(element)}> is TEI, but outside the teipress subset",
                           hint, attribute)
        return Finding(element, "attribute-not-allowed", f"@{attribute} is not allowed on <{_name(element)}>",
                       hint, attribute)

    def _attribute_value(self, element, attribute: str, value: str, detail: str) -> Finding:
        where = _name(element)
        if where == "correspAction" and attribute == "type":
            close = difflib.get_close_matches(value, ACTION_TYPES, n=1, cutoff=0.6)
            return Finding(element, "corresp-action-type",
                           f"@type=\"{value}\" on <correspAction> is not one of {', '.join(ACTION_TYPES)}",
                           (f"did you mean \"{close[0]}\"? " if close else "") + "use one of those five values",
                           attribute)
        hint = _attribute_hint(element, attribute, self)
        message = f"@{attribute}=\"{value}\" on <{where}> is not a valid value"
        return Finding(element, "attribute-value", message if hint else f"{message}: {_strip_ns(detail)}",
                       hint, attribute)

    # -- what the schema allows ------------------------------------------------

    def _subset(self) -> frozenset[str]:
        return _subset_names(self.schema_file)

    def _declaration(self, element):
        qname = etree.QName(element)
        if qname.namespace != TEI_NS:
            return None
        return self.rich.elements.get(qname.localname)

    def _children_of(self, element) -> list[str]:
        decl = self._declaration(element)
        if decl is None or not decl.type.is_complex() or not hasattr(decl.type.content, "iter_elements"):
            return []
        return list(dict.fromkeys(etree.QName(e.name).localname for e in decl.type.content.iter_elements()))

    def _attributes_of(self, element) -> list[str]:
        decl = self._declaration(element)
        if decl is None:
            return []
        return [_attr_name(name) for name in decl.type.attributes if name]


@lru_cache(maxsize=4)
def _subset_names(schema_file: Path) -> frozenset[str]:
    tree = etree.parse(str(schema_file), safe_parser())
    return frozenset(e.get("name") for e in tree.getroot().iterchildren(f"{{{XS_NS}}}element"))


GLOBAL_ELEMENTS = {"gap", "note", "pb", "lb"}  # allowed almost anywhere: no news in a hint


def _expected_names(error) -> list[str]:
    names = []
    for particle in getattr(error, "expected", None) or []:
        name = getattr(particle, "name", None)
        if name:
            names.append(etree.QName(name).localname)
    names = list(dict.fromkeys(names))
    specific = [n for n in names if n not in GLOBAL_ELEMENTS]
    return specific or names


def _attribute_hint(element, attribute: str, validator: Validator) -> str | None:
    hints = {
        "xml:id": "an xml:id is an XML name: a letter or '_' first, then letters, digits, '-', '_' or '.'",
        "xml:lang": "a language tag such as en, zh or ru-Latn",
        "ident": "a language tag such as en, zh or ru-Latn",
        "mainLang": "a language tag such as en, zh or ru-Latn",
        "otherLangs": "language tags such as en zh, separated by spaces",
        "cert": "one of high, medium, low, unknown",
    }
    if attribute in hints:
        return hints[attribute]
    if attribute == "type" and _name(element) == "idno" and _name(element.getparent()) in ("person", "org", "place"):
        return "name the authority: @type=\"VIAF\", \"GND\", \"wikidata\", \"geonames\" or \"URI\""
    if attribute in ("ref", "target", "corresp", "resp", "source", "who"):
        return "one or more URIs separated by spaces; '#id' points into this document"
    decl = validator._declaration(element)
    if decl is not None:
        attr = decl.type.attributes.get(attribute)
        enumeration = getattr(getattr(attr, "type", None), "enumeration", None)
        if enumeration:
            return "one of " + ", ".join(enumeration)
    return None


def _document(root: etree._Element):
    """Validate the whole document when root is its root element (no copy), else the subtree."""
    tree = root.getroottree()
    return tree if tree.getroot() is root else root


SYNTAX_HINTS = [
    ("Entity", "XML knows only &amp; &lt; &gt; &quot; &apos;: write the character itself, "
               "or a numeric reference such as &#160; for a no-break space"),
    ("tag mismatch", "every start tag needs the matching end tag, in the right order"),
    ("Premature end", "the file ends inside an element: is it cut off?"),
    ("Extra content", "a document has exactly one root element"),
    ("Document is empty", "the file is empty"),
    ("Excessive depth", "elements nest more than 256 levels deep: teipress refuses such files"),
    ("huge", "a text node or name is too large: teipress refuses such files"),
    ("encoding", "save the file as UTF-8"),
    ("Input is not proper UTF-8", "save the file as UTF-8"),
]


def _syntax_hint(message: str) -> str:
    return next((hint for key, hint in SYNTAX_HINTS if key in message), "fix the markup at this point")


def _refused(path: Path, rule: str, message: str, hint: str | None = None,
             line: int | None = None, column: int | None = None) -> FileResult:
    return FileResult(path, "invalid", [Problem("error", rule, message, line, column, None, hint)])


# ---------------------------------------------------------------------------
# positions: where each start tag begins in the source


# Comments, CDATA, processing instructions and the DOCTYPE are skipped; group 1 is an
# element's start tag. In well-formed XML a '<' cannot occur in text or attribute values.
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
                     r"|<([^\s/>!?][^\s/>]*)", re.S)
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_SPACE = re.compile(rb"\s*")


def _doctype_position(data: bytes) -> tuple[int, int] | None:
    """(line, column) of a DOCTYPE in the prolog, if there is one."""
    text = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") \
            or (len(data) > 1 and b"\x00" in data[:4]):
        for codec in ("utf-32", "utf-16", "utf-16-be", "utf-16-le"):
            try:
                text = data.decode(codec).encode("utf-8")
                break
            except UnicodeDecodeError:
                continue
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    pos = 0
    while True:
        m = _PROLOG.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    start = _SPACE.match(text, pos).end()
    if text[start:start + 9].upper() != b"<!DOCTYPE":
        return None
    return text.count(b"\n", 0, start) + 1, start - (text.rfind(b"\n", 0, start) + 1) + 1


def _source_text(root: etree._Element, source: bytes | None, path: str = "") -> str | None:
    tree = root.getroottree()
    if source is None:
        url = path or tree.docinfo.URL
        if not url or "://" in url:
            return None
        try:
            path = Path(url)
            if path.stat().st_size > MAX_XML_BYTES:
                return None
            source = path.read_bytes()
        except (OSError, ValueError):
            return None
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    if encoding in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        return source.decode(encoding, errors="replace")
    except LookupError:
        return source.decode("utf-8", errors="replace")


def _locate(root: etree._Element, findings: list[Finding], source: bytes | None, path: str = "") -> list[Issue]:
    if not findings:
        return []
    positions: dict[int, tuple[int, int]] = {}
    # A tree built in memory has no lines at all: no file can describe it.
    text = _source_text(root, source, path) if root.sourceline else None
    if text is not None:
        document_root = root.getroottree().getroot()
        elements = [e for e in document_root.iter() if isinstance(e.tag, str)]
        starts = [m.start() for m in _MARKUP.finditer(text) if m.group(1)]
        if len(starts) == len(elements):  # the tree is the file as written
            newlines = [m.start() for m in re.finditer("\n", text)]
            wanted = {id(f.element) for f in findings}
            for element, offset in zip(elements, starts):
                if id(element) in wanted:
                    line = bisect.bisect_left(newlines, offset)
                    column = offset - (newlines[line - 1] + 1 if line else 0) + 1
                    positions[id(element)] = (line + 1, column)
            # a start tag begins on or before the line libxml2 saw it end; else the text is another file's
            if any(positions[id(f.element)][0] > (f.element.sourceline or 0) for f in findings
                   if id(f.element) in positions):
                positions = {}
    issues = []
    for f in findings:
        line, column = positions.get(id(f.element), (f.element.sourceline, None))
        xpath = xpath_of(f.element) + (f"/@{f.attribute}" if f.attribute else "")
        issues.append(Problem("error", f.rule, f.message, line, column, xpath, f.hint))
    issues.sort(key=lambda i: (i.line or 0, i.column or 0))
    return issues


def xpath_of(element: etree._Element) -> str:
    """/TEI/text/body/div[2]/p[3]: local names, a position where siblings share the name."""
    steps = []
    while element is not None:
        name = _name(element)
        parent = element.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == element.tag]
            if len(same) > 1:
                name += f"[{same.index(element) + 1}]"
        steps.append(name)
        element = parent
    return "/" + "/".join(reversed(steps))


def _element_at_line(root: etree._Element, line: int, name: str | None = None) -> etree._Element:
    """The element libxml2 means: the last one named name whose start tag ends on line."""
    best = root
    for element in root.iter(etree.Element):
        if element.sourceline and element.sourceline <= line and name in (None, _name(element)):
            best = element
    return best


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _attr_name(name: str) -> str:
    return name.replace(f"{{{XML_NS}}}", "xml:")


def _strip_ns(text: str) -> str:
    text = text.replace(f"{{{XML_NS}}}", "xml:")
    return re.sub(r"\{[^}]*\}", "", text)


# ---------------------------------------------------------------------------
# files and folders


def xml_files(paths: list[Path]) -> list[Path]:
    """Files as given; folders walked recursively for *.xml (hidden folders such as .teipress
    skipped), sorted."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            out.append(path)
            continue
        found = []
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            found += [os.path.join(folder, n) for n in names if n.endswith(".xml")]
        out += [Path(f) for f in sorted(found)]
    return out


def validate_paths(paths: list[Path], validator: Validator | None = None) -> ValidationRun:
    """Check every TEI file of paths (files or folders); the run is ok when none is invalid."""
    validator = validator or Validator()
    run = ValidationRun()
    for path in xml_files(paths):
        if not path.exists():
            run.files.append(_refused(path, "file-missing", "no such file or folder", "check the path"))
            continue
        result = validator.check_file(path)
        result.root = None  # a whole collection's trees would not fit in memory
        run.files.append(result)
    return run


def format_text(run: ValidationRun) -> str:
    """Compiler-style lines (path:line:col: error: message [rule]), hints, notes and a summary."""
    lines = []
    for result in run.files:
        for issue in result.issues:
            where = str(result.path)
            if issue.line:
                where += f":{issue.line}" + (f":{issue.column}" if issue.column else "")
            lines.append(f"{where}: {issue.severity}: {issue.message} [{issue.rule}]")
            hint = getattr(issue, "hint", None)
            if hint:
                lines.append(f"    hint: {hint}")
        outside = sorted({_outside_name(i) for i in result.issues if i.rule == "outside-subset"})
        if outside:
            lines.append(f"{result.path}: note: valid TEI perhaps, but outside the teipress subset: "
                         f"{', '.join(outside)} (see {SUBSET_README})")
        if result.status == "skipped":
            lines.append(f"{result.path}: note: skipped: {result.note}")
    checked = run.count("valid") + run.count("invalid")
    summary = (f"{checked} file{'s' if checked != 1 else ''} checked: {run.count('valid')} valid, "
               f"{run.count('invalid')} invalid; {run.problems} problem{'s' if run.problems != 1 else ''}")
    if run.count("skipped"):
        summary += f" ({run.count('skipped')} skipped)"
    lines.append(summary)
    return "\n".join(lines)


def _outside_name(issue: Issue) -> str:
    match = re.match(r"(<[^>]+>|@\S+ on <[^>]+>)", issue.message)
    return match.group(1) if match else issue.message


def format_json(run: ValidationRun) -> str:
    """A JSON list of {file, line, column, severity, rule, message, xpath}; skipped files as 'info'."""
    items = []
    for result in run.files:
        for issue in result.issues:
            items.append({"file": str(result.path), "line": issue.line, "column": issue.column,
                          "severity": issue.severity, "rule": issue.rule, "message": issue.message,
                          "xpath": issue.xpath})
        if result.status == "skipped":
            items.append({"file": str(result.path), "line": None, "column": None, "severity": "info",
                          "rule": "skipped", "message": f"skipped: {result.note}", "xpath": None})
    return json.dumps(items, ensure_ascii=False, indent=1)
