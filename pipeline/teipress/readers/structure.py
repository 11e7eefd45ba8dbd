"""The letter inside a page: opener, paragraphs, closer, postscripts, notes, languages.

Shared by every reader. It works on source lines (one line is one paragraph in the
archive's exports) and assigns each line to exactly one block, so the report can say
where every line went. The rules are conservative: a line becomes furniture, a salute
or a signature only when it looks like nothing else; everything else is a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from teipress.dates import date_at_end, date_at_start, iso
from teipress.model import Block, DateValue, Division, Name


@dataclass(slots=True)
class SourceLine:
    no: int  # 1-based line number in the source
    text: str  # whitespace-normalised text
    gap: int = 0  # blank lines before it
    nbsp: bool = False  # a no-break-space separator line before it


CLASSIFICATION = re.compile(
    r"^(?:top\s+secret|strictly\s+secret|secret|confidential|strictly\s+confidential|personal|"
    r"special|copying\s+(?:is\s+)?(?:forbidden|prohibited)|not\s+for\s+publication|"
    r"for\s+(?:your\s+)?eyes\s+only|copy\s+(?:no\.?\s*)?\d+|only\s+copy|very\s+secret|restricted|"
    r"of\s+special\s+importance|special\s+file|personal\s+and\s+confidential|declassified|"
    r"not\s+to\s+be\s+copied|return\s+to\s+sender|urgent\s+and\s+secret)[.!]?$",
    re.I,
)
PRIORITY = re.compile(
    r"^(?:top\s+priority|priority|urgent|very\s+urgent|immediate|most\s+immediate|flash|express|"
    r"special\s+priority|extremely\s+urgent|out\s+of\s+turn|highest\s+priority)[.!]?$",
    re.I,
)
NUMBER = re.compile(
    r"^(?:(?:ciphered|coded|encoded|cipher|incoming|outgoing|special)\s+)?"
    r"(?:(?:telegram|cable|radiogram|message)\s*)?(?:No\.?|Nos\.?|Nº|№|#)\s*[\w/.\-–]+(?:\s*[,-]\s*[\w/.\-–]+)*\.?$",
    re.I,
)
TYPE_LINE = re.compile(
    r"^(?:(?:ciphered|coded|encoded|cipher|enciphered|incoming|outgoing|secret)\s+)+(?:telegram|cable|radiogram)s?\.?$",
    re.I,
)
ADDRESS = re.compile(r"^(?:to|from|copy\s+to|copies\s+to)\s+[\w\[“\"].{0,60}$", re.I)
PLACE_LINE = re.compile(r"^[A-Z][A-Z'’.\- ]{2,40}?\s*(?:[-–—]{1,2}|:)?$")
GAP_LINE = re.compile(r"^\[\s*(?:\.\s*){2,}\.?\s*\]$|^\[\s*…\s*\]$|^\.\s*\.\s*\.$|^…$")
CLOSING_SALUTE = re.compile(
    r"^(?:with\s+(?:\w+\s+){0,3}(?:greetings?|regards?|respect|salutes?|wishes)|"
    r"(?:yours\s+)?(?:sincerely|faithfully|respectfully|truly|fraternally)(?:\s+yours)?|yours|"
    r"(?:best|kind|warm|warmest|fraternal|comradely|communist)\s+(?:\w+\s+)?(?:regards|greetings|wishes)|"
    r"(?:with\s+)?(?:deep|high|highest|deepest)\s+respect|salute)\b",
    re.I,
)
OPENING_SALUTE = re.compile(
    r"^[“\"‘']?(?:dear|to|comrades?|cdes?\.?|esteemed|respected|honou?red|mr\.|mrs\.|madam|sir|"
    r"your\s+(?:excellency|majesty)|excellency|ambassador|premier|chairman|general|marshal|"
    r"president|minister|secretary|beloved|товарищ\w*|уважаем\w*|дорог\w*)\b",
    re.I,
)
BULLET = re.compile(r"^(?:[-–—•·*]|\d{1,2}[.)])\s+\S")
NOTE_LINE = re.compile(r"^\[(\d{1,3})\]\s*(\S.*)$")
NOTE_ANCHOR = re.compile(r"\[(\d{1,3})\]")
BRACKETED = re.compile(r"\[[^\]]*\]")
PARENTHESISED = re.compile(r"\(.+\)")
NON_WORDS = re.compile(r"\W+")
NAME_WORD = re.compile(
    r"^(?:[\[(“\"‘]*[A-ZÀ-ÖØ-ÞА-Я][\w'’.\-()]*[\])”\"’,.:]*|[A-Z]\.|of|the|and|for|de|von|van|"
    r"der|la|le|du|da|y|al|bin|ibn|\[[^\]]*\]|\([^)]*\)|[\[(][^\])]*|[^\[(]*[\])])$"
)
_TO_OR_FROM = re.compile(r"^(?:TO|FROM)\b")
_ADDRESS_START = re.compile(r"^(?:TO|FROM|Copy to|Copies to)\b")
_SENTENCE_THEN_LOWER = re.compile(r"[.!?]\s+[a-z]")
_NOT_IN_NAMES = re.compile(r"\b(?:is|are|was|were|will|shall|have|has|had|we|you|i|they|it|this|that)\b")
_SALUTE_END = re.compile(r"[,.:!]\s+")
_OPENING_SALUTE_END = re.compile(r"[,:!]\s*[”\"’]?$")
_SENTENCE_BREAK = re.compile(r"[.!?]\s")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
SENTENCE_END_CJK = re.compile(r"[。！？]$")


# Unicode space separators (category Zs) other than the plain space
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t ]+")
# The characters str.split() and str.strip() take for whitespace besides those (and "\n")
OTHER_WHITESPACE = "\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"


def normalise(text: str) -> str:
    """Whitespace as the editorial declaration says: NBSP and runs of spaces become one space."""
    if text.isascii() and "  " not in text and "\t" not in text:
        return text.strip()  # (most lines: nothing to replace, and the search costs eight times the test)
    return _SPACES.sub(" ", text).strip()


# the letters _script_language counts: Cyrillic, kana, Han, Hangul
_SCRIPT_CHARS = re.compile("[\u0400-\u04ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def script_language(text: str) -> str | None:
    """The language a line's script implies (zh, ja, ko, ru), or None for Latin text."""
    if text.isascii() or not _SCRIPT_CHARS.search(text):
        return None  # (quick tests, before the cache: most lines hold no letter of these scripts)
    return _script_language(text)


