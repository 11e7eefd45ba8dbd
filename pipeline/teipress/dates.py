"""Dates as archives write them, read into ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD).

Every function keeps the text as written and only adds a reading; a string that is
not a real calendar date (1958-02-30) gets no reading at all rather than a wrong one.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

from teipress.model import DateValue

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
ROMAN_MONTHS = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8,
    "ix": 9, "x": 10, "xi": 11, "xii": 12,
}

_MONTH = r"(?P<{name}>(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?)"
_YEAR = r"(?P<{name}>1[0-9]{{3}}|20[0-9]{{2}})"
_DAY = r"(?P<{name}>[0-3]?[0-9])(?:st|nd|rd|th)?"
_BRACKET_YEAR = r"\[?(?P<{name}>1[0-9]{{3}}|20[0-9]{{2}})\]?"
_CIRCA = r"(?P<circa>(?:c\.|ca\.|circa|approx(?:imately|\.)?)\s*)?"


def _f(pattern: str, **names: str) -> str:
    return pattern.format(**names)


_PATTERNS = [
    # September 30, 1958 - October 2, 1958 / September 1958 - January 1959 (a range across years)
    ("full-range", re.compile(
        _CIRCA + _f(_MONTH, name="m") + r"\s+(?:" + _f(_DAY, name="d") + r",?\s+)?" + _f(_BRACKET_YEAR, name="y")
        + r"\s*[-–—]\s*" + _f(_MONTH, name="m2") + r"\s+(?:" + _f(_DAY, name="d2") + r",?\s+)?"
        + _f(_BRACKET_YEAR, name="y2"), re.I)),
    # 1958-09-09, 1958-09, 1958
    ("iso", re.compile(r"(?P<y>1[0-9]{3}|20[0-9]{2})-(?P<m>[01][0-9])(?:-(?P<d>[0-3][0-9]))?")),
    # September 9-10, 1958 / September 9 - October 2, 1958
    ("mdy-range", re.compile(
        _CIRCA + _f(_MONTH, name="m") + r"\s+" + _f(_DAY, name="d") + r"\s*[-–—]\s*(?:"
        + _f(_MONTH, name="m2") + r"\s+)?" + _f(_DAY, name="d2") + r",?\s+" + _f(_BRACKET_YEAR, name="y"),
        re.I)),
    # 9-10 September 1958
    ("dmy-range", re.compile(
        _CIRCA + _f(_DAY, name="d") + r"\s*[-–—]\s*" + _f(_DAY, name="d2") + r"\s+"
        + _f(_MONTH, name="m") + r",?\s+" + _f(_BRACKET_YEAR, name="y"), re.I)),
    # September 9, 1958 / Sept. 9 1958 / August 23 [1950]
    ("mdy", re.compile(
        _CIRCA + _f(_MONTH, name="m") + r"\s+" + _f(_DAY, name="d") + r",?\s+" + _f(_BRACKET_YEAR, name="y"),
        re.I)),
    # 9 September 1958 / 9th of September, 1958
    ("dmy", re.compile(
        _CIRCA + _f(_DAY, name="d") + r"\s+(?:of\s+)?" + _f(_MONTH, name="m") + r",?\s+" + _f(_BRACKET_YEAR, name="y"),
        re.I)),
    # 4/XI-56, 4.XI.1956, 4 XI 1956
    ("roman", re.compile(
        r"(?P<d>[0-3]?[0-9])\s*[./\s-]\s*(?P<rm>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\s*[./\s-]\s*(?P<y>(?:19|20)?[0-9]{2})(?![0-9])",
        re.I)),
    # 04.11.1956 (day first, as in the archives' European originals)
    ("dotted", re.compile(r"(?P<d>[0-3]?[0-9])\.(?P<m>[01]?[0-9])\.(?P<y>1[0-9]{3}|20[0-9]{2})")),
    # September 1958
    ("my", re.compile(_CIRCA + _f(_MONTH, name="m") + r",?\s+" + _f(_BRACKET_YEAR, name="y"), re.I)),
    # 1958-1959
    ("year-range", re.compile(r"(?P<y>1[0-9]{3}|20[0-9]{2})\s*[-–—]\s*(?P<y2>1[0-9]{3}|20[0-9]{2})")),
    # 1950s
    ("decade", re.compile(r"(?P<y>1[0-9]{2}0|20[0-9]0)s")),
    # c. 1958 / 1958
    ("year", re.compile(_CIRCA + r"(?P<y>1[0-9]{3}|20[0-9]{2})")),
]

# Dates without a year ("October 5", "5 October") are read only with a year from context.
_NO_YEAR = [
    ("md", re.compile(_f(_MONTH, name="m") + r"\s+" + _f(_DAY, name="d"), re.I)),
    ("dm", re.compile(_f(_DAY, name="d") + r"\s+(?:of\s+)?" + _f(_MONTH, name="m"), re.I)),
]


def iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO string for a date, or None when it is not a real calendar date."""
    try:
        if day is not None and month is not None:
            return _dt.date(year, month, day).isoformat()
        if month is not None:
            _dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}"
    except ValueError:
        return None


