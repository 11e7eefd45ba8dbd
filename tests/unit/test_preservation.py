"""Nothing is lost: every word of a source is in its TEI or in the report's set-aside lines.

Whitespace and no-break spaces are normalised (the editorial declaration says so); the
editorial brackets "[...]" and "[Stalin]" become gap and supplied, so the comparison is
on words (letters and digits, any script), counted: a word the source holds twice must
be in the TEI (or set aside) twice.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import all_sources, convert_path

WORD = re.compile(r"\w+")


def words(text: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(text))


def tei_words(root) -> Counter:
    text = " ".join(root.itertext())
    # a note's number is shown twice, at its anchor and before the note ("[1]" ... "[1] text")
    numbers = root.xpath("//*[local-name()='note']/@n")
    text += " " + " ".join(numbers + numbers)
    return words(text)


@pytest.mark.parametrize("path", all_sources(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_word_is_in_the_tei_or_set_aside(path: Path):
    conversion, root = convert_path(path)
    source = words(path.read_text("utf-8", errors="ignore"))
    kept = tei_words(root) + words(" ".join(item["text"] for item in conversion.report["set_aside"]))
    missing = source - kept
    assert not missing, f"words of {path.name} found neither in the TEI nor set aside: {dict(missing)}"


@pytest.mark.parametrize("path", all_sources(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_line_has_a_destination(path: Path):
    conversion, _ = convert_path(path)
    lines = conversion.report["lines"]
    unclassified = [r for r in lines if r["rule"] == "unclassified"]
    assert not unclassified, f"lines with no destination: {unclassified}"
    for record in lines:
        if record["to"] == "set-aside":
            assert record["rule"], record
