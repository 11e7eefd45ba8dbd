"""Quick tests in citations that spare a pattern's search, against the search itself.

Each guard skips a search only when the text lacks something the pattern needs; on any
text the result must be what the plain search gives. The texts mix the patterns' own
words in every case, the characters case-blind matching treats as ASCII letters, spaces
of every kind, marks and brackets.
"""

from __future__ import annotations

import random

from teipress import citations
from teipress.citations import read_translation

PIECES = [
    " ", "  ", "\t", "\u00a0", "\u2003", "\n", ",", ", ", ";", ":", "(", ")", "'", '"', "“", "‘", "’", ".", "&",
    "and", "And", "AND", "for", "For", "from", "with", "WITH", "at", "of", "under", "by", "the", "a", "an",
    "re", "RE", "Re:", "on", "On", "in", "In", "connection", "response", "reply", "to", "subject", "edited",
    "ſ", "ı", "İ", "\u212a", "K", "é", "中", "Stalin", "V.", "F", "J.", "Person", "Grigor’yan", "Ministry",
    "translated", "Translated", "trans.", "Russian", "English", "720", "1958)", "pp", "vol", "eds", "trans",
    "f.", "op", "ll", "Cde", "sygn", "JEDN", "Univ", "ltd", "x",
]


def _texts(count: int = 20000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = ["", " ", "and", " and ", "F", "x F", "ed.", "(x)"]
    for _ in range(count):
        out.append("".join(rng.choice(PIECES) + rng.choice(["", " ", " ", ""]) for _ in range(rng.randint(1, 8))))
    return out


def test_after_names_and_name_separator_need_what_the_guards_test():
    for text in _texts():
        if citations._AFTER_NAMES.search(text):
            assert any(need in text for need in citations._AFTER_NAMES_NEEDS), repr(text)
        if citations._NAME_SEPARATOR.search(text):
            assert "," in text or "&" in text or "and" in text, repr(text)
        if citations._FROM_LANGUAGE.search(text):
            assert "from" in text, repr(text)


def test_initial_search_from_the_end_is_the_whole_search():
    for text in _texts() + ["F", "J. F", "J. F\n", "ab F\n", "_F", "éF", "F\n\n"]:
        found = citations._ENDS_WITH_INITIAL.search(text, max(0, len(text) - 2))
        assert bool(found) == bool(citations._ENDS_WITH_INITIAL.search(text)), repr(text)


def test_abbreviation_needs_a_letter_before_its_dot():
    for text in _texts():
        word = text.rsplit(None, 1)[-1] + "." if text.split() else "."
        if citations._ABBREV_BEFORE_DOT.search(word):
            assert word[-2:-1].isalpha(), repr(word)


def test_read_translation_on_awkward_statements():
    # the guarded steps give what the plain ones gave (the code before the guards) on statements that use them
    cases = {
        "Translated for NKIDP by James F. Person.": ([("James F. Person", "person")], None),
        "Translated from the Russian by A. B and C, for X.": ([("A. B.", "person"), ("C.", "person")], "ru"),
        "Translated by Jingxia Yang and Douglas Stiffler": ([("Jingxia Yang", "person"), ("Douglas Stiffler", "person")], None),
        "Translated by Kate Smith; edited by Y.": ([("Kate Smith", "person")], None),
        "Translated by J. Doe & R. Roe (for the project)": ([("J. Doe", "person"), ("R. Roe", "person")], None),
    }
    for statement, (names, language) in cases.items():
        found, lang = read_translation(statement)
        assert [(n.text, n.kind) for n in found] == names and lang == language, statement
