"""The reader's quick tests against the obvious code they stand in for.

Page normalises each line without calling normalise() when a cheaper step gives the same
text, and _heading tries its pattern only on lines that could match it; both must give
what the plain calls give, on any character.
"""

from __future__ import annotations

import re
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


def test_title_topic_lookahead_changes_no_match():
    from teipress.titles import _TOPIC
    plain = re.compile(_TOPIC.pattern.removeprefix(r"(?=[\s:(,])(?:").removesuffix(")"), re.I)
    assert plain.pattern != _TOPIC.pattern
    words = ["Mao", "on", "re:", "Re", "in connection with", "with the", "for", "via", "and", "care of",
             "‘x’", '"y"', "(z)", ":", ",", ", ", " ,", "\u00a0", "\t", "ſ", "K", "İ", "x"]
    texts = [a + sep + b for a in words for b in words for sep in ("", " ", "  ", ", ", "\u3000")]
    texts += [f"a{chr(code)}b c" for code in range(0x3000)]
    for text in texts:
        got, want = _TOPIC.search(text), plain.search(text)
        assert (got and got.span()) == (want and want.span()), repr(text)


def test_title_substring_tests_match_the_patterns_on_single_spaced_text():
    # read_title's parts hold one space between words and no other space: there a pattern
    # needing \s+for\s+ (via, in, at) matches only where the text holds " for " (...)
    from teipress.titles import _FOR, _PERSON_AT, _VIA
    words = ["Mao", "for", "For", "via", "Via", "in", "at", "In", "Beijing", ",", "x,", "forx", "xfor", "ſor"]
    for a in words:
        for b in words:
            for c in words:
                for text in (f"{a} {b} {c}", f"{a}{b} {c}", f"{a} {b}{c}", f"{a},{b} {c}"):
                    assert bool(_FOR.search(text)) <= (" for " in text), text
                    assert bool(_VIA.search(text)) <= (" via " in text), text
                    assert bool(_PERSON_AT.match(text)) <= (" in " in text or " at " in text), text
