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
# The three at once, in the order read_archive tries them: the first that matches names
# the group (one match instead of up to three)
_SHELFMARK_PART = re.compile(rf"(?P<fund>{_FUND.pattern})|(?P<pages>{_PAGES.pattern})|(?P<file>{_FILE.pattern})", re.I)
# Signs of a publication, each with a word it cannot match without (in any case): a text
# is searched only for the signs whose word it holds (one pattern of them all would be
# tried at every letter of every citation)
_PRINTED_SIGNS = [(re.compile(pattern, re.I), word) for pattern, word in [
    (r"\bed\.", "ed."), (r"\beds\.", "eds."), (r"\bvol\.\s*\d", "vol."),
    (r"\(\s*[A-Z][\w .'-]+:\s*[^()]+,\s*\d{4}\s*\)", "("), (r"\bBulletin\b", "bulletin"),
    (r"\bJournal\b", "journal"), (r"\bedited\s+by\b", "edited"), (r"\bpublished\s+in\b", "published"),
    (r"\bno\.\s*\d+\s*\(\d{4}\)", "no."), (r"\bpp?\.\s*\d+.*\b(?:19|20)\d{2}\b.*\)", ")"),
]]
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

_PARENTHESISED = re.compile(r"\s*\([^)]*\)")
_IN_PARENTHESES = re.compile(r"\(([^)]*)\)")
_FROM_LANGUAGE = re.compile(r"\bfrom\s+(?:the\s+)?([A-Z][a-z-]+)\b")
_TRANSLATED_BY = re.compile(r"\b(?:translat\w*|trans\.)\b(?:(?!\bby\b).){0,80}?\bby\s+(.+)$", re.S | re.I)
_AFTER_NAMES = re.compile(r"\s+(?:for|from|with|at|of|under)\s+|\s*[;(]|,\s*(?:with|for|and\s+edited)\b")
# What _AFTER_NAMES cannot match without (it is case-sensitive): most names hold none of them
_AFTER_NAMES_NEEDS = ("for", "from", "with", "at", "of", "under", ";", "(", ",")
_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_ENDS_WITH_INITIAL = re.compile(r"\b[A-Z]$")
_LEADING_AND = re.compile(r"^and\s+")
_TRAILING_CODE = re.compile(r"^(?P<repo>.*?[A-Za-z)]\s*)\s(?P<code>[\w./-]*\d[\w./-]*)$")
_NUMBER_OR_RANGE = re.compile(r"\d+[a-z]?(?:\s*[-–]\s*\d+[a-z]?)?")
_PLACE_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?")
_LOCUS_NUMBER = re.compile(r"\d+[a-z]?(?:[rv]\b)?")
_RECORD_IN_URL = re.compile(r"/document/(\d+)")
_SHARE_BUTTON = re.compile(r"^\s*-?\s*Share\b")
_WORD_CHAR = re.compile(r"\w")
# The characters besides an ASCII letter's own two cases that re.I matches with it
# (İ and ı with i, ſ with s, the Kelvin sign with k)
_CASE_TWINS = ("\u0130", "\u0131", "\u017f", "\u212a")


def lower_for_words(text: str) -> str | None:
    """text in lower case, to look for lower-case ASCII words in it as a pattern compiled
    with re.I would find them; None when the text holds a case twin (rare: then only the
    pattern can tell)."""
    if not text.isascii() and any(c in text for c in _CASE_TWINS):
        return None
    return text.lower()


def may_contain(text: str, words: tuple[str, ...]) -> bool:
    """Whether text may hold one of words (lower-case ASCII) in any case: False means that
    no pattern compiled with re.I that needs one of them can match. (A quick test before
    a search, which tries its pattern at every letter.)"""
    low = lower_for_words(text)
    if low is None:
        return True
    for word in words:
        if word in low:
            return True
    return False


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


@lru_cache(maxsize=1)
def _archive_positions() -> dict[str, int]:
    """Each key of the archive table in lower case, with the position of the first entry
    that has it."""
    positions: dict[str, int] = {}
    for position, entry in enumerate(_archive_table()):
        for k in entry["keys"]:
            positions.setdefault(k.lower(), position)
    return positions


def known_archive(repository: str) -> dict | None:
    """The archive table's entry for a repository name or abbreviation, if any (the first
    in the table with a key that is the name, the name without its parentheses, or a
    parenthesis)."""
    key = " ".join(repository.split()).strip(" .,").lower()
    # (both patterns need a "(": most names have none, and the test is quicker than the calls)
    bare = (_PARENTHESISED.sub("", key) if "(" in key else key).strip()
    inner = _IN_PARENTHESES.findall(key) if "(" in key else []
    positions = _archive_positions()
    found = [positions[k] for k in (key, bare, *inner) if k in positions]
    return _archive_table()[min(found)] if found else None


