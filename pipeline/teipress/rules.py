"""The checks a grammar cannot express, each with a stable rule id.

The rules read any parsed tree, valid against the schema or not, and never raise: a
file from elsewhere gets every finding at once. Each finding names the element (and
the attribute) at fault; ``teipress.validate`` turns findings into located Issues.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass

from lxml import etree

from teipress.tei import TEI_NS
from teipress.titles import CORRESPONDENCE_TYPES

# rule id -> what it checks (schema/README.md lists the same ids; a test keeps them in step)
RULES: dict[str, str] = {
    "id-duplicate": "every xml:id is unique in its document",
    "ref-unresolved": "every pointer starting with '#' (@ref, @target, @corresp, @resp, @source, @who, "
                      "@scheme) names an xml:id in the same document",
    "date-format": "@when, @notBefore, @notAfter, @from and @to are ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD",
    "date-not-real": "those dates exist in the calendar (1958-02-30 does not)",
    "date-range": "@notBefore is not after @notAfter, and @from is not after @to",
    "corresp-incomplete": "a correspDesc has a 'sent' and a 'received' correspAction",
    "corresp-missing": "a letter, telegram or other correspondence has a correspDesc",
    "p-empty": "no empty paragraphs",
    "header-empty": "the document's title and publisher are not empty",
}

T = f"{{{TEI_NS}}}"
NS = {"tei": TEI_NS}

# Attributes whose "#id" values must point into the same document.
POINTER_ATTRIBUTES = ("ref", "target", "corresp", "resp", "source", "who", "scheme")
# Elements whose @from/@to are pages or pointers, not dates.
NOT_DATED_RANGES = {"locus", "locusGrp", "biblScope", "citedRange", "span", "spanGrp"}
# Content that makes a paragraph non-empty even without text.
CONTENT_ELEMENTS = {T + name for name in ("gap", "note", "ptr", "ref", "graphic", "figure", "table", "list")}

CORRESP_DESC = T + "correspDesc"
P = T + "p"
XML_WHITESPACE = " \t\n\r"  # what XPath's normalize-space() removes
ISO_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # ASCII digits only, as in the schema


@dataclass(frozen=True)
class Finding:
    """A rule broken at an element (and, where one is at fault, one of its attributes)."""

    element: etree._Element
    rule: str
    message: str
    hint: str | None = None
    attribute: str | None = None


XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
# attribute name -> what the pass does with it. @when, @notBefore and @notAfter are always
# dates (att.datable.w3c); @from and @to are, except on the elements of NOT_DATED_RANGES.
_ROLES = {XML_ID: "id", "when": "date", "notBefore": "date", "notAfter": "date", "from": "range", "to": "range"}
_ROLES.update((name, "pointer") for name in POINTER_ATTRIBUTES)
NOT_DATED_TAGS = {T + name for name in NOT_DATED_RANGES}
# Paragraphs without text, and the header's first title and publisher when they have none
# (libxml2 computes the text; Python sees only the few candidates).
_BLANK_PARAGRAPHS = etree.XPath("descendant-or-self::tei:p[not(normalize-space())]", namespaces=NS)
_BLANK_HEADER = etree.XPath(
    "(tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title)[1][not(normalize-space())]"
    " | (tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:publisher)[1][not(normalize-space())]", namespaces=NS)


def check_rules(root: etree._Element) -> list[Finding]:
    """Every rule over one TEI document.

    One pass over the elements' attributes (one C call per element), then lxml's own
    tag filters for paragraphs and correspDescs: together about as fast as the grammar.
    """
    findings: list[Finding] = []
    ids: dict[str, etree._Element] = {}
    pointers: list[tuple[etree._Element, str, str]] = []
    dated: list[tuple[etree._Element, dict[str, str]]] = []
    for element in root.iter(etree.Element):
        items = element.items()
        if not items:
            continue
        has_dates = False
        for name, value in items:
            role = _ROLES.get(name)
            if role is None:
                continue
            if role == "id":
                _record_id(element, value, ids, findings)
            elif role == "pointer":
                if "#" in value:
                    pointers.append((element, name, value))
            elif role == "date" or element.tag not in NOT_DATED_TAGS:
                _check_date(element, name, value, findings)
                has_dates = True
        if has_dates:
            dated.append((element, dict(items)))
    for p in _blank_paragraphs(root):
        if _is_empty(p):
            findings.append(Finding(p, "p-empty", "empty paragraph <p>",
                                    "remove it, or mark an omission inside it with <gap/>"))
    for element, name, value in pointers:
        _resolve(element, name, value, ids, findings)
    for element, values in dated:
        _check_order(element, values, "notBefore", "notAfter", findings)
        if element.tag not in NOT_DATED_TAGS:
            _check_order(element, values, "from", "to", findings)
    corresp_descs = list(root.iter(CORRESP_DESC))
    for desc in corresp_descs:
        _corresp_actions(desc, findings)
    if not corresp_descs:
        _corresp_missing(root, findings)
    _header_fields(root, findings)
    return findings


# --- ids and pointers ---------------------------------------------------------

def _record_id(element, xml_id, ids, findings) -> None:
    first = ids.get(xml_id)
    if first is None:
        ids[xml_id] = element
        return
    findings.append(Finding(
        element, "id-duplicate",
        f"xml:id {xml_id!r} is already used on line {first.sourceline} (<{_local(first)}>)",
        "every xml:id must be unique in the document: rename one of them "
        "(teipress ids start with the document's id: <id>-p3, <id>-n1)", "xml:id"))


def _resolve(element, name, value, ids, findings) -> None:
    for token in value.split():
        if not token.startswith("#"):
            continue
        target = token[1:]
        if target in ids:
            continue
        close = difflib.get_close_matches(target, list(ids), n=1, cutoff=0.85) if len(ids) < 5000 else []
        hint = (f"did you mean #{close[0]}? " if close else "") + (
            f"add an element with xml:id=\"{target}\" (e.g. a register entry in <standOff>), "
            "or correct the reference")
        findings.append(Finding(element, "ref-unresolved",
                                f"@{name}=\"{token}\" points at no xml:id in this document", hint, name))


# --- dates --------------------------------------------------------------------

def _check_date(element, name, value, findings) -> None:
    problem = date_problem(value)
    if problem is None:
        return
    rule, why = problem
    if rule == "date-format":
        hint = "write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 1958-09-09 (use @notBefore/@notAfter for uncertain dates)"
    else:
        hint = "check the day and the month; for an uncertain date use @notBefore and @notAfter"
    findings.append(Finding(element, rule, f"@{name}=\"{value}\" on <{_local(element)}> {why}", hint, name))


def date_problem(value: str) -> tuple[str, str] | None:
    """(rule, why) when value is not an ISO 8601 calendar date YYYY[-MM[-DD]], else None."""
    m = ISO_DATE.fullmatch(value)
    if m is None:
        return "date-format", "is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)"
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if year == 0:
        return "date-not-real", "is not a real date: there is no year 0000"
    if month is not None and not 1 <= int(month) <= 12:
        return "date-not-real", f"is not a real date: there is no month {month}"
    if day is not None:
        days = _days_in_month(year, int(month))
        if not 1 <= int(day) <= days:
            return "date-not-real", (f"is not a real date: {calendar.month_name[int(month)]} {year} "
                                     f"has {days} days")
    return None


def _days_in_month(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1] for a month 1-12, without the weekday it also works out."""
    return 29 if month == 2 and calendar.isleap(year) else calendar.mdays[month]


