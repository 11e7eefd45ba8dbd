"""The reader's quick tests against the obvious code they stand in for.

Page normalises each line without calling normalise() when a cheaper step gives the same
text, and _heading tries its pattern only on lines that could match it; both must give
what the plain calls give, on any character.
"""

from __future__ import annotations

import sys

from teipress.readers.page import Page
from teipress.readers.structure import OTHER_WHITESPACE, normalise
from teipress.readers.wilson import _HEADING_WITH_VALUE, _heading

# Spaces of every kind, controls, and the characters case-blind matching treats specially
AWKWARD = [" ", "\t", "\u00a0", "\u1680", "\u2000", "\u2007", "\u200a", "\u200b", "\u202f", "\u205f",
           "\u3000", "\x1c", "\x85", "\u2028", "\ufeff", "’", "é", "中", "ſ", "ı", "K"]


def _lines(c: str) -> list[str]:
    return [c, c + c, f"a{c}b", f"{c}ab", f"ab{c}", f" a{c}b ", f"a {c} b", f"a{c}{c}b", f"’{c}’", f"a  ’{c}"]


def test_page_text_is_normalise_of_each_line_for_awkward_characters():
    for c in AWKWARD:
        lines = _lines(c)
        assert Page("\n".join(lines)).text == [normalise(line) for line in lines], repr(c)


def test_page_text_is_normalise_of_each_line_for_every_character():
    # a line for each character; those of OTHER_WHITESPACE send the whole text the other way
    chars = [chr(code) for code in range(sys.maxunicode + 1) if chr(code) != "\n" and not 0xD800 <= code <= 0xDFFF]
    lines = [f" a{c}b’ " for c in chars if c not in OTHER_WHITESPACE]
    assert Page("\n".join(lines)).text == [normalise(line) for line in lines]
    for c in OTHER_WHITESPACE:
        assert Page(f" a{c}b’ ").text == [normalise(f" a{c}b’ ")], repr(c)


def test_heading_value_pattern_only_matches_lines_starting_with_r_or_o():
    # _heading skips the pattern unless the line starts with r, R, o or O
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c not in "rRoO":
            assert not _HEADING_WITH_VALUE.match(c + "ecord id 1"), hex(code)
            assert not _HEADING_WITH_VALUE.match(c + "riginal uploaded date 1"), hex(code)


def test_heading_reads_inline_values():
    assert _heading("Record ID 113636") == ("record", "113636")
    assert _heading("Original uploaded date: May 5, 2011") == ("uploaded", "May 5, 2011")
    assert _heading("Type: Letter") is None  # a Type line is read under its own heading
    assert _heading("Language:") == ("language", "")
