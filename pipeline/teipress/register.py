"""The register of people, organisations and places, and finding its names in text.

The register is a TEI file (listPerson, listOrg, listPlace in a standOff) beside seeds/.
Each entry has an xml:id, a preferred name and variants; the converter tags every
register name it finds, whole words only, the longest name first, and copies the entries
a document mentions into that document's own standOff so each TEI file stands alone.
Matching rules: a name of type "abbreviation" or written in capitals matches with its
case; any other name matches in any case. A name that two entries share is ambiguous:
it is reported, never guessed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from teipress.errors import InputError
from teipress.tei import NS, TEI_NS, XML_NS
from teipress.xmlio import MAX_XML_BYTES, safe_parser

KINDS = {"person": ("listPerson", "persName"), "org": ("listOrg", "orgName"), "place": ("listPlace", "placeName")}


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # person, org, place
    names: tuple[tuple[str, str], ...]  # (type, name) in register order
    uris: tuple[str, ...]
    element: bytes  # the entry as it stands in the register (copied into documents)

    @property
    def preferred(self) -> str:
        return next((n for t, n in self.names if t == "preferred"), self.names[0][1])


@dataclass
class Register:
    entries: dict[str, Entry] = field(default_factory=dict)
    digest: str = ""  # sha256 of the register file: an input of every document
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # name -> entry ids
    # names by their first word, casefolded: (name, matched in any case?, entry id, name casefolded), longest first
    _by_first: dict[str, list[tuple[str, bool, str, str]]] = field(default_factory=dict)
    _cjk: re.Pattern | None = None  # names in Chinese, Japanese or Korean script (no spaces to split on)
    _by_name: dict[str, str] = field(default_factory=dict)  # "e:" + name or "f:" + folded name -> entry id
    # for ASCII text: the ASCII keys of _by_first, as bytes -> (the key, the key's names casefolded)
    _ascii_index: dict[bytes, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    _ambiguous: re.Pattern | None = None  # the ambiguous names, whole words, in any case

    def ambiguous_in(self, text: str) -> list[str]:
        """The ambiguous names in text, as written there (they are reported, never tagged)."""
        return self._ambiguous.findall(text) if self._ambiguous is not None else []

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Register names in text as (start, end, entry id): longest first, no overlaps.

        Only the words that begin a name are looked at, and only the names that begin with
        such a word are compared (a regular expression of every name would try them all at
        every letter)."""
        hits: list[tuple[int, int, str]] = []
        end = 0
        no_brackets = "[" not in text and "]" not in text  # (then every match is balanced)
        for start, first in self._first_words(text):
            if start < end:
                continue
            for name, fold, entry, folded in self._by_first[first]:
                stop = start + len(name)
                if (text[start:stop].casefold() == folded if fold else text.startswith(name, start)) \
                        and not (stop < len(text) and (text[stop].isalnum() or text[stop] == "_")) \
                        and (no_brackets or _balanced(text, start, stop)):
                    hits.append((start, stop, entry))
                    end = stop
                    break
        if self._cjk is not None and not text.isascii():  # (CJK names never match ASCII text)
            taken = [(a, b) for a, b, _ in hits]
            for m in self._cjk.finditer(text):
                if not any(a < m.end() and m.start() < b for a, b in taken) and _balanced(text, m.start(), m.end()):
                    hits.append((m.start(), m.end(), self._by_name["e:" + m.group()]))
            hits.sort()
        return hits

    def _first_words(self, text: str) -> list[tuple[int, str]]:
        """(start, casefolded word) of the words of text that may begin a register name, in order.

        A fast path for ASCII text (most of it): its lowercase is its casefold letter for
        letter, so a name can match only where its casefold occurs in the lowercase text.
        Its words are split off as bytes (_ascii_words: a pattern's findall costs three
        times as much). One set intersection and a substring test per word rule out most
        words ("the" begins a name, but the name seldom follows it); str.find finds where each
        remaining word stands (quicker than a pattern's finditer). Other text is walked word
        by word."""
        if not text.isascii():
            return [(m.start(), word) for m in _WORD.finditer(text)
                    if (word := m.group().casefold()) in self._by_first]
        low = text.lower()
        found = []
        for key in self._ascii_index.keys() & _ascii_words(low):
            word, names = self._ascii_index[key]
            for name in names:  # (a loop, not any() over a generator: most words begin one name)
                if name in low:
                    start = low.find(word)
                    while start != -1:  # (where the word stands as a whole word)
                        stop = start + len(word)
                        if not (start and _is_word(low[start - 1]) or stop < len(low) and _is_word(low[stop])):
                            found.append((start, word))
                        start = low.find(word, stop)  # (an overlapping one would follow a word character)
                    break
        found.sort()
        return found

    def lookup(self, name: str) -> str | None:
        """The entry a whole name (a correspondent's) stands for, if the register has it."""
        hits = self.find(name)
        if len(hits) == 1 and hits[0][0] == 0 and hits[0][1] == len(name):
            return hits[0][2]
        return None


def _is_word(character: str) -> bool:
    """What \\w matches (in a pattern on str)."""
    return character.isalnum() or character == "_"


