"""The harvest stage: cmif.xml (CMIF schema, tei_all and CMIF's Schematron rules),
manifest.json and the OAI-PMH index oai.sqlite (records, datestamps, sets, deletions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from conftest import REFERENCE, require, seed_folder
from teipress.convert import convert_files
from teipress.config import Config
from teipress.writers.harvest import (cmif_bytes, harvest_entry, mark_deleted, open_index, read_entries,
                                      upsert_record, write_harvest)
from teipress.xmlio import safe_parser, serialise

NS = {"tei": "http://www.tei-c.org/ns/1.0", "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}
SCH = {"sch": "http://purl.oclc.org/dsdl/schematron"}
CONFIG = Config(title="Test Edition", publisher="Test Press", base_url="https://letters.example.org/ed/")
LATER = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
SILENT = lambda *args, **kwargs: None  # noqa: E731


def convert_edition(folder: Path) -> Path:
    """An editions folder with the TEI of the seed letter and every golden case (each under its
    case's name), converted as of 2026-01-01."""
    seeds = seed_folder(folder)
    editions = folder / "editions"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        outcome = convert_files([seeds], editions / "tei", CONFIG, echo=SILENT)
    assert not outcome.failed and len(outcome.written) >= 2
    return editions


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    return convert_edition(tmp_path_factory.mktemp("converted"))


@pytest.fixture
def edition(converted, tmp_path) -> Path:
    """A fresh copy of the converted edition, harvest files written."""
    editions = tmp_path / "editions"
    shutil.copytree(converted, editions)
    outcome = write_harvest(editions, CONFIG, echo=SILENT)
    assert sorted(outcome.written) == ["cmif.xml", "manifest.json", "oai.sqlite"] and not outcome.failed
    return editions


def tei_ids(editions: Path) -> list[str]:
    return sorted(p.stem for p in (editions / "tei").glob("*.xml"))


def records(editions: Path) -> dict[str, tuple]:
    with sqlite3.connect(editions / "oai.sqlite") as conn:
        rows = conn.execute("SELECT id, datestamp, deleted, set_specs, oai_dc, tei_sha256 FROM records").fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def cmif_schema():
    path = REFERENCE / "cmif" / "cmi-customization.rng"
    require(path.exists(), f"{path} is absent (the shared reference folder)")
    return etree.RelaxNG(file=str(path))


def schematron_errors(tree: etree._ElementTree) -> list[str]:
    """CMIF's own Schematron rules (cmif.sch) run with an XPath 2 engine: the failed asserts
    of role 'error' (the UUID recommendation is a warning, reported too with its code)."""
    from elementpath import XPath2Parser, XPathContext

    path = REFERENCE / "cmif" / "cmif.sch"
    require(path.exists(), f"{path} is absent (the shared reference folder)")
    failed = []
    parser = XPath2Parser(namespaces={"tei": NS["tei"]})
    for rule in etree.parse(str(path)).iterfind(".//sch:rule", SCH):
        nodes = list(parser.parse("//" + rule.get("context")).select(XPathContext(tree)))
        for check in rule.iterfind("sch:assert", SCH):
            test = parser.parse(f"boolean({check.get('test')})")
            for node in nodes:
                if not test.evaluate(XPathContext(tree, item=node)):
                    failed.append(" ".join(check.text.split())[:7])
    return failed


# ---------------------------------------------------------------------------
# CMIF


def test_cmif_is_valid_cmif_and_tei_all(edition, cmif_schema, tei_all):
    tree = etree.parse(str(edition / "cmif.xml"), safe_parser())
    assert cmif_schema.validate(tree), str(cmif_schema.error_log)
    assert tei_all.validate(tree), str(tei_all.error_log)
    assert schematron_errors(tree) == []


def test_schematron_check_catches_broken_cmif(edition):
    """The rule runner is not vacuous: a date without dating attributes and a dangling
    @source are reported."""
    tree = etree.parse(str(edition / "cmif.xml"), safe_parser())
    date = tree.xpath("//tei:correspAction/tei:date", namespaces=NS)[0]
    for name in list(date.attrib):
        del date.attrib[name]
    tree.xpath("//tei:correspDesc", namespaces=NS)[0].set("source", "#nowhere")
    assert sorted(set(schematron_errors(tree))) == ["[E0003]", "[E0004]"]


def test_cmif_publication_statement(edition):
    root = etree.parse(str(edition / "cmif.xml"), safe_parser()).getroot()
    stmt = root.xpath("tei:teiHeader/tei:fileDesc/tei:publicationStmt", namespaces=NS)[0]
    assert [etree.QName(c).localname for c in stmt] == ["publisher", "idno", "date", "availability"]
    assert stmt.xpath("string(tei:idno[@type='url'])", namespaces=NS) == "https://letters.example.org/ed/cmif.xml"
    assert stmt.xpath("tei:publisher/tei:ref/@target", namespaces=NS) == [CONFIG.base_url]
    assert stmt.xpath("tei:date/@when", namespaces=NS) == ["2026-01-01"]  # the conversion date
    assert stmt.xpath("tei:availability/tei:licence/@target", namespaces=NS) == [CONFIG.licence_url]
    assert root.xpath("tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:editor/text()", namespaces=NS) == ["Test Press"]


def test_cmif_has_one_correspdesc_per_letter(edition):
    root = etree.parse(str(edition / "cmif.xml"), safe_parser()).getroot()
    bibl_id = root.xpath("string(//tei:sourceDesc/tei:bibl/@xml:id)", namespaces=NS)
    descs = root.xpath("//tei:profileDesc/tei:correspDesc", namespaces=NS)
    refs = [d.get("ref") for d in descs]
    assert refs == [f"{CONFIG.base_url}{i}.html" for i in tei_ids(edition)]
    assert {d.get("source") for d in descs} == {f"#{bibl_id}"}
    for desc in descs:
        assert desc.xpath("tei:correspAction/@type", namespaces=NS) == ["sent", "received"]
        assert desc.xpath("tei:correspAction[@type='sent']/tei:persName | "
                          "tei:correspAction[@type='sent']/tei:orgName", namespaces=NS)
    # the seed letter, as its TEI has it
    letter = root.xpath("//tei:correspDesc[contains(@ref, 'letter-cc-cpsu-to-cc-rwp-1958-09-09')]",
                        namespaces=NS)[0]
    assert letter.xpath("tei:correspAction[@type='sent']/tei:orgName/text()", namespaces=NS) == ["CC of the CPSU"]
    assert letter.xpath("tei:correspAction[@type='sent']/tei:date/@when", namespaces=NS) == ["1958-09-09"]
    assert letter.xpath("tei:correspAction[@type='received']/tei:orgName/text()", namespaces=NS) == ["CC of the RWP"]


def test_cmif_names_keep_the_editorial_brackets(edition):
    root = etree.parse(str(edition / "cmif.xml"), safe_parser()).getroot()
    names = root.xpath("//tei:correspAction[@type='sent']/tei:persName/text()", namespaces=NS)
    assert "Filippov [Stalin]" in names


def test_cmif_bibl_id_is_a_stable_uuid_starting_with_a_letter(edition, tmp_path):
    root = etree.parse(str(edition / "cmif.xml"), safe_parser()).getroot()
    bibl_id = root.xpath("string(//tei:sourceDesc/tei:bibl/@xml:id)", namespaces=NS)
    assert bibl_id[0].isalpha() and len(bibl_id.split("-")) == 5
    assert cmif_bytes([], CONFIG).count(bibl_id.encode()) == 1  # the same for the same address


def _with_entities(path: Path) -> None:
    """Give a TEI file a standOff register and point its correspondents at it, the way the
    entities stage will: @ref="#id" -> person/org with idno[@type='URI']."""
    tree = etree.parse(str(path), safe_parser())
    root = tree.getroot()
    doc_id = path.stem
    T = "{%s}" % NS["tei"]
    names = root.xpath("//tei:correspDesc/tei:correspAction/*[self::tei:persName or self::tei:orgName]",
                       namespaces=NS)
    stand_off = etree.SubElement(root, T + "standOff")
    people = etree.SubElement(stand_off, T + "listPerson")
    orgs = etree.SubElement(stand_off, T + "listOrg")
    for n, name in enumerate(names):
        entity_id = f"{doc_id}-e{n}"
        is_person = etree.QName(name).localname == "persName"
        entity = etree.SubElement(people if is_person else orgs, T + ("person" if is_person else "org"))
        entity.set("{http://www.w3.org/XML/1998/namespace}id", entity_id)
        etree.SubElement(entity, T + ("persName" if is_person else "orgName")).text = "x"
        if n == 0:
            etree.SubElement(entity, T + "idno", type="URI").text = f"https://www.wikidata.org/entity/Q{n + 100}"
        name.set("ref", f"#{entity_id}")
    if not len(people):
        stand_off.remove(people)
    if not len(orgs):
        stand_off.remove(orgs)
    path.write_bytes(serialise(tree))


def test_cmif_resolves_refs_through_the_standoff(edition, cmif_schema, tei_all):
    letter = edition / "tei" / "letter-cc-cpsu-to-cc-rwp-1958-09-09.xml"
    _with_entities(letter)
    assert tei_all.validate(etree.parse(str(letter))), str(tei_all.error_log)
    write_harvest(edition, CONFIG, echo=SILENT)
    tree = etree.parse(str(edition / "cmif.xml"), safe_parser())
    desc = tree.xpath("//tei:correspDesc[contains(@ref, 'letter-cc-cpsu')]", namespaces=NS)[0]
    # the sender's entity has a URI; the addressee's has none, so its name carries no @ref
    assert desc.xpath("tei:correspAction[@type='sent']/tei:orgName/@ref", namespaces=NS) == [
        "https://www.wikidata.org/entity/Q100"]
    assert desc.xpath("tei:correspAction[@type='received']/tei:orgName/@ref", namespaces=NS) == []
    assert not tree.xpath("//@ref[starts-with(., '#')]")
    assert cmif_schema.validate(tree), str(cmif_schema.error_log)


def test_cmif_keeps_absolute_refs_drops_transmitted_and_fills_unknown(edition, cmif_schema):
    path = edition / "tei" / "letter-cc-cpsu-to-cc-rwp-1958-09-09.xml"
    tree = etree.parse(str(path), safe_parser())
    desc = tree.xpath("//tei:correspDesc", namespaces=NS)[0]
    sent, received = desc.xpath("tei:correspAction", namespaces=NS)
    sent.xpath("tei:orgName", namespaces=NS)[0].set("ref", "https://d-nb.info/gnd/2005-4")
    via = etree.SubElement(desc, "{%s}correspAction" % NS["tei"], type="transmitted")
    etree.SubElement(via, "{%s}persName" % NS["tei"]).text = "A Courier"
    desc.remove(received)
    path.write_bytes(serialise(tree))
    write_harvest(edition, CONFIG, echo=SILENT)
    cmif = etree.parse(str(edition / "cmif.xml"), safe_parser())
    out = cmif.xpath("//tei:correspDesc[contains(@ref, 'letter-cc-cpsu')]", namespaces=NS)[0]
    assert out.xpath("tei:correspAction/@type", namespaces=NS) == ["sent", "received"]
    assert out.xpath("tei:correspAction[@type='sent']/tei:orgName/@ref", namespaces=NS) == [
        "https://d-nb.info/gnd/2005-4"]
    assert out.xpath("tei:correspAction[@type='received']/tei:persName/text()", namespaces=NS) == ["Unknown"]
    assert not cmif.xpath("//tei:persName[. = 'A Courier']", namespaces=NS)
    assert cmif_schema.validate(cmif), str(cmif_schema.error_log)


def test_cmif_leaves_out_a_date_it_cannot_read(edition, cmif_schema):
    path = edition / "tei" / "letter-cc-cpsu-to-cc-rwp-1958-09-09.xml"
    tree = etree.parse(str(path), safe_parser())
    date = tree.xpath("//tei:correspAction[@type='sent']/tei:date", namespaces=NS)[0]
    date.set("when", "September 1958")  # an editor's slip: not a W3C date
    path.write_bytes(serialise(tree))
    write_harvest(edition, CONFIG, echo=SILENT)
    cmif = etree.parse(str(edition / "cmif.xml"), safe_parser())
    sent = cmif.xpath("//tei:correspDesc[contains(@ref, 'letter-cc-cpsu')]/tei:correspAction[@type='sent']",
                      namespaces=NS)[0]
    assert sent.xpath("tei:date", namespaces=NS) == [] and sent.xpath("tei:orgName", namespaces=NS)
    assert cmif_schema.validate(cmif), str(cmif_schema.error_log)
    assert schematron_errors(cmif) == []


def test_a_document_without_correspdesc_is_not_in_cmif(edition):
    path = edition / "tei" / "letter-cc-cpsu-to-cc-rwp-1958-09-09.xml"
    tree = etree.parse(str(path), safe_parser())
    for desc in tree.xpath("//tei:correspDesc", namespaces=NS):
        desc.getparent().remove(desc)
    path.write_bytes(serialise(tree))
    write_harvest(edition, CONFIG, echo=SILENT)
    cmif = etree.parse(str(edition / "cmif.xml"), safe_parser())
    assert not cmif.xpath("//tei:correspDesc[contains(@ref, 'letter-cc-cpsu')]", namespaces=NS)
    assert len(cmif.xpath("//tei:correspDesc", namespaces=NS)) == len(tei_ids(edition)) - 1


# ---------------------------------------------------------------------------
# manifest


def test_manifest_lists_every_document_with_checksums(edition):
    manifest = json.loads((edition / "manifest.json").read_text("utf-8"))
    ids = tei_ids(edition)
    assert [d["id"] for d in manifest["documents"]] == ids and manifest["count"] == len(ids)
    for doc in manifest["documents"]:
        data = (edition / doc["tei"]).read_bytes()
        assert doc["tei_sha256"] == hashlib.sha256(data).hexdigest() and doc["tei_size"] == len(data)
        assert (doc["tei"], doc["pdf"], doc["page"]) == (f"tei/{doc['id']}.xml", f"print/{doc['id']}.pdf",
                                                        f"web/{doc['id']}.html")
        assert doc["title"] and doc["type"] and doc["converted"] == "2026-01-01"
        assert doc["oai_identifier"] == f"oai:letters.example.org:{doc['id']}"
    letter = next(d for d in manifest["documents"] if d["id"] == "letter-cc-cpsu-to-cc-rwp-1958-09-09")
    assert (letter["date"], letter["type"]) == ("1958-09-09", "letter")
    cmif = (edition / "cmif.xml").read_bytes()
    assert manifest["cmif"] == {"path": "cmif.xml", "sha256": hashlib.sha256(cmif).hexdigest(), "size": len(cmif)}


def test_harvest_files_are_byte_identical_across_rebuilds(edition, converted, tmp_path):
    other = tmp_path / "again"
    shutil.copytree(converted, other)
    for tei in (other / "tei").glob("*.xml"):  # a fresh clone: other mtimes
        os.utime(tei, (1, 1))
    write_harvest(other, CONFIG, echo=SILENT, now=LATER)
    for name in ("cmif.xml", "manifest.json"):
        assert (other / name).read_bytes() == (edition / name).read_bytes()
    outcome = write_harvest(edition, CONFIG, echo=SILENT)
    assert outcome.written == [] and sorted(outcome.unchanged) == ["cmif.xml", "manifest.json", "oai.sqlite"]


# ---------------------------------------------------------------------------
# the OAI index


def test_index_holds_every_document(edition):
    rows = records(edition)
    assert sorted(rows) == tei_ids(edition)
    for doc_id, (datestamp, deleted, set_specs, oai_dc, sha) in rows.items():
        assert datestamp == "2026-01-01T00:00:00Z" and deleted == 0  # conversion date, midnight UTC
        assert sha == hashlib.sha256((edition / "tei" / f"{doc_id}.xml").read_bytes()).hexdigest()
        assert any(spec.startswith("type:") for spec in set_specs.split())
    letter = rows["letter-cc-cpsu-to-cc-rwp-1958-09-09"]
    assert letter[2].split() == ["repository:central-historical-national-archives", "type:letter"]
    with sqlite3.connect(edition / "oai.sqlite") as conn:
        sets = dict(conn.execute("SELECT spec, name FROM sets").fetchall())
        members = conn.execute("SELECT count(*) FROM set_members WHERE spec = 'type'").fetchone()[0]
    assert sets["type"] == "Document types" and sets["repository"] == "Repositories"
    assert sets["type:letter"] == "Document type: letter"
    assert members == len(rows)  # the parent set holds every typed document


def test_oai_dc_records_are_valid_and_mapped_from_the_header(edition):
    path = REFERENCE / "oai" / "oai_dc.xsd"
    require(path.exists(), f"{path} is absent (the shared reference folder)")
    schema = etree.XMLSchema(file=str(path))
    rows = records(edition)
    for doc_id, row in rows.items():
        assert schema.validate(etree.fromstring(row[3])), (doc_id, str(schema.error_log))
    dc = etree.fromstring(rows["letter-cc-cpsu-to-cc-rwp-1958-09-09"][3])
    value = lambda name: dc.xpath(f"dc:{name}/text()", namespaces=NS)  # noqa: E731
    assert value("title") == ["Letter addressed by the CC of the CPSU to the CC of the RWP on the recall of "
                              "Soviet advisors from Romania"]
    assert value("creator") == ["CC of the CPSU"]
    assert value("contributor") == ["Delia Razdolescu"]  # the translator
    assert value("date") == ["1958-09-09"]
    assert value("type") == ["Text", "letter"]
    assert value("format") == ["application/tei+xml"]
    assert value("language") == ["en"]
    assert value("identifier") == [f"{CONFIG.base_url}letter-cc-cpsu-to-cc-rwp-1958-09-09.html"]
    assert value("source")[0].startswith("Central Historical National Archives")
    assert any("Creative Commons" in r for r in value("rights"))
    assert value("publisher")
    telegram = etree.fromstring(rows["ciphered-telegram-no-709-filippov-krasovsky-mao"][3])
    assert telegram.xpath("dc:description/text()", namespaces=NS)[0].startswith("Telegram to Mao")


def test_removed_document_stays_deleted(edition):
    gone = "note-v-grigoryan-cde-stalin"
    (edition / "tei" / f"{gone}.xml").unlink()
    write_harvest(edition, CONFIG, echo=SILENT, now=LATER)
    row = records(edition)[gone]
    assert row[:2] == ("2026-06-01T12:00:00Z", 1) and row[3] is None and row[2] == "type:note"
    write_harvest(edition, CONFIG, echo=SILENT, now=LATER + dt.timedelta(days=1))  # persistent
    assert records(edition)[gone][:2] == ("2026-06-01T12:00:00Z", 1)
    with sqlite3.connect(edition / "oai.sqlite") as conn:  # still reported to set harvests
        assert conn.execute("SELECT datestamp FROM set_members WHERE id = ? AND spec = 'type:note'",
                            (gone,)).fetchone() == ("2026-06-01T12:00:00Z",)
    manifest = json.loads((edition / "manifest.json").read_text("utf-8"))
    assert gone not in [d["id"] for d in manifest["documents"]]


def test_hand_edited_tei_gets_its_mtime_as_datestamp(edition):
    doc_id = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
    path = edition / "tei" / f"{doc_id}.xml"
    path.write_bytes(path.read_bytes().replace(b"Dear Comrades,", b"Dear Comrades!"))
    os.utime(path, (1780000000, 1780000000))  # 2026-05-28T20:26:40Z
    write_harvest(edition, CONFIG, echo=SILENT, edited={doc_id})
    assert records(edition)[doc_id][0] == "2026-05-28T20:26:40Z"


def test_changed_tei_moves_its_datestamp_forward_even_when_not_flagged(edition):
    """A TEI that changed while its conversion date did not (an edit the build did not flag)
    still gets a newer datestamp, or incremental harvesters would never see the change."""
    doc_id = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
    path = edition / "tei" / f"{doc_id}.xml"
    path.write_bytes(path.read_bytes().replace(b"Dear Comrades,", b"Dear Comrades!"))
    write_harvest(edition, CONFIG, echo=SILENT, now=LATER)
    rows = records(edition)
    assert rows[doc_id][0] == "2026-06-01T12:00:00Z"
    assert all(row[0] == "2026-01-01T00:00:00Z" for key, row in rows.items() if key != doc_id)


def test_unreadable_tei_fails_but_keeps_its_record(edition):
    doc_id = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
    before = records(edition)[doc_id]
    (edition / "tei" / f"{doc_id}.xml").write_bytes(b"<TEI xmlns='http://www.tei-c.org/ns/1.0'><oops></TEI>")
    messages = []
    outcome = write_harvest(edition, CONFIG, echo=lambda message, **kw: messages.append(message), now=LATER)
    assert [Path(p).stem for p, _ in outcome.failed] == [doc_id]
    assert any("not well-formed" in m and doc_id in m for m in messages)
    assert records(edition)[doc_id] == before


def test_missing_tei_folder_is_a_render_error(tmp_path):
    from teipress.errors import RenderError

    with pytest.raises(RenderError, match="no TEI folder"):
        write_harvest(tmp_path, CONFIG, echo=SILENT)


def test_orchestrator_entries_give_the_same_files(edition, converted, tmp_path):
    other = tmp_path / "from-entries"
    shutil.copytree(converted, other)
    entries = []
    for path in sorted((other / "tei").glob("*.xml")):
        data = path.read_bytes()
        entries.append(harvest_entry(etree.fromstring(data, safe_parser()), path, data))
    write_harvest(other, CONFIG, echo=SILENT, entries=entries)
    for name in ("cmif.xml", "manifest.json"):
        assert (other / name).read_bytes() == (edition / name).read_bytes()
    assert records(other) == records(edition)


def test_incremental_upsert_and_delete(edition):
    tei_dir = edition / "tei"
    entries = {e["id"]: e for e in read_entries(tei_dir, echo=SILENT)}
    conn = open_index(edition)
    try:
        doc_id = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
        assert upsert_record(conn, entries[doc_id], CONFIG, now=LATER) is False  # nothing changed
        changed = dict(entries[doc_id], title="A new title", tei_sha256="0" * 64)
        assert upsert_record(conn, changed, CONFIG, now=LATER) is True
        assert mark_deleted(conn, "ciphered-telegram-no-709-filippov-krasovsky-mao", now=LATER) is True
        assert mark_deleted(conn, "ciphered-telegram-no-709-filippov-krasovsky-mao", now=LATER) is False
        assert mark_deleted(conn, "no-such-document", now=LATER) is False
    finally:
        conn.close()
    rows = records(edition)
    assert rows[doc_id][0] == "2026-06-01T12:00:00Z"
    assert b"A new title" in rows[doc_id][3]
    assert rows["ciphered-telegram-no-709-filippov-krasovsky-mao"][1] == 1
