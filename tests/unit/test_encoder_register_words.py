"""The register's ASCII fast path (words split off as bytes) against the plain definitions."""

from __future__ import annotations

import random
import re

from conftest import ROOT
from teipress.register import _WORD, _ascii_words, load_register

REGISTER = ROOT / "register.xml"
ASCII = "".join(chr(c) for c in range(128))


def plain_ascii_words(text: str) -> list[bytes]:
    return [word.encode("ascii") for word in re.findall(r"\w+", text, re.ASCII)]


def plain_first_words(register, text: str) -> list[tuple[int, str]]:
    """Every word that begins a name (what _first_words narrows down), as its path for
    other text computes it."""
    return [(m.start(), word) for m in _WORD.finditer(text) if (word := m.group().casefold()) in register._by_first]


def pattern_first_words(register, text: str) -> list[tuple[int, str]]:
    """_first_words of ASCII text with the words found by a pattern (the code before _ascii_words)."""
    low = text.lower()
    found = []
    for word in register._by_first.keys() & re.findall(r"\w+", low, re.ASCII):
        where = re.compile(re.escape(word) + r"(?!\w)", re.ASCII)
        if any(name in low for _, _, _, name in register._by_first[word]):
            found += [(m.start(), word) for m in where.finditer(low)
                      if not (m.start() and (low[m.start() - 1].isalnum() or low[m.start() - 1] == "_"))]
    return sorted(found)


def awkward_texts() -> list[str]:
    rng = random.Random(7)
    texts = ["", " ", "_", "__a__", "a_b c-d", "x\x0by\x1cz\x1fq\x7fw", ASCII, ASCII[::-1],
             "the CPSU, the cc-of-the-cpsu; stalin's Stalin_ 1stalin stalin1 (Filippov [Stalin])",
             "cccc ccc cc,cc cc_cc 1cc cc1 ccc cc of the cpsu cc. CC of the CPSU", "stalinstalin stalin"]
    texts += ["".join(rng.choice(ASCII) for _ in range(rng.randrange(1, 60))) for _ in range(2000)]
    return texts


def test_ascii_words_are_the_pattern_words_on_every_character():
    for text in awkward_texts() + [c * 3 for c in ASCII] + [f"a{c}b" for c in ASCII]:
        assert _ascii_words(text) == plain_ascii_words(text), repr(text)


def test_first_words_and_names_of_ascii_text_are_those_of_the_plain_walk(monkeypatch):
    register = load_register(REGISTER)
    firsts = sorted(register._by_first)
    rng = random.Random(11)
    texts = awkward_texts()
    for _ in range(2000):  # register words between every kind of separator, in any case
        parts = [rng.choice(firsts + ["x", "_", "9", "of", "the"]) for _ in range(rng.randrange(1, 8))]
        text = "".join(part + rng.choice(ASCII) for part in parts)
        texts.append("".join(c.upper() if rng.random() < 0.3 else c for c in text))
    texts = [text for text in texts if text.isascii()]
    found = [register.find(text) for text in texts]
    assert sum(map(len, found)) > 500  # (the texts hold names)
    for text in texts:
        assert register._first_words(text) == pattern_first_words(register, text), repr(text)
    # the fast path only leaves out words whose names are not in the text: the same names found
    monkeypatch.setattr(type(register), "_first_words", plain_first_words)
    assert [register.find(text) for text in texts] == found
