"""Plain records passed between stages: reader -> Document -> TEI encoder.

Readers fill a Document from a source text; the TEI encoder is the only place
that turns it into TEI elements. Text fields keep the source's wording: editorial
brackets such as ``Filippov [Stalin]`` stay in the strings and become ``supplied``
only in the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Issue:
    """A problem found in a source or a TEI file, located where an editor can fix it."""

    severity: str  # "error" | "warning" | "info"
    rule: str
    message: str
    line: int | None = None
    column: int | None = None
    xpath: str | None = None


@dataclass(frozen=True)
class DateValue:
    """A date as written, with its ISO 8601 reading (YYYY, YYYY-MM or YYYY-MM-DD)."""

    text: str
    when: str | None = None
    from_: str | None = None
    to: str | None = None
    not_before: str | None = None
    not_after: str | None = None

    @property
    def iso(self) -> str | None:
        """The single ISO value best describing the date (for sorting and summaries)."""
        return self.when or self.from_ or self.not_before


@dataclass(frozen=True)
class Name:
    """A correspondent or agent as written; kind is person, org or place."""

    text: str
    kind: str = "person"


@dataclass
class Archive:
    """One archive of a source citation, as parsed from the citation text."""

    text: str
    repository: str | None = None
    collection: str | None = None
    idno: str | None = None
    locus: str | None = None
    locus_from: str | None = None
    locus_to: str | None = None
    country: str | None = None
    settlement: str | None = None


@dataclass(slots=True)
class Block:
    """One structural unit of a letter's text.

    kind: head, p, list, salute, dateline, signed, seg (furniture), note.
    role: for seg, what the furniture is (classification, priority, number, address,
    routing); for note, its number.
    """

    kind: str
    text: str = ""
    lines: tuple[int, ...] = ()
    role: str | None = None
    items: Sequence[str] = ()  # a list's items (the other blocks share the empty tuple: no list made for each)
    date: DateValue | None = None


@dataclass
class Division:
    """A div of the body: the letter itself, or one language version of it."""

    type: str
    lang: str = "en"
    subtype: str | None = None
    head: list[Block] = field(default_factory=list)
    opener: list[Block] = field(default_factory=list)
    content: list[Block] = field(default_factory=list)
    # what follows the text, in order: ("closer", blocks) and ("postscript", blocks)
    bottom: list[tuple[str, list[Block]]] = field(default_factory=list)
    notes: dict[str, Block] = field(default_factory=dict)


@dataclass(slots=True)
class LineRecord:
    """Where one source line went: a header field, a body element, or set aside by a rule."""

    line: int
    text: str
    to: str
    rule: str | None = None
    dropped: str | None = None  # the part of a kept line that is not in the TEI (boilerplate)


@dataclass
class Document:
    """Everything a reader found in one source, ready for the TEI encoder."""

    id: str
    source_name: str
    source_sha256: str
    reader: str
    shape: str = ""
    title: str = ""
    date: DateValue | None = None
    doc_type: str | None = None  # normalised: letter, telegram, ciphered telegram, ...
    type_label: str | None = None  # the archive's own Type field, as written
    senders: list[Name] = field(default_factory=list)
    recipients: list[Name] = field(default_factory=list)
    via: list[Name] = field(default_factory=list)
    place_sent: str | None = None
    citation: str | None = None  # the source citation as written
    archives: list[Archive] = field(default_factory=list)
    printed_sources: list[str] = field(default_factory=list)
    translation_statement: str | None = None
    translators: list[Name] = field(default_factory=list)
    original_language: str | None = None
    rights: list[str] = field(default_factory=list)
    uploaded: DateValue | None = None
    record_id: str | None = None
    url: str | None = None
    languages: list[str] = field(default_factory=list)  # ISO codes of the text's languages
    funders: list[str] = field(default_factory=list)
    summary: str | None = None
    keywords: dict[str, list[str]] = field(default_factory=dict)
    related: list[tuple[DateValue | None, str]] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)
    truncated: bool = False
    truncated_in: str | None = None  # body, summary, rights, citation: where the cut falls
    lines: list[LineRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def warn(self, rule: str, message: str, line: int | None = None) -> None:
        self.issues.append(Issue("warning", rule, message, line))


@dataclass
class Outcome:
    """What a stage did with its files or documents: names written, unchanged, kept
    (hand-edited TEI left alone), and (name, error) pairs that failed."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
