"""The letter's text: divisions with head, opener, paragraphs, closer, postscripts, notes."""

from __future__ import annotations

import re

from teipress.model import Block, DateValue, Division, Document
from teipress.tei import sub
from teipress.tei.entities import Mentions
from teipress.tei.inline import append_inline, append_text
from teipress.tei.markup import Element

PLACE_LINE = re.compile(r"[A-Z][A-Z'’.\- ]+?\s*[-–—:]*")  # a dateline that is a place only: "MOSCOW -"
DASHED_ITEM = re.compile(r"^[-–—•·*]\s")
NOT_NAME_CHARACTERS = re.compile(r"[^a-z0-9]+")


class _Ids:
    """Running counters for the ids inside one document (<id>-p1, <id>-n1), and the
    document's register mentions."""

    def __init__(self, doc_id: str, mentions: Mentions | None):
        self.doc_id = doc_id
        self.mentions = mentions
        self.p = 0
        self.n = 0

    def next_p(self) -> str:
        self.p += 1
        return f"{self.doc_id}-p{self.p}"

    def next_note(self) -> str:
        self.n += 1
        return f"{self.doc_id}-n{self.n}"


def date_attrs(value: DateValue | None) -> dict[str, str | None]:
    if value is None:
        return {}
    return {"when": value.when, "from_": value.from_, "to": value.to,
            "notBefore": value.not_before, "notAfter": value.not_after}


def _inline(parent: Element, text: str, division: Division, ids: _Ids) -> None:
    def note(where: Element, number: str) -> bool:
        block = division.notes.get(number)
        if block is None:
            return False
        element = sub(where, "note", n=number, xml_id=ids.next_note(), place="foot")
        append_inline(element, block.text, None, ids.mentions)
        return True

    append_inline(parent, text, note, ids.mentions)


def _dateline(parent: Element, block: Block, division: Division, ids: _Ids) -> None:
    element = sub(parent, "dateline")
    text = block.text
    if block.date and block.date.text in text:
        before, _, after = text.partition(block.date.text)
        _inline(element, before, division, ids)
        date = sub(element, "date", **date_attrs(block.date))
        append_inline(date, block.date.text)
        _inline(element, after, division, ids)
    elif PLACE_LINE.fullmatch(text):
        place = text.rstrip("-–—: ")
        sub(element, "placeName", place)
        append_text(element, text[len(place):])
    else:
        _inline(element, text, division, ids)


def _block(parent: Element, block: Block, division: Division, ids: _Ids) -> None:
    if block.kind == "gap":
        sub(parent, "gap", reason="omitted")
    elif block.kind == "dateline":
        _dateline(parent, block, division, ids)
    elif block.kind == "seg":
        _inline(sub(parent, "seg", type=block.role), block.text, division, ids)
    elif block.kind in ("salute", "signed", "head"):
        _inline(sub(parent, block.kind), block.text, division, ids)
    elif block.kind == "list":
        dashes = all(DASHED_ITEM.match(item) for item in block.items)
        element = sub(parent, "list", rend="bulleted" if dashes else "numbered")
        for item in block.items:
            _inline(sub(element, "item"), item[2:].strip() if dashes else item, division, ids)
    else:  # p
        _inline(sub(parent, "p", xml_id=ids.next_p()), block.text, division, ids)


def encode_body(text_el: Element, doc: Document, main_lang: str, mentions: Mentions | None = None) -> None:
    body = sub(text_el, "body")
    ids = _Ids(doc.id, mentions)
    for division in doc.divisions:
        div = sub(body, "div", type=_div_type(division.type), subtype=division.subtype,
                  xml_lang=division.lang if division.lang != main_lang or division.subtype else None)
        for block in division.head:
            _block(div, block, division, ids)
        if division.opener:
            opener = sub(div, "opener")
            for block in division.opener:
                _block(opener, block, division, ids)
        for block in division.content:
            _block(div, block, division, ids)
        for kind, blocks in division.bottom:
            group = sub(div, kind)
            for block in blocks:
                if kind == "postscript" and block.kind not in ("p", "gap"):
                    block = Block("p", block.text, block.lines)
                _block(group, block, division, ids)
    if not len(body):
        sub(body, "div", type=_div_type(doc.doc_type or "document"))
    if doc.truncated and doc.truncated_in == "body":
        mark_cut([child for child in body.children if child.tag == "div"][-1])


def mark_cut(container: Element) -> None:
    """Mark where a cut-off source ends: inside its last paragraph, else after its last child."""
    target = container
    last = container[-1] if len(container) else None
    if last is not None and last.tag == "postscript" and len(last):
        last = last[-1]
    if last is not None and last.tag == "p":
        target = last
    sub(target, "gap", reason="truncated")


def _div_type(doc_type: str) -> str:
    return NOT_NAME_CHARACTERS.sub("-", doc_type.lower()).strip("-") or "document"
