"""The register of names: loading, matching rules, markup in the TEI, suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import CORPUS, ROOT, SEEDS, require, xp
from teipress.cli import main
from teipress.config import Config
from teipress.convert import convert_source
from teipress.errors import InputError
from teipress.register import load_register
from teipress.sources import read_source

REGISTER = ROOT / "register.xml"
SEED = sorted(SEEDS.glob("*.txt"))[0]

SMALL = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>R</title></titleStmt>
<publicationStmt><publisher>p</publisher></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>
<standOff><listPerson>
<person xml:id="kim-a"><persName type="preferred">Kim Il Sung</persName><persName>Kim</persName></person>
<person xml:id="kim-b"><persName type="preferred">Kim Tu-bong</persName><persName>Kim</persName></person>
</listPerson><listOrg>
<org xml:id="rwp"><orgName type="preferred">Romanian Workers' Party</orgName><orgName type="abbreviation">RWP</orgName></org>
</listOrg></standOff></TEI>"""


def register_from(tmp_path: Path, text: str):
    path = tmp_path / "register.xml"
    path.write_text(text, "utf-8")
    return load_register(path)


def convert(path: Path, register):
    conversion = convert_source(read_source(path), Config(), when="2026-01-01", schema_href="x.xsd",
                                register=register)
    return conversion, conversion.tree.getroot()


def test_matching_rules(tmp_path):
    register = register_from(tmp_path, SMALL)
    assert register.ambiguous == {"kim": ["kim-a", "kim-b"]}
    text = "Kim Il Sung met the RWP and the rwp; KIM IL SUNG agreed. Kimchi is not a name."
    hits = [(text[s:e], entry) for s, e, entry in register.find(text)]
    # longest first, whole words, abbreviations keep their case, other names any case
    assert hits == [("Kim Il Sung", "kim-a"), ("RWP", "rwp"), ("KIM IL SUNG", "kim-a")]


def test_a_name_never_cuts_a_bracket():
    register = load_register(REGISTER)
    text = "the reply of Filippov [Stalin] to Premier Kim [Il Sung] and [Stalin]"
    hits = [text[s:e] for s, e, _ in register.find(text)]
    assert hits == ["Filippov [Stalin]", "Kim [Il Sung]"]  # "[Stalin]" is tagged inside its supplied:
    from teipress.tei import TEI_NS
    from teipress.tei.entities import Mentions
    from teipress.tei.inline import append_inline
    from teipress.tei.markup import Element, document

    built = Element("p", {"xmlns": TEI_NS})
    append_inline(built, text, None, Mentions(register, "d"))
    p = document(built, [])[0].getroot()
    assert xp(p, "tei:persName[1]/@ref") == ["#d-stalin"] and xp(p, "tei:persName[1]/tei:supplied/text()") == ["Stalin"]
    assert xp(p, "tei:supplied/tei:persName/@ref") == ["#d-stalin"]


@pytest.mark.parametrize("text, message", [
    ("<TEI xmlns='http://www.tei-c.org/ns/1.0'><standOff><listPerson><person><persName>A</persName></person>"
     "</listPerson></standOff></TEI>", "has no xml:id"),
    ("<TEI xmlns='http://www.tei-c.org/ns/1.0'><standOff><listPerson><person xml:id='a'/></listPerson></standOff></TEI>",
     "has no persName"),
    ("<TEI><unclosed>", "not well-formed"),
])
def test_register_errors_name_the_file(tmp_path, text, message):
    with pytest.raises(InputError) as error:
        register_from(tmp_path, text)
    assert message in str(error.value) and "register.xml" in str(error.value)


def test_seed_tags_both_central_committees_and_romania(tei_all):
    conversion, root = convert(SEED, load_register(REGISTER))
    ids = set(xp(root, "//@xml:id"))
    refs = xp(root, "//@ref")
    assert refs and all(ref.startswith("#") and ref[1:] in ids for ref in refs)  # every @ref resolves
    doc = conversion.doc.id
    tagged = {ref for ref in refs}
    assert {f"#{doc}-cc-cpsu", f"#{doc}-cc-rwp", f"#{doc}-romania"} <= tagged
    assert xp(root, "//tei:correspAction[@type='sent']/tei:orgName/@ref") == [f"#{doc}-cc-cpsu"]
    assert xp(root, "//tei:correspAction[@type='received']/tei:orgName/@ref") == [f"#{doc}-cc-rwp"]
    assert xp(root, "string(//tei:body//tei:placeName[@ref]/text())") in ("Romania", "Romanian People's Republic")
    uri = xp(root, f"string(//tei:standOff//tei:place[@xml:id='{doc}-romania']/tei:idno[@type='URI'])")
    assert uri == "http://www.wikidata.org/entity/Q218"
    assert tei_all.validate(root.getroottree()), tei_all.error_log


