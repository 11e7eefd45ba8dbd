"""What a document's title says: its type, and who wrote to whom.

Archive titles follow a few patterns ("Letter addressed by X to Y on ...",
"Telegram from X to Y", "Ciphered Telegram No. 709, X to Y, for W", "Cable, X to Y",
"X to Y via Z"); this module reads them without rewriting any name: names keep the
title's wording, with only a leading article or "Comrade" dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from teipress.dates import date_at_end
from teipress.model import Name

# Longest first: the first match wins. (pattern, normalised type)
DOC_TYPES: list[tuple[str, str]] = [
    (r"ciphered\s+(?:telegram|cable)", "ciphered telegram"),
    (r"(?:coded|encoded|cipher|enciphered)\s+(?:telegram|cable)", "ciphered telegram"),
    (r"record\s+of\s+(?:a\s+|the\s+)?conversations?", "record of conversation"),
    (r"memorandum\s+of\s+(?:a\s+|the\s+)?conversations?", "record of conversation"),
    (r"minutes\s+of\s+(?:a\s+|the\s+)?conversations?", "record of conversation"),
    (r"(?:transcript|notes)\s+of\s+(?:a\s+|the\s+)?conversations?", "record of conversation"),
    (r"conversations?\s+(?:between|with)", "record of conversation"),
    (r"minutes", "minutes"),
    (r"telegrams?", "telegram"),
    (r"cables?", "cable"),
    (r"radiograms?", "telegram"),
    (r"letters?", "letter"),
    (r"notes?", "note"),
    (r"memorand(?:um|a)", "memorandum"),
    (r"memo", "memorandum"),
    (r"reports?", "report"),
    (r"instructions?", "instructions"),
    (r"directives?", "instructions"),
    (r"communiqu[ée]s?", "communiqué"),
    (r"messages?", "message"),
    (r"statements?", "statement"),
    (r"speech(?:es)?", "speech"),
    (r"resolutions?", "resolution"),
    (r"decrees?", "decree"),
    (r"decisions?", "decision"),
    (r"protocols?", "protocol"),
    (r"agreements?", "agreement"),
    (r"treaty", "treaty"),
    (r"(?:diary|journal)", "diary"),
    (r"information", "information"),
    (r"draft", "draft"),
    (r"appeal", "appeal"),
]
CORRESPONDENCE_TYPES = {
    "letter", "telegram", "ciphered telegram", "cable", "note", "memorandum", "message",
    "instructions", "report",
}

_TYPE_RE = "|".join(f"(?:{p})" for p, _ in DOC_TYPES)
# All the types in one pattern, one group each: a match tries them in the list's order, as
# a loop over them would, in one call instead of up to one per type
_DOC_TYPE_START = re.compile("|".join(rf"((?:{pattern})\b)" for pattern, _ in DOC_TYPES), re.I)
_NUMBER = r"(?:\s+(?:No\.?|Nos\.?|Number|#|№|Nº)\s*[\w/.-]+(?:\s*,\s*[\w/.-]+)*)?"

# "Ciphered Telegram No. 709, " / "Letter addressed by " / "Telegram from " / "Cable, "
_HEAD = re.compile(
    rf"^(?P<type>{_TYPE_RE}){_NUMBER}(?:\s+from\s+[A-Z][\w-]+(?=,))?"
    r"(?P<sep>\s*,\s*|\s+(?:(?:sent|addressed|written)\s+)?(?:from|by)\s+|\s+to\s+|\s*:\s*)",
    re.I,
)
_POSSESSIVE = re.compile(rf"^(?P<sender>.+?)['’]s\s+(?P<type>{_TYPE_RE}){_NUMBER}\s+to\s+(?P<rest>.+)$", re.I)
# Where the recipient ends and the subject begins (titles are often in title case).
# (Every alternative starts at a space, ":", "(" or ","; the lookahead says so, and spares
# trying them all at every other letter.)
_TOPIC = re.compile(
    r"(?=[\s:(,])(?:\s+(?:on|about|regarding|concerning|re:?|in\s+connection\s+with|in\s+response\s+to|in\s+reply\s+to|"
    r"with\s+(?:a|an|the)\b|transmitting|enclosing|requesting|reporting|informing|asking|proposing|"
    r"urging|conveying|announcing|expressing|thanking|approving|explaining|describing|summarizing|"
    r"summarising|discussing|on\s+the\s+subject\s+of)\s+"
    r"|\s*[:(]\s*|\s*,\s*(?=['\"“‘])|\s+(?=['\"“‘])|\s*,\s+(?=[a-z])(?!for\b|via\b|and\b|care\s+of\b))",
    re.I,
)
# "Roshchin in Beijing": where a person wrote from, not part of the name
_PERSON_AT = re.compile(r"^(?P<name>.+?)\s+(?:in|at)\s+(?P<place>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)$")
_ORG_WORDS = re.compile(
    r"\b(?:CC|Committee|Council|Ministry|Minister's\s+Office|Embassy|Legation|Consulate|Party|"
    r"Government|Department|Office|Commission|Bureau|Politburo|Presidium|Delegation|Secretariat|"
    r"Union|Republic|Army|Command|Headquarters|Institute|Foundation|Section|Directorate|"
    r"Administration|Agency|Service|Staff|Mission|Front|Soviet|Assembly|Congress|Cabinet|"
    r"Chancellery|Comintern|Cominform|Politbureau|Organization|Organisation|Association|League|"
    r"Federation|Workers|People's|Forces|Navy|Corps|Division|Group|Board|Court|Academy|"
    r"Parliament|Senate|Station|Residency|Center|Centre|Headquarter|Ministries|Embassies|"
    r"Governments|Parties|Committees|Friends|Comrades|Leadership|Representative\s+Office)\b"
)
_ACRONYM = re.compile(r"^(?:[A-Z]{2,5}(?:\([a-z]\))?|(?:[A-Z]\.){2,5})$")
_BRACKETED = re.compile(r"\[[^\]]*\]")
_THE = re.compile(r"^the\s", re.I)
_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_OF_OR_FOR = re.compile(r"\bof\b|\bfor\b", re.I)
_WORD_CHAR = re.compile(r"\w")
_FOR = re.compile(r",?\s+for\s+")
_VIA = re.compile(r",?\s+via\s+")
_TO = re.compile(r"\s+to\s+")
_HONORIFIC = re.compile(r"^(?:the\s+|comrades?\s+|cdes?\.\s*|tov\.\s+)+", re.I)


@dataclass
class TitleReading:
    doc_type: str | None = None
    senders: list[Name] = field(default_factory=list)
    recipients: list[Name] = field(default_factory=list)
    via: list[Name] = field(default_factory=list)
    place: str | None = None  # where the sender wrote from, when the title says so


def doc_type_of(text: str) -> str | None:
    """The normalised document type a title or Type field names at its start."""
    m = _DOC_TYPE_START.match(text.strip())
    return DOC_TYPES[m.lastindex - 1][1] if m else None


@lru_cache(maxsize=4096)  # (the same correspondents recur from letter to letter)
def name_kind(text: str) -> str:
    """person or org, from the words of a name (organisations name their kind)."""
    bare = (_BRACKETED.sub("", text) if "[" in text else text).strip()
    if _ORG_WORDS.search(bare) or _ACRONYM.match(bare.split()[0] if bare.split() else ""):
        return "org"
    if _THE.match(text):
        return "org"
    return "person"


def clean_name(text: str) -> str:
    """A correspondent's name from a title: trimmed, without a leading article or 'Comrade'."""
    text = text.strip(" ,.;:")
    honorific = _HONORIFIC.match(text)  # (at the start only: a match, not a substitution that searches)
    stripped = (text[honorific.end():] if honorific else text).strip()
    return stripped or text