# Letters the case-blind patterns read as ASCII ones ("ſept", "Aprıl", "APRİL" match a month)
_ASCII_TWINS = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"})


def _month(token: str) -> int:
    return MONTHS[token.translate(_ASCII_TWINS).lower().rstrip(".")]


def _year(token: str, context_year: int | None) -> int:
    year = int(token)
    if year < 100:  # two-digit years: the century of the document, else the 1900s
        century = (context_year // 100) * 100 if context_year else 1900
        year += century
    return year


def _reading(kind: str, m: re.Match, text: str, context_year: int | None) -> DateValue | None:
    g = m.groupdict()
    if kind == "iso":
        value = iso(int(g["y"]), int(g["m"]), int(g["d"]) if g["d"] else None)
        return DateValue(text, when=value) if value else None
    if kind == "full-range":
        if bool(g["d"]) != bool(g["d2"]):
            return None
        start = iso(int(g["y"]), _month(g["m"]), int(g["d"]) if g["d"] else None)
        end = iso(int(g["y2"]), _month(g["m2"]), int(g["d2"]) if g["d2"] else None)
        if not start or not end or start > end:
            return None
        return DateValue(text, from_=start, to=end)
    if kind in ("mdy-range", "dmy-range"):
        y = int(g["y"])
        m1 = _month(g["m"])
        m2 = _month(g["m2"]) if g.get("m2") else m1
        start, end = iso(y, m1, int(g["d"])), iso(y, m2, int(g["d2"]))
        if not start or not end or start > end:
            return None
        return DateValue(text, from_=start, to=end)
    if kind in ("mdy", "dmy"):
        value = iso(int(g["y"]), _month(g["m"]), int(g["d"]))
        return DateValue(text, when=value) if value else None
    if kind == "roman":
        value = iso(_year(g["y"], context_year), ROMAN_MONTHS[g["rm"].translate(_ASCII_TWINS).lower()], int(g["d"]))
        return DateValue(text, when=value) if value else None
    if kind == "dotted":
        value = iso(int(g["y"]), int(g["m"]), int(g["d"]))
        return DateValue(text, when=value) if value else None
    if kind == "my":
        value = iso(int(g["y"]), _month(g["m"]))
        return DateValue(text, when=value) if value else None
    if kind == "year-range":
        if g["y"] > g["y2"]:
            return None
        return DateValue(text, from_=g["y"], to=g["y2"])
    if kind == "decade":
        return DateValue(text, not_before=g["y"], not_after=str(int(g["y"]) + 9))
    if kind == "year":
        return DateValue(text, when=g["y"])
    if kind in ("md", "dm") and context_year:
        value = iso(context_year, _month(g["m"]), int(g["d"]))
        return DateValue(text, when=value) if value else None
    return None


# What every pattern above starts with: a digit, a "circa" or a month. (Most strings
# asked about start with none of them; one test spares trying a dozen patterns.)
_DATE_START = re.compile(r"[0-9]|c\.|ca\.|circa|approx|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.I)


@lru_cache(maxsize=8192)
def parse_date(text: str, context_year: int | None = None) -> DateValue | None:
    """Read a string that is a date and nothing else ("September 9, 1958")."""
    stripped = text.strip().strip(".,;")
    if not _DATE_START.match(stripped):
        return None
    for kind, pattern in _PATTERNS + (_NO_YEAR if context_year else []):
        m = pattern.fullmatch(stripped)
        if m:
            return _reading(kind, m, text.strip(), context_year)
    return None


@lru_cache(maxsize=8192)
def date_at_start(text: str, context_year: int | None = None) -> tuple[DateValue, str] | None:
    """A date that opens text, and the rest ("8 October 1950   11.20" -> date, "11.20")."""
    if not _DATE_START.match(text):
        return None
    for kind, pattern in _PATTERNS + (_NO_YEAR if context_year else []):
        if kind in ("year", "decade", "year-range", "iso") and not context_year:
            continue  # a bare number opening a line is too often not a date
        m = pattern.match(text)
        if m and (m.end() == len(text) or not text[m.end()].isalnum()):
            value = _reading(kind, m, text[: m.end()], context_year)
            if value:
                return value, text[m.end():]
    return None


_DIGIT = re.compile("[0-9]")
_AT_END = {kind: re.compile(rf"(?<!\w)(?:{pattern.pattern})[\s.]*$", pattern.flags)
           for kind, pattern in _PATTERNS + _NO_YEAR if kind not in ("year", "decade", "year-range")}


# The last word of a date that ends with a letter: a month ("5 October") or a day with its
# suffix ("October 5th"), both read only with a year from context
_MONTH_OR_DAY_WORD = re.compile(_f(_MONTH, name="m") + "|" + _f(_DAY, name="d"), re.I)


# No date the patterns read spans more than eight words ("c. Sept. 30, [1958] - Oct. 2, [1959]")
_MOST_DATE_WORDS = 8


def _without_trailing_dots(text: str) -> str:
    """text without the whitespace and dots the patterns of _AT_END allow after a date."""
    tail = text.rstrip()
    while tail.endswith("."):
        tail = tail[:-1].rstrip()
    return tail


def _may_end_with_date(tail: str, context_year: int | None) -> bool:
    """A quick test of a text without its trailing dots: False when no pattern of _AT_END
    can match. A date ends with a year or a day (digits, maybe in brackets), or with a
    context year also with a month or a day's suffix ("5th")."""
    if not tail:
        return False
    if "0" <= tail[-1] <= "9" or tail[-1] == "]":
        return True
    # the month or the day follows a space: it is the last word
    return bool(context_year) and bool(_MONTH_OR_DAY_WORD.fullmatch(tail.rsplit(None, 1)[-1]))


@lru_cache(maxsize=8192)
def date_at_end(text: str, context_year: int | None = None) -> tuple[str, DateValue] | None:
    """A date that closes text ("Zhou Enlai August 23 [1950]" -> "Zhou Enlai ", date)."""
    tail = _without_trailing_dots(text)
    if not _may_end_with_date(tail, context_year):
        return None
    # a date that ends the text lies in its last words: the searches start there (a letter
    # the old site runs into one line is long)
    words = tail.rsplit(None, _MOST_DATE_WORDS)
    start = len(words[0]) if len(words) > _MOST_DATE_WORDS else 0
    if not _DIGIT.search(text, start):
        return None  # every pattern needs a day or a year; most lines ending a letter have neither
    best = None
    for kind, pattern in _AT_END.items():
        if kind in ("md", "dm") and not context_year:
            continue
        m = pattern.search(text, start)
        if not m:
            continue
        value = _reading(kind, m, m.group(0).rstrip(" ."), context_year)
        if value and (best is None or m.start() < best[0]):
            best = (m.start(), value)
    if best is None:
        return None
    return text[: best[0]], best[1]