def test_corpus_names(tei_all):
    require(CORPUS.is_dir(), "corpus absent")
    register = load_register(REGISTER)
    _, root = convert(next(CORPUS.glob("001_*.txt")), register)
    doc = root.get("{http://www.w3.org/XML/1998/namespace}id")
    assert xp(root, "//tei:correspAction[@type='sent']/tei:persName/@ref") == [f"#{doc}-stalin"]
    stalin = xp(root, f"//tei:standOff//tei:person[@xml:id='{doc}-stalin']/tei:idno[@type='URI']/text()")
    assert stalin == ["http://www.wikidata.org/entity/Q855"]
    assert tei_all.validate(root.getroottree()), tei_all.error_log


def test_changing_the_register_changes_the_markup(tmp_path):
    _, without = convert(SEED, None)
    _, small = convert(SEED, register_from(tmp_path, SMALL))
    _, full = convert(SEED, load_register(REGISTER))
    assert xp(without, "//@ref") == [] and xp(without, "//tei:standOff") == []
    assert len(xp(full, "//@ref")) > len(xp(small, "//@ref"))


def test_ambiguous_names_are_reported_not_guessed(tmp_path):
    source = tmp_path / "kim.txt"
    source.write_text("Title: Letter from Kim to Stalin\nDate: 1950\n\nDear Kim,\nKim will come.\n", "utf-8")
    conversion, root = convert(source, register_from(tmp_path, SMALL))
    assert xp(root, "//tei:persName[@ref]") == []
    assert any(i.rule == "ambiguous-name" and "kim-a" in i.message for i in conversion.doc.issues)


def test_project_register_is_valid_tei(tei_all):
    assert tei_all.validate(etree.parse(str(REGISTER))), tei_all.error_log


def test_suggest_lists_names_missing_from_the_register(tmp_path):
    source = tmp_path / "letter.txt"
    source.write_text("Title: Letter from Stalin to Santo Zoltan\nDate: 1956\n\n"
                      "Dear Comrade Zoltan,\nAmbassador Vasily Petrov met Imre Nagy in Szolnok and Santo Zoltan.\n",
                      "utf-8")
    result = CliRunner().invoke(main, ["register", "suggest", str(source), "--register", str(REGISTER),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    names = {item["name"]: item for item in json.loads(result.output)}
    assert names["Santo Zoltan"]["count"] == 2 and names["Santo Zoltan"]["documents"] == ["letter"]
    assert "Vasily Petrov" in names and "Szolnok" in names
    assert "Imre Nagy" not in names and "Stalin" not in names  # already in the register


def test_editions_show_the_register(tmp_path, tei_all):
    """Web entity pages list the documents that name an entry; the PDF has an index of
    names with paragraph numbers; CMIF and oai_dc carry the authority URIs."""
    require(CORPUS.is_dir(), "corpus absent")
    import shutil

    from teipress.build import build

    project = tmp_path / "p"
    (project / "seeds").mkdir(parents=True)
    shutil.copy(SEED, project / "seeds")
    shutil.copy(next(CORPUS.glob("001_*.txt")), project / "seeds" / "stalin-telegram.txt")
    shutil.copy(next(CORPUS.glob("010_*.txt")), project / "seeds" / "grigoryan-note.txt")
    shutil.copy(REGISTER, project / "register.xml")
    result = build(project, jobs=1, echo=lambda *a, **k: None)
    assert not result.failed, result.failures
    web = project / "editions" / "web"
    page = etree.parse(str(web / "name-stalin.html"), etree.HTMLParser())
    assert sorted(page.xpath("//ul[@class='mentions']/li/a/@href")) == ["grigoryan-note.html", "stalin-telegram.html"]
    assert page.xpath("//a[@href='http://www.wikidata.org/entity/Q855']")
    people = etree.parse(str(web / "people.html"), etree.HTMLParser())
    assert "name-stalin.html" in people.xpath("//ul[@class='name-list']/li/a/@href")
    seed_page = etree.parse(str(web / f"{SEED.stem}.html"), etree.HTMLParser())
    assert seed_page.xpath("//main//a[@href='name-romania.html']")
    # print: the index of names with paragraph numbers
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(project / "editions" / "print" / f"{SEED.stem}.pdf").pages)
    assert "Index of names" in text and "Romania ¶ 2, 3, 4, 6" in text
    # harvest: CMIF carries the URIs, oai_dc names them as relations
    cmif = etree.parse(str(project / "editions" / "cmif.xml"))
    assert cmif.xpath("//tei:correspAction[@type='sent']/tei:persName[@ref='http://www.wikidata.org/entity/Q855']",
                      namespaces={"tei": "http://www.tei-c.org/ns/1.0"})
    import sqlite3

    with sqlite3.connect(project / "editions" / "oai.sqlite") as conn:
        record = conn.execute("SELECT oai_dc FROM records WHERE id = ?", (SEED.stem,)).fetchone()[0]
    dc = etree.fromstring(record)
    assert "http://www.wikidata.org/entity/Q218" in dc.xpath("//*[local-name()='relation']/text()")
