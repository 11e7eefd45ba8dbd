"""The seed-text format: an editor's own transcription.

    Title: Letter from X to Y
    Date: 1958-09-09
    From: X
    To: Y

    Dear Comrades,
    ...

A header of "Field: value" lines (a line starting with a space continues the field
above), one blank line, then the text, one paragraph a line. The fields are listed in
FIELDS and in the README.
"""

from __future__ import annotations

import re

from teipress.citations import LANGUAGE_CODES, read_citation, read_translation
from teipress.dates import parse_date
from teipress.model import Document, Name
from teipress.readers.page import Page
from teipress.readers.structure import build_divisions
from teipress.titles import doc_type_of, name_kind, read_title

NAME = "seedtext"

FIELDS = {
    "title": "title", "date": "date", "from": "sender", "sender": "sender", "to": "recipient",
    "recipient": "recipient", "via": "via", "type": "type", "source": "source",
    "citation": "source", "translator": "translator", "translated by": "translator",
    "translation": "translation", "language": "language", "original language": "original_language",
    "rights": "rights", "record id": "record", "url": "url", "permanent address": "url",
    "summary": "summary", "funder": "funder", "uploaded": "uploaded", "place": "place",
}
_FIELD = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ()]{0,30}?)\s*:\s*(?P<value>.*)$")


def detect(text: str) -> bool:
    start = text.lstrip()  # (from the first line that is not blank, without splitting the whole text)
    first = start[: start.find("\n")] if "\n" in start else start
    m = _FIELD.match(first.strip())
    return bool(m) and m["key"].strip().lower() in ("title", "date")


def _language_code(text: str) -> str | None:
    """An ISO 639 code from a language's English name or from a code ("Russian", "ru", "zh-Hant")."""
    text = text.strip()
    if text.lower() in LANGUAGE_CODES:
        return LANGUAGE_CODES[text.lower()]
    return text if re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", text) else None


def _not_understood(doc: Document, page: Page, lines: list[tuple[int, str]], rule: str, message: str) -> None:
    """A header value teipress cannot use: warned about and kept in the report, not in the TEI."""
    for line, _ in lines:
        page.assign(line, "set-aside", rule)
        doc.warn(rule, message, line)


def _names(value: str) -> list[Name]:
    return [Name(part.strip(), name_kind(part.strip())) for part in value.split(";") if part.strip()]


def read(text: str, doc: Document) -> Document:
    page = Page(text)
    doc.shape = "seed-text"
    fields: dict[str, list[tuple[int, str]]] = {}
    last_key = None
    i = 0
    while i < len(page.raw) and page.text[i]:
        raw = page.raw[i]
        m = _FIELD.match(page.text[i])
        if raw[:1] in (" ", "\t") and last_key:
            fields[last_key][-1] = (fields[last_key][-1][0], fields[last_key][-1][1] + " " + page.text[i])
            page.assign(i + 1, f"header/{last_key}", "continuation")
        elif m and m["key"].strip().lower() in FIELDS:
            last_key = FIELDS[m["key"].strip().lower()]
            fields.setdefault(last_key, []).append((i + 1, m["value"].strip()))
            page.assign(i + 1, f"header/{last_key}", "field-label", dropped=m["key"].strip() + ":")
        else:
            page.assign(i + 1, "set-aside", "unknown-header-field")
            doc.warn("unknown-header-field",
                     f"not a known header field: {page.text[i]!r} (known: {', '.join(sorted(set(FIELDS)))})",
                     i + 1)
        i += 1

    def value(key: str) -> str | None:
        vals = [v for _, v in fields.get(key, []) if v]
        return " ".join(vals) if vals else None

    doc.title = value("title") or ""
    if value("date"):
        doc.date = parse_date(value("date"))
        if doc.date is None:
            doc.warn("date-unreadable", f"cannot read the date {value('date')!r} (write e.g. 1958-09-09)",
                     fields["date"][0][0])
    reading = read_title(doc.title)
    doc.doc_type = doc_type_of(value("type") or "") or reading.doc_type
    doc.type_label = value("type")
    doc.senders = _names(value("sender")) if value("sender") else reading.senders
    doc.recipients = _names(value("recipient")) if value("recipient") else reading.recipients
    doc.via = _names(value("via")) if value("via") else reading.via
    doc.place_sent = value("place")
    if value("source"):
        doc.citation = value("source")
        cited = read_citation(doc.citation)
        doc.archives, doc.printed_sources = cited.archives, cited.printed
        doc.translation_statement, doc.translators = cited.translation_statement, cited.translators
        doc.original_language = cited.original_language
    if value("translation"):
        doc.translation_statement = value("translation")
        doc.translators, doc.original_language = read_translation(doc.translation_statement)
    if value("translator"):
        doc.translators = _names(value("translator"))
        doc.translation_statement = doc.translation_statement or f"Translated by {value('translator')}."
    if value("original_language"):
        code = _language_code(value("original_language"))
        if code:
            doc.original_language = code
        else:
            _not_understood(doc, page, fields["original_language"], "language-unknown",
                            "not a language name or ISO 639 code (write e.g. 'Russian' or 'ru')")
    for key in ("rights",):
        doc.rights = [v for _, v in fields.get(key, []) if v]
    doc.record_id = value("record")
    if value("url"):
        if re.fullmatch(r"https?://[^\s<>\"]+", value("url")):
            doc.url = value("url")
        else:
            _not_understood(doc, page, fields["url"], "url-not-web-address",
                            "not a web address (write the full https://... address)")
    doc.summary = value("summary")
    doc.funders = [v for _, v in fields.get("funder", []) if v]
    doc.uploaded = parse_date(value("uploaded")) if value("uploaded") else None
    if value("language"):
        for name in re.split(r"\s*[,;]\s*", value("language")):
            code = _language_code(name)
            if code:
                doc.languages.append(code)
            else:
                _not_understood(doc, page, fields["language"], "language-unknown",
                                f"{name!r} is not a language name or ISO 639 code")
    year = int(doc.date.iso[:4]) if doc.date and doc.date.iso else None
    body = page.units(i)
    doc.divisions = build_divisions(body, doc_type=doc.doc_type or "document", title=doc.title,
                                    senders=doc.senders, context_year=year, assign=page.assign)
    if not doc.languages:
        doc.languages = list(dict.fromkeys(d.lang for d in doc.divisions)) or ["en"]
    doc.lines = page.records()
    return doc