def sentences(text: str) -> list[str]:
    """Split at sentence ends, not at the dots of initials and archival abbreviations."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start: m.start() + 1]
        # (only the last word can be an abbreviation: searching it alone spares a search
        # of the whole sentence, which the pattern tries at every letter. Every abbreviation
        # ends with a letter before its dot: "720." or "1958)." needs no search at all)
        word = before.rsplit(None, 1)[-1]
        if word[-2:-1].isalpha() and _ABBREV_BEFORE_DOT.search(word):
            continue
        out.append(before.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on sep (which holds no bracket) where it is not inside parentheses or brackets."""
    if "(" not in text and "[" not in text:  # nothing opens: every sep is at the top level
        return [p.strip() for p in text.split(sep) if p.strip()]
    parts, depth, start = [], 0, 0
    for mark in _brackets_and(sep).finditer(text):  # (only the brackets and seps, not every character)
        found = mark.group()
        if found in ("(", "["):
            depth += 1
        elif found in (")", "]"):
            if depth:
                depth -= 1
        elif depth == 0:
            parts.append(text[start: mark.start()])
            start = mark.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


@lru_cache(maxsize=8)
def _brackets_and(sep: str) -> re.Pattern:
    return re.compile(r"[()\[\]]|" + re.escape(sep))


def read_translation(statement: str) -> tuple[list[Name], str | None]:
    """Translators and the original language named by 'Translated [from X] [for Y] by A and B.'"""
    language = None
    m = _FROM_LANGUAGE.search(statement) if "from" in statement else None  # (the test is quicker)
    if m and m.group(1).lower() in LANGUAGE_CODES:
        language = LANGUAGE_CODES[m.group(1).lower()]
    # the names after the "by" of the translation ("Obtained by X and translated by Y" -> Y)
    by = _TRANSLATED_BY.search(statement)
    if not by:
        return [], language
    names_text = by.group(1).strip().rstrip(".")
    # (each split only where the text holds what its pattern needs: the tests are quicker)
    if any(need in names_text for need in _AFTER_NAMES_NEEDS):
        names_text = _AFTER_NAMES.split(names_text, maxsplit=1)[0]
    parts = _NAME_SEPARATOR.split(names_text) if "," in names_text or "&" in names_text or "and" in names_text \
        else [names_text]
    names = []
    for part in parts:
        part = part.strip(" .,")
        if part and _LATIN_LETTER.search(part) and part[0].isupper():
            # (an initial is the last letter, or the one before a final newline: the search starts there)
            initial = _ENDS_WITH_INITIAL.search(part, max(0, len(part) - 2))
            names.append(Name(part + ("." if initial else ""), "person"))
    return names, language


def read_archive(text: str) -> Archive:
    """One archive's part of a citation: repository, fund, call number, pages."""
    text = text.strip().rstrip(".").strip()
    text = _LEADING_AND.sub("", text)
    tokens = split_top_level(text, ",")
    archive = Archive(text=text)
    fund, file_parts, pages, places = [], [], [], []
    for i, token in enumerate(tokens):
        if i == 0:
            # "PRC FMA 106-00016-06": a trailing code is the call number
            code = _TRAILING_CODE.match(token)
            if code and not _FUND.match(token) and not _FILE.match(token):
                archive.repository = code["repo"].strip()
                file_parts.append(code["code"])
            else:
                archive.repository = token
            continue
        part = _SHELFMARK_PART.match(token)
        kind = part.lastgroup if part else None
        if kind == "fund":
            fund.append(token)
        elif kind == "pages":
            pages.append(token)
        elif kind == "file":
            file_parts.append(token)
        elif _NUMBER_OR_RANGE.fullmatch(token) and i == len(tokens) - 1 and file_parts:
            pages.append(token)  # a bare trailing number or range after the call number: pages
        elif not fund and not file_parts and _PLACE_NAME.fullmatch(token):
            places.append(token)  # "Moscow" right after the repository
        else:
            file_parts.append(token)
    archive.collection = ", ".join(fund) or None
    archive.idno = ", ".join(file_parts) or None
    if pages:
        archive.locus = ", ".join(pages)
        numbers = _LOCUS_NUMBER.findall(archive.locus)
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
    low = lower_for_words(text)
    for sign, word in _PRINTED_SIGNS:
        if (low is None or word in low) and sign.search(text):
            return True
    return False


def _has_shelfmark(sentence: str) -> bool:
    return any(_SHELFMARK_PART.match(t) for t in split_top_level(sentence, ","))


def read_citation(text: str) -> CitationReading:
    """Archives, printed sources, translators and address of a whole citation."""
    reading = CitationReading()
    url = _URL.search(text)
    if url:
        reading.url = url.group(0).rstrip(".,;")
        rid = _RECORD_IN_URL.search(reading.url)
        if rid:
            reading.record_id = rid.group(1)
        # the old site runs its "Share" button into the citation after the address
        text = (text[: url.start()] + _SHARE_BUTTON.sub("", text[url.end():])).strip()
    rest = []
    for sentence in sentences(text):
        m = _TRANSLATION.search(sentence) if may_contain(sentence, ("trans",)) else None
        if m and reading.translation_statement is None and not _has_shelfmark(sentence):
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
        elif _WORD_CHAR.search(part):
            reading.archives.append(read_archive(part))
    return reading