def _balanced(text: str, start: int, end: int) -> bool:
    """A match must not cut an editorial bracket in half."""
    inner = text[start:end]
    if inner.count("[") != inner.count("]"):
        return False
    return text.count("[", 0, start) == text.count("]", 0, start)


def _case_sensitive(kind: str, name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return kind == "abbreviation" or (len(letters) > 1 and all(c.isupper() for c in letters if c.isascii()))


_WORD = re.compile(r"\w+")
# Every byte that \w does not match in ASCII text (all but letters, digits and '_') -> a space
_NOT_WORD_TO_SPACE = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == ord("_")) else ord(" ")
                           for c in range(256))


def _ascii_words(text: str) -> list[bytes]:
    """The words of ASCII text (what re.findall(r"\\w+", text, re.ASCII) gives), as bytes:
    every other character a space, then split (a C loop each, with no pattern machinery)."""
    return text.encode("ascii").translate(_NOT_WORD_TO_SPACE).split()

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _index(register: Register, exact: list[str], folded: list[str]) -> None:
    """Index the names for find(): by first word, and the CJK names as one pattern."""
    cjk = []
    for names, fold in ((exact, False), (folded, True)):
        for name in set(names):
            if _CJK.match(name):
                cjk.append(name)
                continue
            first = _WORD.match(name)
            if first is None:  # a name that does not start with a letter: found only as a whole name
                continue
            key = "f:" + name.casefold() if fold else "e:" + name
            register._by_first.setdefault(first.group().casefold(), []).append(
                (name, fold, register._by_name[key], name.casefold()))
    for first, candidates in register._by_first.items():
        candidates.sort(key=lambda c: (-len(c[0]), c[0]))
        if first.isascii():  # (any other key is never a word of ASCII text)
            register._ascii_index[first.encode("ascii")] = (first, tuple(folded for _, _, _, folded in candidates))
    if cjk:
        register._cjk = re.compile("|".join(re.escape(n) for n in sorted(cjk, key=lambda n: (-len(n), n))))