def date_bounds(value: str) -> tuple[str, str]:
    """The first and the last day an ISO date (YYYY, YYYY-MM, YYYY-MM-DD) can mean."""
    parts = value.split("-")
    if len(parts) == 1:
        return f"{value}-01-01", f"{value}-12-31"
    if len(parts) == 2:
        last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return f"{value}-01", f"{value}-{last:02d}"
    return value, value


def _check_order(element, values, early, late, findings) -> None:
    first, last = values.get(early), values.get(late)
    if first is None or last is None or date_problem(first) or date_problem(last):
        return
    if date_bounds(first)[0] > date_bounds(last)[1]:
        findings.append(Finding(element, "date-range", f"@{early}=\"{first}\" is after @{late}=\"{last}\"",
                                f"swap them, or correct one: @{early} is the earliest possible date", early))


# --- correspondence -------------------------------------------------------------

ACTION_TYPES = {"sent", "received", "transmitted", "redirected", "forwarded"}


def _corresp_actions(desc, findings) -> None:
    types = {action.get("type") for action in desc.iterchildren(T + "correspAction")}
    if not types <= ACTION_TYPES:
        return  # an action without a valid type: the grammar reports that action itself
    for wanted, who in (("sent", "sender"), ("received", "addressee")):
        if wanted not in types:
            findings.append(Finding(
                desc, "corresp-incomplete", f"<correspDesc> has no <correspAction type=\"{wanted}\">",
                f"add <correspAction type=\"{wanted}\"> naming the {who}; an unknown {who} is "
                "<persName>Unknown</persName> (CMIF's convention)"))


def _corresp_missing(root, findings) -> None:
    kinds = [(term.text or "").strip().lower() for term in root.iterfind(
        "tei:teiHeader/tei:profileDesc/tei:textClass/tei:keywords/tei:term[@type='document-type']", NS)]
    kinds += [(div.get("type") or "").replace("-", " ").lower()
              for div in root.iterfind("tei:text/tei:body/tei:div", NS)]
    kind = next((k for k in kinds if k in CORRESPONDENCE_TYPES), None)
    if kind is None:
        return
    header = root.find("tei:teiHeader", NS)
    if header is None:
        return
    where = header.find("tei:profileDesc", NS)
    findings.append(Finding(
        where if where is not None else header, "corresp-missing",
        f"this {kind} has no <correspDesc>",
        "add <profileDesc><correspDesc> with a <correspAction type=\"sent\"> and a "
        "<correspAction type=\"received\">: harvesters such as correspSearch read them"))


# --- text and header ------------------------------------------------------------

def _is_empty(p: etree._Element) -> bool:
    if (p.text or "").strip():
        return False
    if len(p) == 0:
        return True
    if "".join(p.itertext()).strip():
        return False
    return not any(d.tag in CONTENT_ELEMENTS for d in p.iterdescendants())


def _blank_paragraphs(root: etree._Element):
    """The paragraphs _BLANK_PARAGRAPHS selects, in document order: those whose text is XML
    whitespace only (itertext() joins the same text nodes as XPath's string()).

    Found in Python because most paragraphs start with a word: their first text settles
    it, where XPath would build and normalise the whole text of each.
    """
    for p in root.iter(P):
        text = p.text
        if text and not text.isspace():
            continue  # a character that is not even Unicode whitespace
        whole = "".join(p.itertext()) if len(p) else text or ""
        if not whole.strip(XML_WHITESPACE):
            yield p


def _header_fields(root, findings) -> None:
    for element in _BLANK_HEADER(root):
        what = _local(element)
        findings.append(Finding(element, "header-empty", f"the document's <{what}> is empty",
                                f"write the {what}: editions and harvesters show it"))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname
