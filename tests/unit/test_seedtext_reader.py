"""The seed-text format for an editor's own transcriptions."""

from __future__ import annotations

from conftest import ROOT, SEEDS, convert_path, xp
from teipress.edition import plain
from teipress.readers import choose_reader, seedtext, wilson

CASE = ROOT / "tests" / "golden" / "seedtext-cc-cpsu-to-cc-rwp" / "source.txt"


def test_detection_and_forcing():
    assert choose_reader(CASE.read_text("utf-8")) is seedtext
    assert choose_reader(sorted(SEEDS.glob("*.txt"))[0].read_text("utf-8")) is wilson
    assert choose_reader("Title: x", forced="wilson") is wilson


def test_header_fields(tei_all):
    conversion, root = convert_path(CASE)
    assert conversion.doc.shape == "seed-text"
    assert xp(root, "string(//tei:correspAction[@type='sent']/tei:date/@when)") == "1958-09-09"
    assert [plain(e) for e in xp(root, "//tei:correspAction[@type='received']/*")] == ["CC of the RWP"]
    # the Source field continues on an indented line
    assert plain(xp(root, "//tei:msIdentifier/tei:idno")[0]) == "File 6/1955"
    assert xp(root, "string(//tei:msItem/tei:textLang/@mainLang)") == "ro"
    assert plain(xp(root, "//tei:respStmt[starts-with(tei:resp, 'Transl')]/tei:persName")[0]) == "Delia Razdolescu"
    assert xp(root, "string(//tei:abstract/tei:p)").startswith("The CPSU Central Committee")
    assert tei_all.validate(root.getroottree()), tei_all.error_log


def test_same_letter_same_body_as_the_archive_page():
    _, page = convert_path(sorted(SEEDS.glob("*.txt"))[0])
    _, transcription = convert_path(CASE)
    body = "//tei:body//tei:p | //tei:body//tei:salute | //tei:body//tei:signed"
    assert [plain(e) for e in xp(page, body)] == [plain(e) for e in xp(transcription, body)]


def test_unknown_field_is_reported(tmp_path):
    source = tmp_path / "t.txt"
    source.write_text("Title: A letter\nDate: 1950\nColour: blue\n\nDear Sir,\nText.\n", "utf-8")
    conversion, root = convert_path(source)
    assert any(i.rule == "unknown-header-field" and i.line == 3 for i in conversion.doc.issues)
    assert {"line": 3, "rule": "unknown-header-field", "text": "Colour: blue"} in conversion.report["set_aside"]
    assert xp(root, "string(//tei:profileDesc/tei:creation/tei:date/@when)") == "1950"
