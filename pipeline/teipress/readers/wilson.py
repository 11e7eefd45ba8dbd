"""Pages of the Wilson Center Digital Archive, exported as plain text.

The archive's exports come in several shapes (see README, "Seed formats"):

* current site: "Skip to content", the date, the title, the letter, a summary, then
  "Document Information" with the citation, rights, upload date, type, language and
  record id, either labelled ("Source" above the citation) or not;
* compact: the same blocks one line each, with no blank lines, and often a related
  document's summary before the date;
* old site: an UPPERCASE title, "CITATION SHARE DOWNLOAD", the summary and the full
  citation run together on one line, the letter, "ORIGINAL SCAN PDF".

Any of them may be cut off part-way. This reader finds the blocks, hands the letter to
the shared structurer, and records for every line where it went.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from teipress.citations import LANGUAGE_CODES, known_archive, may_contain, read_citation
from teipress.dates import date_at_end, parse_date
from teipress.model import Archive, DateValue, Document
from teipress.readers.page import Page
from teipress.readers.structure import (
    SourceLine, build_divisions, date_line, furniture_role, is_closing_salute, is_gap_line,
    is_name_like, is_signature,
)
from teipress.titles import doc_type_of, read_title

NAME = "wilson"

# Headings of the page's information sections, by the field they introduce.
HEADINGS = {
    "author(s)": "authors", "authors": "authors", "author": "authors",
    "associated people & organizations": "people", "associated people and organizations": "people",
    "associated people": "people", "associated organizations": "people",
    "associated places": "places", "associated topics": "topics", "subjects discussed": "topics",
    "subjects": "topics", "keywords": "topics", "associated collections": "collections",
    "collections": "collections", "related documents": "related", "document information": "docinfo",
    "source": "source", "original archive": "archive", "rights": "rights",
    "original uploaded date": "uploaded", "type": "type", "language": "language",
    "languages": "language", "original language": "language", "record id": "record",
}
_LONGEST_HEADING = max(map(len, HEADINGS))
# Headings that open the information part of the page (the letter ends before them).
SECTION_STARTS = {"authors", "people", "places", "topics", "collections", "related", "docinfo"}
FIELD_STARTS = {"source", "archive", "rights", "uploaded", "record"}

FURNITURE = re.compile(
    r"^(?:skip\s+to\s+(?:main\s+)?content|citation\s+share\s+download-?|citation|get\s+citation|"
    r"-?\s*share|-?\s*download|-?\s*print|view\s+document\s+in|original\s+scan(?:\s+pdf)?|"
    r"click\s+here\s+to\s+view\s+the\s+pdf\s+file\s+in\s+a\s+new\s+window\.?|"
    r"(?:[a-z]+\s+)?(?:html|pdf|transcription|translation|original\s+scan)|menu|search|"
    r"digital\s+archive|international\s+history\s+declassified)$",
    re.I,
)
FUNDER = re.compile(r"^this\s+document\s+was\s+made\s+possible\s+with\s+support\s+from\s+(?:the\s+)?(?P<name>.+?)\.?$", re.I)
RIGHTS = re.compile(
    r"history\s+and\s+public\s+policy\s+program\s+welcomes|rights\s+holders?|copyright|"
    r"to\s+enquire\s+about|to\s+inquire\s+about|permission\s+for\s+commercial\s+use|rights\s+status",
    re.I,
)
CITATION_IN_TEXT = re.compile(
    r"[“\"](?P<title>[^“”\"]+?),?[”\"],?\s+(?P<date>[^,]+?(?:,\s*\[?\d{4}\]?)?),\s+"
    r"(?P<archive>(?:History\s+and\s+Public\s+Policy\s+Program|Cold\s+War\s+International\s+History\s+Project)"
    r"[^,]*Digital\s+Archive|Wilson\s+Center\s+Digital\s+Archive)\s*,?\s*(?P<source>.*)$",
    re.I,
)
CITATION_SHARE_DOWNLOAD = re.compile(r"^citation\s+share\s+download", re.I)  # the old site's buttons
UNDATED = re.compile(r"^(?:undated|n\.\s?d\.|no date|date unknown|not dated)$", re.I)
TERMINAL = re.compile(r"[.!?。！？…:;)\]”\"’'»]$|\d$")
_HEADING_WITH_VALUE = re.compile(r"^(record\s+id|original\s+uploaded\s+date|type|language)\s*:?\s+(\S.*)$", re.I)
_SPACES = re.compile(r"\s+")
_LANGUAGE_SEPARATOR = re.compile(r"\s*[,;/]\s*|\s+and\s+")
_DIGITS = re.compile(r"\d+")
_SHARE_AT_END = re.compile(r"\s*-\s*Share\s*$")
_BUTTON = re.compile(r"-\s*\w+")
_SALUTE_RUN_ON = re.compile(r"^([^.:!?]{2,60}?:)\s+(?=\S)")
# Words (any case) that RIGHTS and CITATION_IN_TEXT cannot match without: testing for them
# spares most lines the searches, which try the pattern at every letter
_RIGHTS_WORDS = ("welcomes", "rights", "copyright", "quire", "permission")
_CITATION_WORDS = ("archive",)


def _funder_credit_match(text: str) -> re.Match | None:
    return FUNDER.match(text) if text[:1] in ("t", "T") else None  # (a quick test first: "This document ...")


def _rights_statement(text: str) -> bool:
    return may_contain(text, _RIGHTS_WORDS) and bool(RIGHTS.search(text))


def _citation_in(text: str) -> re.Match | None:
    if ('"' in text or "“" in text) and may_contain(text, _CITATION_WORDS):  # (the title is quoted)
        return CITATION_IN_TEXT.search(text)
    return None


def detect(text: str) -> bool:
    """Does the text look like a page of the archive? (the seed-text reader is the other)"""
    head = "\n".join(text.split("\n")[:80]).lower()
    return bool(
        "skip to content" in head or "document information" in text.lower()
        or "citation share download" in head or "digital archive" in text.lower()
        or "history and public policy program" in text.lower()
    )


@lru_cache(maxsize=4096)
def _heading(text: str) -> tuple[str, str] | None:
    """(field, inline value) when a line is a section or field heading ("Record ID 113636")."""
    bare = text.rstrip(":").strip()
    # (most lines are paragraphs, longer than any heading: the test spares lowering them)
    if len(bare) <= _LONGEST_HEADING and bare.lower() in HEADINGS:
        return HEADINGS[bare.lower()], ""
    if text[:1] not in ("r", "R", "o", "O"):
        return None  # (only "Record ID ..." and "Original Uploaded Date ..." give a value: the test spares the match)
    m = _HEADING_WITH_VALUE.match(text)
    if m and m.group(1).lower() in ("record id", "original uploaded date"):
        return HEADINGS[_SPACES.sub(" ", m.group(1).lower())], m.group(2)
    return None


class _Reader:
    def __init__(self, text: str, doc: Document):
        self.page = Page(text)
        self.doc = doc
        self.sections: dict[str, list[SourceLine]] = {}
        self.citation_source: str | None = None  # the part of a full citation that names the source

    # -- the top of the page ---------------------------------------------------

    def find_date_and_title(self, units: list[SourceLine], headings: list[tuple[str, str] | None]) -> int:
        """Index in units of the first line after the title; sets doc.date and doc.title.
        (headings: _heading() of each unit)"""
        for k, unit in enumerate(units[:12]):
            if FURNITURE.match(unit.text) or headings[k]:
                continue
            value = parse_date(unit.text) or (DateValue(unit.text) if UNDATED.match(unit.text) else None)
            if value and k + 1 < len(units):
                title = units[k + 1]
                if parse_date(title.text) or headings[k + 1]:
                    continue
                for before in units[:k]:
                    if FURNITURE.match(before.text):
                        self.page.assign(before, "set-aside", "page-furniture")
                    else:
                        self.page.assign(before, "set-aside", "text-before-date-line")
                        self.doc.warn("text-before-date-line",
                                      "text before the page's date line (on the archive's pages, a "
                                      "related document's summary) is kept in the report only",
                                      before.no)
                self.doc.date = value
                self.doc.title = title.text
                self.page.assign(unit, "header/date")
                self.page.assign(title, "header/title")
                return k + 2
        # no date line above the title: the first line that is not furniture is the title
        for k, unit in enumerate(units):
            if FURNITURE.match(unit.text):
                self.page.assign(unit, "set-aside", "page-furniture")
                continue
            if headings[k]:
                return k
            self.doc.title = unit.text
            self.page.assign(unit, "header/title")
            nxt = units[k + 1] if k + 1 < len(units) else None
            if nxt and parse_date(nxt.text):
                self.doc.date = parse_date(nxt.text)
                self.page.assign(nxt, "header/date")
                return k + 2
            return k + 1
        return len(units)

    # -- the information part ----------------------------------------------------

    def read_sections(self, units: list[SourceLine], headings: list[tuple[str, str] | None]) -> None:
        """Group the lines after the letter under their headings, then read each field.
        (headings: _heading() of each unit)"""
        current = "docinfo"
        after_record = False
        for unit, heading in zip(units, headings):
            if heading:
                current, inline = heading
                self.page.assign(unit, "set-aside", "field-label")
                self.sections.setdefault(current, [])
                if inline:
                    self.sections[current].append(SourceLine(unit.no, inline))
                    self.page.assign(unit, f"header/{current}", "field-label+value",
                                     dropped=unit.text[: len(unit.text) - len(inline)].strip())
                after_record = current == "record"
                continue
            if after_record and self.sections.get("record"):
                current = "trailer"  # the record id has its one value; what follows is sidebar
            if current not in ("rights", "docinfo") and _rights_statement(unit.text):
                # the rights statement under an empty heading ("Original Archive" in compact pages)
                self.sections.setdefault("rights", []).append(unit)
                continue
            self.sections.setdefault(current, []).append(unit)
        for key, lines in self.sections.items():
            getattr(self, f"field_{key}")(lines)

    def field_authors(self, lines):
        self._keywords("authors", lines)

    def field_people(self, lines):
        self._keywords("people", lines)

    def field_places(self, lines):
        self._keywords("places", lines)

    def field_topics(self, lines):
        self._keywords("topics", lines)

    def field_collections(self, lines):
        self._keywords("collections", lines)

    def _keywords(self, key, lines):
        for line in lines:
            self.doc.keywords.setdefault(key, []).append(line.text)
            self.page.assign(line, f"header/keywords[{key}]")

    def field_related(self, lines):
        for line in lines:
            parts = [p.strip() for p in line.text.split("|")]
            parts = [p for p in parts if p]
            if len(parts) >= 2 and parse_date(parts[0]):
                self.doc.related.append((parse_date(parts[0]), " | ".join(parts[1:])))
            else:
                self.doc.related.append((None, line.text))
            self.page.assign(line, "header/related")

    def field_docinfo(self, lines):
        """Unlabelled information: the citation first, then rights and funder lines."""
        for line in lines:
            if _rights_statement(line.text):
                self._rights(line)
            elif _funder_credit_match(line.text):
                self._funder_credit(line)
            elif self.doc.citation is None:
                self._citation(line)
            elif line.text in self.doc.funders:
                self.page.assign(line, "set-aside", "funder-repeated")
            else:
                self.doc.citation += " " + line.text
                self.page.assign(line, "header/citation")

    def field_source(self, lines):
        for line in lines:
            if self.doc.citation is None:
                self._citation(line)
            else:
                self.doc.citation += " " + line.text
                self.page.assign(line, "header/citation")

    def field_archive(self, lines):
        for line in lines:
            self.page.assign(line, "header/archive")
            self.doc.keywords.setdefault("archives", []).append(line.text)

    def field_rights(self, lines):
        for line in lines:
            self._rights(line)

    def field_uploaded(self, lines):
        for line in lines:
            value = parse_date(line.text)
            if value and self.doc.uploaded is None:
                self.doc.uploaded = value
                self.page.assign(line, "header/uploaded")
            else:
                self.page.assign(line, "set-aside", "uploaded-date-unreadable")
                self.doc.warn("uploaded-date-unreadable", f"cannot read the upload date {line.text!r}", line.no)

    def field_type(self, lines):
        for line in lines:
            self.doc.type_label = line.text if self.doc.type_label is None else self.doc.type_label
            self.page.assign(line, "header/type")

    def field_language(self, lines):
        """The page's Language field names the document's original language(s); the
        language of the text itself is read from its script."""
        for line in lines:
            for name in _LANGUAGE_SEPARATOR.split(line.text):
                code = LANGUAGE_CODES.get(name.strip().lower())
                if code and code != "en" and self.doc.original_language is None:
                    self.doc.original_language = code
            self.page.assign(line, "header/language")

    def field_record(self, lines):
        for line in lines:
            if _DIGITS.fullmatch(line.text) and self.doc.record_id is None:
                self.doc.record_id = line.text
                self.page.assign(line, "header/record-id")
            else:
                self.field_trailer([line])

    def field_trailer(self, lines):
        """After the record id the page only repeats its funder; keep any such name as one."""
        for line in lines:
            if _funder_credit_match(line.text):
                self._funder_credit(line)
            elif line.text in self.doc.funders:
                self.page.assign(line, "set-aside", "funder-repeated")
            elif is_name_like(line.text):
                self.doc.funders.append(line.text)
                self.page.assign(line, "header/funder", "funder-sidebar")
            else:
                self.page.assign(line, "set-aside", "text-after-record-id")
                self.doc.warn("text-after-record-id", "text after the record id is kept in the report only", line.no)

    def _rights(self, line):
        self.doc.rights.append(line.text)
        self.page.assign(line, "header/rights")

    def _funder_credit(self, line):
        m = _funder_credit_match(line.text)
        name = m.group("name")
        if name not in self.doc.funders:
            self.doc.funders.append(name)
        self.page.assign(line, "header/funder", "funder-credit-phrase", dropped=line.text[: m.start("name")].strip())

    def _citation(self, line):
        self.doc.citation = line.text
        self.page.assign(line, "header/citation")

    # -- the letter ----------------------------------------------------------------

    def split_summary(self, units: list[SourceLine], compact: bool, before_authors: bool) -> list[SourceLine]:
        """Take the summary paragraph off the end of the letter, when there is one.

        The archive prints the summary after the letter, set apart differently from the
        letter's own paragraphs (a wider gap, or no no-break-space separator where the
        letter has them), and right above the "Author(s):" heading when the page has one;
        compact pages have no gaps, and put it last before the headings.
        """
        if len(units) < 2:
            return units
        last = units[-1]
        words = len(last.text.split())
        prose = (words >= 6 and not is_gap_line(last.text) and not furniture_role(last.text)
                 and not date_line(last.text, None) and not is_closing_salute(last.text)
                 and not is_signature(last.text, self.doc.senders))
        if not prose:
            return units
        if compact or before_authors:
            is_summary = True
        else:
            usual = Counter((u.gap, u.nbsp) for u in units[1:-1]).most_common(1)
            is_summary = last.gap > 0 and bool(usual) and (last.gap, last.nbsp) != usual[0][0]
        if is_summary:
            self.doc.summary = last.text
            self.page.assign(last, "header/summary")
            return units[:-1]
        return units

    def take_funder_credits(self, units: list[SourceLine]) -> list[SourceLine]:
        """The funder credit line ("This document was made possible with support from X")
        sits above the letter; take it out before anything else reads the funder."""
        rest = []
        for unit in units:
            if _funder_credit_match(unit.text):
                self._funder_credit(unit)
            else:
                rest.append(unit)
        return rest

    def read_letter(self, body: list[SourceLine]) -> None:
        year = int(self.doc.date.iso[:4]) if self.doc.date and self.doc.date.iso else None
        self.doc.divisions = build_divisions(
            body, doc_type=self.doc.doc_type or "document", title=self.doc.title,
            senders=self.doc.senders, context_year=year, assign=self.page.assign)

    # -- after reading -----------------------------------------------------------------

    def apply_title(self) -> None:
        reading = read_title(self.doc.title)
        self.doc.doc_type = reading.doc_type or doc_type_of(self.doc.type_label or "")
        self.doc.senders, self.doc.recipients, self.doc.via = reading.senders, reading.recipients, reading.via

    def apply_citation(self) -> None:
        if self.doc.citation:
            reading = read_citation(self.citation_source or self.doc.citation)
            self.doc.archives = reading.archives
            self.doc.printed_sources = reading.printed
            self.doc.translation_statement = reading.translation_statement
            self.doc.translators = reading.translators
            self.doc.original_language = reading.original_language or self.doc.original_language
            self.doc.url = self.doc.url or reading.url
            self.doc.record_id = self.doc.record_id or reading.record_id
        if not self.doc.archives:  # the 'Original Archive' field names the archive on its own
            self.doc.archives = [_archive_from_name(name) for name in self.doc.keywords.get("archives", [])]

    def check_truncation(self, cut_in_character: bool) -> None:
        """A page cut off part-way: where the cut falls, for the encoder to mark it."""
        last = self.page.last_line()
        if last is None:
            return
        last_no, last_text = last
        to = self.page.destination(last_no)
        # only running text can be cut mid-sentence: a signature or a date line has no full stop
        cut_prose = to in ("header/summary", "header/rights", "header/citation", "body/p", "body/postscript/p",
                           "body/list/item") or to.startswith("body/note")
        # (TERMINAL looks at the last character: the search starts there, not at the first)
        if cut_in_character or (cut_prose and not TERMINAL.search(last_text, max(0, len(last_text) - 2))):
            self.doc.truncated = True
            where = to.split("/")[1] if to.startswith("header/") else "body"
            self.doc.truncated_in = where
            self.doc.warn("source-truncated",
                          f"the page is cut off part-way (in the {where}); everything before the cut "
                          "is converted and the cut is marked with a gap", last_no)


def _archive_from_name(name: str) -> Archive:
    """An archive named only by the 'Original Archive' field."""
    archive = Archive(text=name, repository=name)
    entry = known_archive(name)
    if entry:
        archive.country, archive.settlement = entry.get("country"), entry.get("settlement")
    return archive


def _metadata_start(headings: list[tuple[str, str] | None], start: int) -> int:
    """Index of the first heading of the page's information part (or len(headings)), from
    the _heading() of each unit."""
    for k in range(start, len(headings)):
        if headings[k] and headings[k][0] in SECTION_STARTS:
            return k
    for k in range(start, len(headings)):
        if headings[k] and headings[k][0] in FIELD_STARTS:
            return k
    return len(headings)


def _read_current(r: _Reader, units: list[SourceLine], headings: list[tuple[str, str] | None],
                  compact: bool) -> None:
    start = r.find_date_and_title(units, headings)
    r.apply_title()
    end = _metadata_start(headings, start)
    letter = r.take_funder_credits(units[start:end])
    # "Author(s):" and the like can sit right after the summary; the summary is the
    # last paragraph before the first heading
    before_authors = end < len(units) and headings[end][0] == "authors"
    letter = r.split_summary(letter, compact, before_authors)
    r.read_sections(units[end:], headings[end:])
    r.apply_citation()
    r.read_letter(letter)


def _read_oldsite(r: _Reader, units: list[SourceLine], headings: list[tuple[str, str] | None]) -> None:
    """Old site: UPPERCASE title, furniture, summary+citation, the letter, scan trailer."""
    k = 0
    while k < len(units) and FURNITURE.match(units[k].text):
        r.page.assign(units[k], "set-aside", "page-furniture")
        k += 1
    title_unit = units[k] if k < len(units) else None
    if title_unit:
        r.doc.title = title_unit.text
        r.page.assign(title_unit, "header/title")
        k += 1
    letter_start = None
    for j in range(k, len(units)):
        unit = units[j]
        text = unit.text
        cited = _citation_in(text)
        if _funder_credit_match(text):
            r._funder_credit(unit)
        elif cited and r.doc.citation is None:
            summary = text[: cited.start()].strip()
            if summary:
                r.doc.summary = summary
            r.doc.title = cited["title"].strip()  # the citation gives the title in its own case
            r.doc.date = parse_date(cited["date"]) or r.doc.date
            full = text[cited.start():]
            share = _SHARE_AT_END.search(full)  # the page's Share button, run into the line
            r.doc.citation = full[: share.start()] if share else full
            r.citation_source = cited["source"]
            r.page.assign(unit, "header/summary+citation" if summary else "header/citation",
                          "share-button" if share else None, dropped=share.group().strip() if share else None)
            if title_unit:
                r.page.assign(title_unit, "header/title", "title-display-form")
        elif FURNITURE.match(text) or _BUTTON.fullmatch(text):
            r.page.assign(unit, "set-aside", "page-furniture")
        elif headings[j]:
            break
        else:
            letter_start = j
            break
    end = len(units)
    if letter_start is not None:
        for j in range(letter_start, len(units)):
            if FURNITURE.match(units[j].text) or headings[j]:
                end = j
                break
    r.apply_title()
    trailer = units[end:]
    for unit in trailer:
        if FURNITURE.match(unit.text):
            r.page.assign(unit, "set-aside", "page-furniture")
    unread = [i for i in range(end, len(units)) if not r.page.assigned(units[i].no)]
    r.read_sections([units[i] for i in unread], [headings[i] for i in unread])
    r.apply_citation()
    if letter_start is not None:
        letter = r.take_funder_credits(units[letter_start:end])
        if len(letter) == 1:
            letter = _split_run_on_letter(letter[0], r.doc)
        r.read_letter(letter)


def _split_run_on_letter(unit: SourceLine, doc: Document) -> list[SourceLine]:
    """The old site prints a whole letter on one line: take its salute and signature apart.

    "Ambassador Ni [Zhiliang]: This is ... Zhou Enlai August 23 [1950]" becomes the salute,
    the text, and "Zhou Enlai August 23 [1950]" as a closing line. All pieces keep the
    line's number, so the report still points at it.
    """
    text = unit.text
    pieces = []
    salute = _SALUTE_RUN_ON.match(text)
    if salute and is_name_like(salute.group(1).rstrip(":")):
        pieces.append(salute.group(1))
        text = text[salute.end():]
    closing = None
    ended = date_at_end(text)
    if ended:
        before, value = ended
        for name in doc.senders:
            if before.rstrip().endswith(name.text):
                cut = before.rstrip().rfind(name.text)
                closing = text[cut:]
                text = text[:cut].rstrip()
                break
    pieces.append(text)
    if closing:
        pieces.append(closing)
    return [SourceLine(unit.no, p) for p in pieces]


def read(text: str, doc: Document) -> Document:
    """Fill doc from the text of an archive page (doc.truncated is preset when the file
    ended inside a character)."""
    r = _Reader(text, doc)
    units = r.page.units()
    headings = [_heading(u.text) for u in units]  # (once: every step below asks)
    # (the buttons' line starts with a "c": the test is quicker than the match)
    buttons = any(u.text[:1] in ("c", "C") and CITATION_SHARE_DOWNLOAD.match(u.text) for u in units[:20])
    skip_link = any(u.text.lower() == "skip to content" for u in units[:3])
    oldsite = buttons or (not skip_link and any(_citation_in(u.text) for u in units[:12]))
    blank_lines = r.page.text.count("")
    compact = blank_lines == 0 or blank_lines < len(units) // 10
    if oldsite:
        doc.shape = "old-site"
        _read_oldsite(r, units, headings)
    else:
        labelled = any(heading and heading[0] == "source" for heading in headings)
        doc.shape = "compact" if compact else ("current-labelled" if labelled else "current")
        _read_current(r, units, headings, compact)
    doc.languages = list(dict.fromkeys(d.lang for d in doc.divisions)) or ["en"]
    if doc.doc_type is None and doc.senders and doc.recipients:
        doc.doc_type = "letter" if not doc.type_label else doc_type_of(doc.type_label)
    r.check_truncation(doc.truncated)
    doc.lines = r.page.records()
    return doc