@lru_cache(maxsize=8192)
def _script_language(text: str) -> str | None:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    han = sum(1 for c in letters if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    kana = sum(1 for c in letters if "\u3040" <= c <= "\u30ff")
    hangul = sum(1 for c in letters if "\uac00" <= c <= "\ud7af")
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    n = len(letters)
    if (han + kana + hangul) / n > 0.3:
        if hangul > han and hangul > kana:
            return "ko"
        return "ja" if kana > 0 else "zh"
    if cyrillic / n > 0.5:
        return "ru"
    return None


@lru_cache(maxsize=8192)
def furniture_role(text: str) -> str | None:
    """What kind of telegram or letterhead furniture a line is, if it is furniture."""
    bare = text.strip("“”\"' ")
    if CLASSIFICATION.match(bare):
        return "classification"
    if PRIORITY.match(bare):
        return "priority"
    if TYPE_LINE.match(bare):
        return "type"
    if NUMBER.match(bare):
        return "number"
    if ADDRESS.match(bare) and len(bare.split()) <= 8 and (bare.isupper() or not bare.endswith(".")
                                                            or _TO_OR_FROM.match(bare)):
        if _ADDRESS_START.match(bare) or bare.split()[1:2] and bare.split()[1].isupper():
            return "address"
    return None


def is_place_line(text: str) -> bool:
    """An uppercase place heading of a telegram ("BEIJING--", "MOSCOW")."""
    return bool(PLACE_LINE.match(text)) and len(text.split()) <= 4 and not furniture_role(text)


def is_gap_line(text: str) -> bool:
    bare = text.strip()
    # (a gap starts with "[", "." or "…": the test is quicker than the match)
    return bare[:1] in ("[", ".", "…") and bool(GAP_LINE.match(bare))


@lru_cache(maxsize=8192)
def is_name_like(text: str, max_words: int = 9) -> bool:
    """A signature or a name: a few capitalised words, initials, particles, bracketed parts."""
    bare = text.strip().strip("“”\"'‘’").rstrip(".,;:")
    if not bare or len(bare) > 90 or _SENTENCE_THEN_LOWER.search(bare):
        return False
    if _NOT_IN_NAMES.search(bare):
        return False
    words = bare.split()
    if not 1 <= len(words) <= max_words:
        return False
    if not any(w[:1].isupper() or w.isupper() for w in words if not w.startswith(("[", "("))):
        return False
    return all(NAME_WORD.match(w) for w in words)


def names_sender(text: str, senders: list[Name]) -> bool:
    """The line is (or ends with) a sender's name: "Zhou Enlai", "FILIPPOV [Stalin]."."""
    if not senders:
        return False
    plain = BRACKETED.sub("", text) if "[" in text else text  # (no bracket, nothing to take out)
    low = plain.strip().strip("“”\"'‘’").rstrip(".,;:").lower().strip()
    for name in senders:
        plain = _plain_name(name.text)
        if plain and (low == plain or (len(plain) > 3 and low.endswith(" " + plain))):
            return True
    return False


@lru_cache(maxsize=1024)
def _plain_name(name: str) -> str:
    """A name without its bracketed parts, in lower case (asked for each line a closer may hold)."""
    return BRACKETED.sub("", name).lower().strip()


def is_signature(text: str, senders: list[Name]) -> bool:
    bare = text.strip().strip("“”\"'‘’").rstrip(".,;:")
    if ("[" in bare and "[signature]" in bare.lower()) or PARENTHESISED.fullmatch(bare):
        return True
    if names_sender(bare, senders):
        return True
    if not bare.isascii() and CJK.search(bare):
        return len(bare) <= 8 and not SENTENCE_END_CJK.search(bare)
    return is_name_like(bare, max_words=6) and (bare.isupper() or len(bare.split()) <= 6)


@lru_cache(maxsize=8192)  # (the closer's steps ask about the same lines)
def split_closing_salute(text: str) -> tuple[str, str] | None:
    """'With greetings. FILIPPOV [Stalin].' -> ('With greetings.', 'FILIPPOV [Stalin].')."""
    m = CLOSING_SALUTE.match(text.strip("“\"‘ "))
    if not m:
        return None
    rest_at = _SALUTE_END.search(text[m.start():])
    if not rest_at:
        return text, ""
    cut = m.start() + rest_at.end()
    head, tail = text[:cut].rstrip(), text[cut:].strip()
    # the prefix must be the whole salute: a salute is short
    if len(head.split()) > 8:
        return None
    return head, tail


def is_closing_salute(text: str) -> bool:
    parts = split_closing_salute(text)
    return bool(parts) and len(text.split()) <= 14 and (not parts[1] or is_name_like(parts[1]))


def is_opening_salute(text: str) -> bool:
    bare = text.strip()
    if len(bare) > 80 or len(bare.split()) > 10:
        return False
    if OPENING_SALUTE.match(bare):
        return bool(_OPENING_SALUTE_END.search(bare)) or len(bare.split()) <= 6
    # "Ambassador Ni [Zhiliang]:" and CJK "倪大使[1]:" end with a colon
    if bare.endswith((":", "：")) and len(bare.split()) <= 5 and not _SENTENCE_BREAK.search(bare):
        return is_name_like(bare.rstrip(":：")) or bool(CJK.search(bare))
    return False


def date_line(text: str, context_year: int | None) -> tuple[Block, str] | None:
    """A line that opens with a date (and maybe a time or a signature after it)."""
    bare = text.strip().strip("()（）")
    hit = date_at_start(bare, context_year)
    if hit:
        value, rest = hit
        return Block("dateline", text, date=value), rest.strip()
    if "月" in bare and CJK_DATE.fullmatch(bare):  # (a quick test: most lines have no 月)
        return Block("dateline", text, date=cjk_date(bare, context_year)), ""
    return None


def name_and_date(text: str, context_year: int | None) -> tuple[str, Block] | None:
    """A closing line of a name followed by a date ("Zhou Enlai August 23 [1950]")."""
    if len(text) > 80 or not text[-1:].isalnum() and text[-1:] not in ".])":
        return None
    hit = date_at_end(text, context_year)
    if hit and hit[0].strip() and is_name_like(hit[0]) and len(hit[0].split()) <= 5:
        return hit[0].strip(), Block("dateline", hit[1].text, date=hit[1])
    return None


_CJK_NUM = "〇零一二三四五六七八九十0-9０-９"
CJK_DATE = re.compile(rf"(?:[{_CJK_NUM}]{{2,4}}年)?[{_CJK_NUM}]{{1,3}}月[{_CJK_NUM}]{{1,3}}日")
_CJK_DATE_PARTS = re.compile(rf"(?:([{_CJK_NUM}]{{4}})年)?([{_CJK_NUM}]{{1,3}})月([{_CJK_NUM}]{{1,3}})日")
_CJK_DIGITS = {**{str(d): d for d in range(10)}, **{chr(0xFF10 + d): d for d in range(10)}, "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cjk_number(text: str) -> int | None:
    if "十" in text:  # 十, 十五, 二十, 二十五
        tens, _, ones = text.partition("十")
        return (_CJK_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CJK_DIGITS.get(ones, 0) if ones else 0)
    if all(c in _CJK_DIGITS for c in text):
        return int("".join(str(_CJK_DIGITS[c]) for c in text))
    return None


def cjk_date(text: str, context_year: int | None):
    """一九五〇年十月五日 -> 1950-10-05 (a month-and-day date takes the context year)."""
    m = _CJK_DATE_PARTS.search(text)
    if not m:
        return None
    year = _cjk_number(m.group(1)) if m.group(1) else context_year
    month, day = _cjk_number(m.group(2)), _cjk_number(m.group(3))
    if not (year and month and day):
        return None
    value = iso(year, month, day)
    return DateValue(text, when=value) if value else None


# ---------------------------------------------------------------------------
# the division


def _opener(lines: list[SourceLine], title: str, context_year: int | None,
            assign) -> tuple[list[Block], list[Block], int]:
    """Head and opener blocks at the top of a division; returns how many lines they take."""
    head: list[Block] = []
    opener: list[Block] = []
    i = 0
    plain_title = _plain_words(title)
    if lines and plain_title and _plain_words(lines[0].text).startswith(plain_title):
        head.append(Block("head", lines[0].text, (lines[0].no,)))
        assign(lines[0], "body/head")
        i = 1
    while i < len(lines):
        line = lines[i]
        text = line.text
        role = furniture_role(text)
        if is_gap_line(text):
            opener.append(Block("gap", text, (line.no,)))
            assign(line, "body/opener/gap")
        elif role:
            opener.append(Block("seg", text, (line.no,), role=role))
            assign(line, f"body/opener/seg[{role}]")
        elif (dl := date_line(text, context_year)) and not dl[1][:1].isalpha() and len(text) < 60:
            block = dl[0]
            block.lines = (line.no,)
            opener.append(block)
            assign(line, "body/opener/dateline")
        elif is_place_line(text) or (script_language(text) and i == 0 and len(text) <= 40
                                     and not SENTENCE_END_CJK.search(text) and not is_opening_salute(text)):
            # an uppercase place heading, or the heading line of an original-language text
            kind = "dateline" if is_place_line(text) else "head"
            (opener if kind == "dateline" else head).append(Block(kind, text, (line.no,)))
            assign(line, f"body/{'opener/dateline' if kind == 'dateline' else 'head'}")
        elif is_opening_salute(text):
            opener.append(Block("salute", text, (line.no,)))
            assign(line, "body/opener/salute")
            i += 1
            break  # the salute ends the opener
        else:
            break
        i += 1
    # an opener without a salute is only furniture when something followed it
    return head, opener, i


@lru_cache(maxsize=4096)  # (asked for the title once per division)
def _plain_words(text: str) -> str:
    """The words of text in lower case, one space between them."""
    return NON_WORDS.sub(" ", text).strip().lower()


def _closer_anchor(lines: list[SourceLine], senders: list[Name], context_year: int | None) -> int | None:
    """Index of the line where the letter's closing is, searching the last lines upwards."""
    for j in range(len(lines) - 1, max(len(lines) - 10, -1), -1):
        text = lines[j].text
        if is_closing_salute(text):
            return j
        dl = date_line(text, context_year)
        if dl and dl[1] and is_name_like(dl[1]):
            return j  # "4/XI-56 N. FIRIUBIN"
        if j == len(lines) - 1 and name_and_date(text, context_year):
            return j  # "Zhou Enlai August 23 [1950]"
        if is_signature(text, senders) and not furniture_role(text):
            # a name-like line is a signature only with support: it names the sender,
            # carries "[signature]", or has a date line next to it
            nxt = lines[j + 1].text if j + 1 < len(lines) else ""
            prev = lines[j - 1].text if j > 0 else ""
            if (names_sender(text, senders) or ("[" in text and "[signature]" in text.lower())
                    or date_line(nxt, context_year) or date_line(prev, context_year)):
                return j
    return None


def _closer_start(lines: list[SourceLine], anchor: int) -> int:
    """Above a signature, a role line ("Chairman of the ... Commission") and a closing
    salute still belong to the closer."""
    start = anchor
    if is_closing_salute(lines[anchor].text):
        return start
    if start > 1 and is_name_like(lines[start - 1].text) and not lines[start - 1].text.endswith("."):
        start -= 1
    if start > 0 and is_closing_salute(lines[start - 1].text):
        start -= 1
    return start


def _closer(lines: list[SourceLine], anchor: int, senders: list[Name], context_year: int | None,
            assign) -> tuple[int, list[tuple[str, list[Block]]]]:
    """The closer around the anchor line, then postscripts; returns where the closer starts."""
    start = _closer_start(lines, anchor)
    closer: list[Block] = []
    bottom: list[tuple[str, list[Block]]] = [("closer", closer)]
    for k in range(start, len(lines)):
        line = lines[k]
        text = line.text
        dl = date_line(text, context_year)
        salute = split_closing_salute(text) if k <= anchor + 1 else None
        if k >= start and k <= anchor and salute and salute[1] and is_name_like(salute[1]):
            closer.append(Block("salute", salute[0], (line.no,)))
            closer.append(Block("signed", salute[1], (line.no,)))
            assign(line, "body/closer/salute+signed")
        elif salute and not salute[1] and k <= anchor:
            closer.append(Block("salute", text, (line.no,)))
            assign(line, "body/closer/salute")
        elif dl and (not dl[1] or is_name_like(dl[1]) or not dl[1][:1].isalpha()):
            target = _bottom_closer(bottom)
            if dl[1] and is_name_like(dl[1]):  # "4/XI-56 N. FIRIUBIN": date, then signature
                target.append(Block("dateline", dl[0].date.text, (line.no,), date=dl[0].date))
                target.append(Block("signed", dl[1], (line.no,)))
                assign(line, "body/closer/dateline+signed")
            else:
                target.append(Block("dateline", text, (line.no,), date=dl[0].date))
                assign(line, "body/closer/dateline")
        elif k == anchor and (nd := name_and_date(text, context_year)):
            signed, dateline = nd
            dateline.lines = (line.no,)
            _bottom_closer(bottom).extend([Block("signed", signed, (line.no,)), dateline])
            assign(line, "body/closer/signed+dateline")
        elif is_gap_line(text):
            _bottom_closer(bottom).append(Block("gap", text, (line.no,)))
            assign(line, "body/closer/gap")
        elif (role := furniture_role(text)):
            _bottom_closer(bottom).append(Block("seg", text, (line.no,), role=role))
            assign(line, f"body/closer/seg[{role}]")
        elif k <= anchor + 2 and bottom[-1][0] == "closer" and (is_signature(text, senders) or is_name_like(text)):
            bottom[-1][1].append(Block("signed", text, (line.no,)))
            assign(line, "body/closer/signed")
        else:
            if bottom[-1][0] != "postscript":
                bottom.append(("postscript", []))
            bottom[-1][1].append(_content_block(line))
            assign(line, "body/postscript/p")
    return start, [(kind, blocks) for kind, blocks in bottom if blocks]


def _bottom_closer(bottom: list[tuple[str, list[Block]]]) -> list[Block]:
    if bottom[-1][0] != "closer":
        bottom.append(("closer", []))
    return bottom[-1][1]


def _content_block(line: SourceLine) -> Block:
    if is_gap_line(line.text):
        return Block("gap", line.text, (line.no,))
    return Block("p", line.text, (line.no,))


def build_division(lines: list[SourceLine], *, doc_type: str, lang: str, title: str,
                   senders: list[Name], context_year: int | None, assign) -> Division:
    """One div: head, opener, paragraphs and lists, closer and postscripts, notes."""
    division = Division(type=doc_type, lang=lang)
    # numbered notes ("[1] text") whose anchors ("[1]") appear in the text above them
    # (a note line starts with "[": the test is quicker than the match)
    note_lines = [NOTE_LINE.match(line.text) if line.text[:1] == "[" else None for line in lines]
    body_lines = lines  # (no note line: every line is the body's)
    if any(note_lines):
        anchors = set()
        for line, m in zip(lines, note_lines):
            if not m:
                anchors.update(NOTE_ANCHOR.findall(line.text))
        body_lines = []
        for line, m in zip(lines, note_lines):
            if m and m.group(1) in anchors:
                division.notes[m.group(1)] = Block("note", m.group(2), (line.no,), role=m.group(1))
                assign(line, f"body/note[{m.group(1)}]")
            else:
                body_lines.append(line)
    head, opener, used = _opener(body_lines, title, context_year, assign)
    division.head, division.opener = head, opener
    rest = body_lines[used:]
    anchor = _closer_anchor(rest, senders, context_year)
    # TEI allows a closer only after some text: with nothing before it, the lines stay text
    if anchor is not None and _closer_start(rest, anchor) > 0:
        start, division.bottom = _closer(rest, anchor, senders, context_year, assign)
        rest = rest[:start]
    # paragraphs, with runs of bulleted lines as lists
    k = 0
    while k < len(rest):
        line = rest[k]
        if BULLET.match(line.text):
            items = []
            while k < len(rest) and BULLET.match(rest[k].text):
                items.append(rest[k])
                assign(rest[k], "body/list/item")
                k += 1
            if len(items) >= 2:
                division.content.append(Block("list", "", tuple(i.no for i in items),
                                              items=[i.text for i in items]))
            else:
                division.content.append(Block("p", items[0].text, (items[0].no,)))
            continue
        block = _content_block(line)
        assign(line, "body/gap" if block.kind == "gap" else "body/p")
        division.content.append(block)
        k += 1
    return division


def split_languages(lines: list[SourceLine], main_lang: str = "en") -> list[tuple[str, list[SourceLine]]]:
    """Runs of lines by script: an original-language text beside its English translation.

    A run shorter than two lines stays with its neighbours (a quoted word is not a version).
    """
    runs: list[tuple[str, list[SourceLine]]] = []
    for line in lines:
        lang = script_language(line.text) or main_lang
        if runs and lang != runs[-1][0] and NOTE_LINE.match(line.text):
            lang = runs[-1][0]  # a note belongs to the text it annotates
        if runs and runs[-1][0] == lang:
            runs[-1][1].append(line)
        else:
            runs.append((lang, [line]))
    merged: list[tuple[str, list[SourceLine]]] = []
    for lang, run in runs:
        if merged and (len(run) < 2 or lang == merged[-1][0]):
            merged[-1][1].extend(run)
        else:
            merged.append((lang, run))
    if len(merged) > 1 and len(merged[0][1]) < 2:
        first = merged.pop(0)
        merged[0] = (merged[0][0], first[1] + merged[0][1])
    return merged


def build_divisions(lines: list[SourceLine], *, doc_type: str, title: str, senders: list[Name],
                    context_year: int | None, assign) -> list[Division]:
    """The body's divisions: one per language version (original, translation)."""
    runs = split_languages(lines)
    divisions = []
    for lang, run in runs:
        division = build_division(run, doc_type=doc_type, lang=lang, title=title,
                                  senders=senders, context_year=context_year, assign=assign)
        if len(runs) > 1:
            division.subtype = "translation" if lang == "en" else "original"
        divisions.append(division)
    return divisions