def split_names(text: str) -> list[str]:
    """Several addressees ("Stalin, Molotov and Beria") as separate names.

    "and" inside an organisation's name ("Ministry of Trade and Industry") is not a
    separator: a part that holds "of" keeps the whole together.
    """
    text = text.strip()
    # (a name without a comma, "&" or "and" has no separator: the test is quicker than the split)
    parts = _NAME_SEPARATOR.split(text) if "," in text or "&" in text or "and" in text else [text]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return [text] if text else []
    if any(_OF_OR_FOR.search(p) for p in parts):
        return [text]
    if not all(p[:1].isupper() or p.lower().startswith(("the ", "cde", "comrade")) for p in parts):
        return [text]
    return parts


def _names(text: str, places: list[str] | None = None) -> list[Name]:
    """Names of a title part; a person's "in Beijing" goes to places, not into the name."""
    out = []
    for part in split_names(text):
        name = clean_name(part)
        kind = name_kind(part)
        at = _PERSON_AT.match(name) if " in " in name or " at " in name else None  # (see read_title)
        if at and kind == "person" and name_kind(at["place"]) == "person":
            name = at["name"]
            if places is not None:
                places.append(at["place"])
        if name and _WORD_CHAR.search(name):
            out.append(Name(name, kind))
    return out


