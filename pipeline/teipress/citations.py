"""Source citations: archives, call numbers, pages, printed sources and translators.

A citation such as
``APRF, f. 45, op. 1, d. 342, l. 78; AVPRF, Fond 059a, ...; and RGASPI, ...``
is read into one Archive per archive (repository, collection = the fund, idno = the
file-level call number, locus = pages or folios). Each part keeps its wording; nothing
is re-spelled. The citation as written is kept by the encoder as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from teipress.model import Archive, Name

LANGUAGE_CODES = {
    "english": "en", "russian": "ru", "chinese": "zh", "korean": "ko", "japanese": "ja",
    "romanian": "ro", "german": "de", "polish": "pl", "hungarian": "hu", "czech": "cs",
    "slovak": "sk", "bulgarian": "bg", "french": "fr", "italian": "it", "spanish": "es",
    "vietnamese": "vi", "mongolian": "mn", "albanian": "sq", "serbo-croatian": "sh",
    "serbian": "sr", "croatian": "hr", "ukrainian": "uk", "persian": "fa", "arabic": "ar",
    "portuguese": "pt", "dutch": "nl", "greek": "el", "turkish": "tr", "hebrew": "he",
    "hindi": "hi", "finnish": "fi", "swedish": "sv", "norwegian": "no", "danish": "da",
    "lithuanian": "lt", "latvian": "lv", "estonian": "et", "georgian": "ka", "armenian": "hy",
    "slovenian": "sl", "macedonian": "mk", "indonesian": "id", "thai": "th", "lao": "lo",
    "khmer": "km", "burmese": "my", "urdu": "ur", "bengali": "bn", "tamil": "ta",
}
LANGUAGE_NAMES = {code: name.capitalize() for name, code in LANGUAGE_CODES.items()}

# Shelfmark parts by level, matched at the start of a comma-separated token.
_FUND = re.compile(r"^(?:f\.|fond|fonds|fund|collection|record\s+group|rg|zesp[oó]ł|bestand)(?:\s|\.|$)", re.I)
_FILE = re.compile(
    r"^(?:op\.|opis|d\.|delo|file|files|papka|pap\.|por\.|box|folder|dossier|series|ser\.|sygn\.|"
    r"signature|inventory|inv\.|unit|item|vol\.|volume|t\.|tom|doboz|karton|j\.|jedn\.|case)(?:\s|\.|$)",
    re.I,
)
_PAGES = re.compile(
    r"^(?:l\.|ll\.|list|listy|lista|p\.|pp\.|page|pages|folio|folios|fol\.|fols\.|ff\.|k\.|karta|"
    r"karty|str\.|s\.|sheets?)(?:\s|$)",
    re.I,
)
_PRINTED = re.compile(
    r"\beds?\.|\bvol\.\s*\d|\(\s*[A-Z][\w .'-]+:\s*[^()]+,\s*\d{4}\s*\)|\bBulletin\b|\bJournal\b|"
    r"\bedited\s+by\b|\bpublished\s+in\b|\bno\.\s*\d+\s*\(\d{4}\)|\bpp?\.\s*\d+.*\b(?:19|20)\d{2}\b.*\)",
    re.I,
)
_ABBREV_BEFORE_DOT = re.compile(
    r"(?:\b[A-Z]|\b(?:f|op|d|l|ll|p|pp|vol|no|nos|ed|eds|st|dr|jr|sr|mr|mrs|ms|cde|ff|fol|k|t|"
    r"s|str|inv|ser|sygn|jedn|trans|comp|cf|ca|c|etc|al|gen|col|lt|capt|amb|min|dept|rev|"
    r"univ|govt|corp|inc|ltd|co|pap|por)\.)$",
    re.I,
)
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z\"“(])")
_URL = re.compile(r"https?://\S+")
_TRANSLATION = re.compile(r"\b(?:translat(?:ed|ion|or|ors)|trans\.)\b", re.I)
# Sentences about how the archive got the document: kept in the citation, not an archive
_PROVENANCE = re.compile(
    r"^(?:obtained|contributed|provided|donated|acquired|courtesy|included|found|located|selected|"
    r"transcribed|edited|published|reprinted|first\s+published|originally\s+published|see\s+also)\b",
    re.I,
)


@dataclass
class CitationReading:
    archives: list[Archive] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    translation_statement: str | None = None
    translators: list[Name] = field(default_factory=list)
    original_language: str | None = None
    url: str | None = None
    record_id: str | None = None
    notes: list[str] = field(default_factory=list)  # how the document was obtained, etc.


@lru_cache(maxsize=1)
def _archive_table() -> list[dict]:
    text = resources.files("teipress").joinpath("data/archives.json").read_text("utf-8")
    return json.loads(text)["archives"]


def known_archive(repository: str) -> dict | None:
    """The archive table's entry for a repository name or abbreviation, if any."""
    key = re.sub(r"\s+", " ", repository).strip(" .,").lower()
    bare = re.sub(r"\s*\([^)]*\)", "", key).strip()
    inner = re.findall(r"\(([^)]*)\)", key)
    for entry in _archive_table():
        for k in entry["keys"]:
            k = k.lower()
            if k in (key, bare) or k in inner:
                return entry
    return None


