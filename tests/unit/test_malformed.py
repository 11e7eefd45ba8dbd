"""Malformed inputs: each gets a clear error naming the file (and line or byte), or a valid
TEI with a warning; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, SEEDS, require
from teipress.cli import main

SEED = sorted(SEEDS.glob("*.txt"))[0]
SEED_TEXT = SEED.read_text("utf-8")


def convert(tmp_path: Path, name: str, data: bytes):
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", str(source), "-o", str(out)], catch_exceptions=False)
    assert "Traceback" not in result.output
    written = list(out.glob("*.xml")) if out.exists() else []
    return result, written


ERRORS = [
    ("empty.txt", b"", "the file is empty"),
    ("blank.txt", b" \n\n\t\n", "the file is empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a NUL byte at byte offset 8)"),
    ("latin1.txt", SEED_TEXT.replace("Comrades", "Camarades é").encode("latin-1", errors="replace"),
     "not UTF-8: byte 0xe9 at byte offset"),
    ("control.txt", ("September 9, 1958\n\nA title\n\nText \x07 bell\n").encode(), "control character U+0007"),
    ("nothing.txt", b"Skip to content\n\nDocument Information\n\nRecord ID\n", "no title and no date found"),
]


@pytest.mark.parametrize("name, data, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_clear_errors(tmp_path, name, data, message):
    result, written = convert(tmp_path, name, data)
    assert result.exit_code == 1
    assert str(tmp_path / name) in result.output
    assert message in result.output
    assert written == []


def test_latin1_error_names_line(tmp_path):
    data = SEED_TEXT.replace("Comrades", "Camarades é").encode("latin-1", errors="replace")
    result, _ = convert(tmp_path, "latin1.txt", data)
    line = SEED_TEXT[: SEED_TEXT.index("Comrades")].count("\n") + 1
    assert f"latin1.txt:{line}:" in result.output and "iconv" in result.output


def test_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "nope.txt"), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "nope.txt: input error: no such file" in result.output


WARNINGS = [
    ("truncated-mid-page.txt", SEED_TEXT[:1200].encode(), "source-truncated"),
    ("no-date.txt", SEED_TEXT.replace("September 9, 1958\n\nLetter", "Letter", 1).encode(), "no-date"),
    ("title-only.txt", b"Skip to content\n\nSeptember 9, 1958\n\nLetter from A to B\n", "no-text"),
    ("crlf-bom.txt", b"\xef\xbb\xbf" + SEED_TEXT.replace("\n", "\r\n").encode(), None),
]


@pytest.mark.parametrize("name, data, rule", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_valid_tei_with_warning(tmp_path, tei_all, name, data, rule):
    from lxml import etree

    result, written = convert(tmp_path, name, data)
    assert result.exit_code == 0, result.output
    [tei] = written
    assert tei_all.validate(etree.parse(str(tei))), tei_all.error_log
    if rule:
        assert f"[{rule}]" in result.output


def test_cut_inside_a_character(tmp_path, tei_all):
    require(CORPUS.is_dir(), "corpus samples absent")
    from lxml import etree

    data = next(CORPUS.glob("025_*.txt")).read_bytes()
    cut = data[: data.index("周".encode()) + 1]  # ends inside a three-byte character
    result, [tei] = convert(tmp_path, "cut.txt", cut)
    assert result.exit_code == 0 and "[source-truncated]" in result.output
    assert tei_all.validate(etree.parse(str(tei)))


def test_crlf_and_bom_convert_like_the_original(tmp_path):
    """Only the source checksum differs: the text read is the same."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, [unix] = convert(tmp_path / "a", SEED.name, SEED.read_bytes())
    _, [windows] = convert(tmp_path / "b", SEED.name, b"\xef\xbb\xbf" + SEED_TEXT.replace("\n", "\r\n").encode())

    def without_checksum(data: bytes) -> bytes:
        head, _, rest = data.partition(b'<idno type="sha256">')
        return head + rest.partition(b"</idno>")[2]

    assert without_checksum(unix.read_bytes()) == without_checksum(windows.read_bytes())