def _senders(text: str, reading: TitleReading) -> list[Name]:
    places: list[str] = []
    names = _names(text, places)
    reading.place = places[0] if places else None
    return names


def _read_recipients(rest: str, reading: TitleReading) -> None:
    """'Y', 'Y, for W', 'Y via Z', then maybe a topic."""
    rest = rest.strip()
    ended = date_at_end(rest)
    if ended and ended[0].strip():
        rest = ended[0].strip(" ,")
    m = _TOPIC.search(rest)
    if m:
        rest = rest[: m.start()]
    for_part = _FOR.split(rest, maxsplit=1) if " for " in rest else [rest]  # (see read_title)
    main = for_part[0]
    via = _VIA.split(main, maxsplit=1) if " via " in main else [main]
    reading.recipients.extend(_names(via[0]))
    if len(via) > 1:
        reading.via.extend(_names(via[1]))
    if len(for_part) > 1:
        reading.recipients.extend(_names(for_part[1]))


def read_title(title: str) -> TitleReading:
    """Type, senders, recipients and intermediaries stated by a title."""
    # one space between words: what \s+ -> " " and strip() give, quicker. Every part of the
    # title read below holds no other space, so a pattern that needs " for " (\s+for\s+)
    # is only tried where the text holds " for ": the test is quicker than the search
    title = " ".join(title.split())
    reading = TitleReading(doc_type=doc_type_of(title))
    m = _POSSESSIVE.match(title) if "'" in title or "’" in title else None  # (the test is quicker)
    if m:
        reading.doc_type = doc_type_of(m["type"])
        reading.senders = _senders(m["sender"], reading)
        _read_recipients(m["rest"], reading)
        return reading
    rest = title
    head = _HEAD.match(title)
    if head:
        rest = title[head.end():]
        if head["sep"].strip().lower() == "to":  # "Instructions to X [from Y]"
            to_part, _, from_part = rest.partition(" from ")
            _read_recipients(to_part, reading)
            if from_part:
                stop = _TOPIC.search(from_part)
                reading.senders = _senders(from_part[: stop.start()] if stop else from_part, reading)
            return reading
    elif reading.doc_type == "record of conversation":
        return reading
    # "X to Y ..." (the first " to " separates; a sender name does not contain " to ")
    parts = _TO.split(rest, maxsplit=1)
    if len(parts) == 2 and parts[0].strip():
        reading.senders = _senders(parts[0], reading)
        _read_recipients(parts[1], reading)
    elif head and head["sep"].strip().lower() in ("from", "by", "addressed by", "sent by", "sent from", "written by"):
        stop = _TOPIC.search(rest)
        reading.senders = _senders(rest[: stop.start()] if stop else rest, reading)
    return reading