def sentences(text: str) -> list[str]:
    """Split at sentence ends, not at the dots of initials and archival abbreviations."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start: m.start() + 1]
        # (only the last word can be an abbreviation: searching it alone spares a search
        # of the whole sentence, which the pattern tries at every letter)
        if _ABBREV_BEFORE_DOT.search(before.rsplit(None, 1)[-1]):
            continue
        out.append(before.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on sep where it is not inside parentheses or brackets."""
    if "(" not in text and "[" not in text:  # nothing opens: every sep is at the top level
        return [p.strip() for p in text.split(sep) if p.strip()]
    parts, depth, current = [], 0, []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        if depth == 0 and text.startswith(sep, i):
            parts.append("".join(current))
            current = []
            i += len(sep)
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def read_translation(statement: str) -> tuple[list[Name], str | None]:
    """Translators and the original language named by 'Translated [from X] [for Y] by A and B.'"""
    language = None
    m = re.search(r"\bfrom\s+(?:the\s+)?([A-Z][a-z-]+)\b", statement)
    if m and m.group(1).lower() in LANGUAGE_CODES:
        language = LANGUAGE_CODES[m.group(1).lower()]
    # the names after the "by" of the translation ("Obtained by X and translated by Y" -> Y)
    by = re.search(r"\b(?:translat\w*|trans\.)\b(?:(?!\bby\b).){0,80}?\bby\s+(.+)$", statement, re.S | re.I)
    if not by:
        return [], language
    names_text = by.group(1).strip().rstrip(".")
    names_text = re.split(r"\s+(?:for|from|with|at|of|under)\s+|\s*[;(]|,\s*(?:with|for|and\s+edited)\b",
                          names_text, maxsplit=1)[0]
    names = []
    for part in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", names_text):
        part = part.strip(" .,")
        if part and re.search(r"[A-Za-z]", part) and part[0].isupper():
            names.append(Name(part + ("." if re.search(r"\b[A-Z]$", part) else ""), "person"))
    return names, language


def read_archive(text: str) -> Archive:
    """One archive's part of a citation: repository, fund, call number, pages."""
    text = text.strip().rstrip(".").strip()
    text = re.sub(r"^and\s+", "", text)
    tokens = split_top_level(text, ",")
    archive = Archive(text=text)
    fund, file_parts, pages, places = [], [], [], []
    for i, token in enumerate(tokens):
        if i == 0:
            # "PRC FMA 106-00016-06": a trailing code is the call number
            code = re.match(r"^(?P<repo>.*?[A-Za-z)]\s*)\s(?P<code>[\w./-]*\d[\w./-]*)$", token)
            if code and not _FUND.match(token) and not _FILE.match(token):
                archive.repository = code["repo"].strip()
                file_parts.append(code["code"])
            else:
                archive.repository = token
            continue
        if _FUND.match(token):
            fund.append(token)
        elif _PAGES.match(token):
            pages.append(token)
        elif _FILE.match(token):
            file_parts.append(token)
        elif re.fullmatch(r"\d+[a-z]?(?:\s*[-–]\s*\d+[a-z]?)?", token) and i == len(tokens) - 1 and file_parts:
            pages.append(token)  # a bare trailing number or range after the call number: pages
        elif not fund and not file_parts and re.fullmatch(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?", token):
            places.append(token)  # "Moscow" right after the repository
        else:
            file_parts.append(token)
    archive.collection = ", ".join(fund) or None
    archive.idno = ", ".join(file_parts) or None
    if pages:
        archive.locus = ", ".join(pages)
        numbers = re.findall(r"\d+[a-z]?(?:[rv]\b)?", archive.locus)
        if numbers:
            archive.locus_from, archive.locus_to = numbers[0], numbers[-1]
    entry = known_archive(archive.repository or "")
    if entry:
        archive.country = entry.get("country")
        archive.settlement = entry.get("settlement")
    if places and not archive.settlement:
        archive.settlement = places[0]
    return archive


def is_printed(text: str) -> bool:
    """True when a citation part names a publication rather than an archive."""
    return bool(_PRINTED.search(text))


def read_citation(text: str) -> CitationReading:
    """Archives, printed sources, translators and address of a whole citation."""
    reading = CitationReading()
    url = _URL.search(text)
    if url:
        reading.url = url.group(0).rstrip(".,;")
        rid = re.search(r"/document/(\d+)", reading.url)
        if rid:
            reading.record_id = rid.group(1)
        # the old site runs its "Share" button into the citation after the address
        text = (text[: url.start()] + re.sub(r"^\s*-?\s*Share\b", "", text[url.end():])).strip()
    rest = []
    for sentence in sentences(text):
        m = _TRANSLATION.search(sentence)
        shelfmark = any(_FUND.match(t) or _FILE.match(t) or _PAGES.match(t) for t in split_top_level(sentence, ","))
        if m and reading.translation_statement is None and not shelfmark:
            reading.translation_statement = sentence
            reading.translators, reading.original_language = read_translation(sentence)
        elif _PROVENANCE.match(sentence):
            reading.notes.append(sentence)
        else:
            rest.append(sentence)
    body = " ".join(rest).strip()
    if not body:
        return reading
    if is_printed(body):
        reading.printed.append(body)
        return reading
    for part in split_top_level(body, ";"):
        if is_printed(part):
            reading.printed.append(part)
        elif re.search(r"\w", part):
            reading.archives.append(read_archive(part))
    return reading