def load_register(path: Path) -> Register:
    """Read and index a register file; errors name the file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the register: {exc.strerror}", path=str(path)) from None
    if len(data) > MAX_XML_BYTES:
        raise InputError("the register is too large", path=str(path))
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"the register is not well-formed XML: {exc.msg}", path=str(path), line=exc.lineno,
                         hint="run 'teipress validate' on it") from None
    register = Register(digest=hashlib.sha256(data).hexdigest())
    owners: dict[str, set[str]] = {}
    exact, folded = [], []
    for kind, (_, name_tag) in KINDS.items():
        for element in root.iter(f"{{{TEI_NS}}}{kind}"):
            entry_id = element.get(f"{{{XML_NS}}}id")
            if not entry_id:
                raise InputError(f"a {kind} entry has no xml:id", path=str(path), line=element.sourceline,
                                 hint='give it one, e.g. xml:id="stalin"')
            if entry_id in register.entries:
                raise InputError(f"the id {entry_id!r} is used twice", path=str(path), line=element.sourceline)
            names = tuple((n.get("type", "variant"), " ".join("".join(n.itertext()).split()))
                          for n in element.findall(f"tei:{name_tag}", NS))
            names = tuple((t, n) for t, n in names if n)
            if not names:
                raise InputError(f"the entry {entry_id!r} has no {name_tag}", path=str(path), line=element.sourceline)
            uris = tuple(i.text.strip() for i in element.findall("tei:idno[@type='URI']", NS) if i.text and i.text.strip())
            register.entries[entry_id] = Entry(entry_id, kind, names, uris, etree.tostring(element))
            for name_type, name in names:
                sensitive = _case_sensitive(name_type, name)
                key = ("e:" + name) if sensitive else ("f:" + name.casefold())
                owners.setdefault(key, set()).add(entry_id)
                (exact if sensitive else folded).append(name)
    for key, ids in owners.items():
        if len(ids) > 1:
            register.ambiguous[key[2:]] = sorted(ids)
        else:
            register._by_name[key] = next(iter(ids))
    if register.ambiguous:  # (made once here, not for each document that looks for them)
        register._ambiguous = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(n) for n in register.ambiguous) + r")(?!\w)", re.I)
    _index(register, [n for n in exact if ("e:" + n) in register._by_name],
           [n for n in folded if ("f:" + n.casefold()) in register._by_name])
    return register


def register_path(project_dir: Path, configured: str | None) -> Path | None:
    """The register file of a project: the configured one (which must exist), else
    register.xml beside seeds/ when there is one."""
    if configured:
        path = project_dir / configured
        if not path.is_file():
            raise InputError("the configured register does not exist", path=str(path),
                             hint="fix [input] register in teipress.toml")
        return path
    default = project_dir / "register.xml"
    return default if default.is_file() else None


# ---------------------------------------------------------------------------
# suggestions: names in the documents that the register does not have yet

_MONTHS_DAYS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}
_COMMON = {"I", "We", "You", "He", "She", "It", "They", "The", "This", "That", "These", "Those", "A", "An",
           "In", "On", "At", "Of", "For", "To", "And", "But", "Or", "If", "As", "By", "With", "Dear", "No",
           "Our", "Your", "Their", "His", "Her", "My", "Its", "Telegram", "Letter", "Cable", "Note", "Comrade",
           "Comrades", "Cde", "Cdes", "Ambassador", "Premier", "Chairman", "Minister", "Marshal", "General",
           "President", "Secretary", "Central", "Committee", "Soviet", "Yugoslav", "Yugoslavs", "Chinese",
           "Polish", "Czech", "Communist", "Party", "Government", "Embassy", "Ministry"}
# a single capitalised word ending so is an adjective of nationality ("Korean", "Hungarian")
_DEMONYM = re.compile(r"(?:an|ans|ese|ish)$")
_DOCUMENT_WORDS = re.compile(r"(?:Telegram|Cable|Letter|No|Nos|Note|TELEGRAM|CIPHERED|Ciphered|Coded)")
_TITLED = re.compile(
    r"\b(?:Comrades?|Cdes?\.|Ambassador|Premier|Chairman|Minister|Marshal|General|President|Secretary|"
    r"Mr\.|Mrs\.|Ms\.|Dr\.)\s+((?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’-]+){0,2})")
_PARTY = re.compile(r"\b(?:CC|Central\s+Committee)\s+of\s+the\s+[A-Z][\w'’()-]*(?:\s+[A-Z][\w'’()-]*)*")
_CAPITALISED = re.compile(
    r"(?<![\w'’])[A-Z][\w'’()-]+(?:\s+(?:(?:of|the|for|de|von|van|al)\s+)*[A-Z][\w'’()-]+)+")
_SINGLE = re.compile(r"(?<=[a-z,;:]\s)[A-Z][a-z'’-]{2,}\b|\b[A-Z]{2,}(?:\([a-z]\))?(?![\w(])")


@dataclass
class Suggestion:
    name: str
    kind: str
    count: int = 0
    documents: list[str] = field(default_factory=list)


def _candidates(text: str) -> list[tuple[str, str]]:
    """(name, kind guess) for every name-like run in text."""
    from teipress.titles import name_kind

    def clean(name: str) -> str:
        name = re.sub(r"^(?:(?:The|A|An|In|On|At|To|For|Dear|With|Comrades?|Cdes?\.?|Ambassador|Premier|"
                      r"Chairman|Minister|Marshal|General|President|Secretary)\s+)+", "", name)
        return re.sub(r"['’]s$", "", name).strip(" ,.;:")

    found = [(clean(m.group(1)), "person") for m in _TITLED.finditer(text)]
    found += [(clean(m.group(0)), "org") for m in _PARTY.finditer(text)]
    spans = []
    for m in _CAPITALISED.finditer(text):
        name = clean(m.group(0))
        if " " in name and not _DOCUMENT_WORDS.search(name):
            found.append((name, name_kind(name)))
            spans.append((m.start(), m.end()))
    for m in _SINGLE.finditer(text):
        word = clean(m.group(0))
        inside = any(start <= m.start() < end for start, end in spans)
        if not inside and word not in _MONTHS_DAYS and word not in _COMMON and not _DEMONYM.search(word) \
                and not _DOCUMENT_WORDS.fullmatch(word):
            found.append((word, name_kind(word)))
    return [(name, kind) for name, kind in found
            if name and not _DOCUMENT_WORDS.search(name) and not re.fullmatch(r"[IVXLC]+", name)]


def suggest(documents: dict[str, list[str]], register: Register | None) -> list[Suggestion]:
    """Names in the documents' texts (document id -> texts) that the register lacks,
    most frequent first."""
    found: dict[str, Suggestion] = {}
    for doc_id, texts in documents.items():
        for text in texts:
            known = register.find(text) if register else []
            for name, kind in _candidates(text):
                name = name.strip(" ,.;:")
                if not name or any(name in text[s:e] for s, e, _ in known):
                    continue
                if register and register.lookup(name):
                    continue
                item = found.setdefault(name, Suggestion(name, kind))
                item.count += 1
                if doc_id not in item.documents:
                    item.documents.append(doc_id)
    return sorted(found.values(), key=lambda s: (-s.count, s.name))


def document_texts(path: Path) -> tuple[str, list[str]]:
    """(file stem, texts) of one source as its reader sees it: title, summary, the letter
    (furniture lines left out)."""
    from teipress.model import Document
    from teipress.readers import choose_reader
    from teipress.sources import read_source

    source = read_source(path)
    reader = choose_reader(source.text)
    doc = reader.read(source.text, Document(id=path.stem, source_name=path.name, source_sha256=source.sha256,
                                            reader=reader.NAME))
    texts = [doc.title] + ([doc.summary] if doc.summary else [])
    for division in doc.divisions:
        blocks = division.head + division.opener + division.content + [b for _, bs in division.bottom for b in bs]
        texts += [b.text for b in blocks if b.kind != "seg"] + [i for b in blocks for i in b.items]
        texts += [n.text for n in division.notes.values()]
    return path.stem, texts
