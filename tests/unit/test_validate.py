"""teipress validate: the grammar and the rules, problems located where an editor acts,
hostile XML refused, both validators agreeing, and the command line."""

from __future__ import annotations

import copy
import http.server
import json
import random
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import CORPUS, ROOT, all_sources, require
from teipress.cli import main
from teipress.config import Config
from teipress.convert import convert_source
from teipress.register import load_register
from teipress.rules import check_rules, date_bounds, date_problem
from teipress.sources import read_source
from teipress.tei import NS, TEI_NS
from teipress.validate import Validator, format_json, format_text, validate_paths
from teipress.xmlio import safe_parser

FIXTURES = ROOT / "tests" / "fixtures" / "validate"
VALID = sorted((FIXTURES / "valid").glob("*.xml"))
INVALID = FIXTURES / "invalid"
SECRET = (FIXTURES / "xxe-secret.txt").read_text("utf-8").split(":")[0]  # XXE-SECRET-4c1e9b
DTD_MARKERS = ("DTD-LEAK-MARKER-93ad", "DTD-DEFAULT-MARKER-93ad")

# fixture -> (rule, line): the one problem each invalid fixture holds, and the line of the
# start tag where the editor has to act (for a missing child: its parent).
EXPECTED = {
    # hostile or broken XML
    "billion-laughs": ("xml-doctype", 3),
    "xxe-local-file": ("xml-doctype", 3),
    "xxe-absolute-path": ("xml-doctype", 3),
    "external-dtd": ("xml-doctype", 3),
    "external-dtd-network": ("xml-doctype", 3),
    "undefined-entity": ("xml-malformed", 31),
    "mismatched-end-tag": ("xml-malformed", 23),
    # the header
    "missing-title": ("element-missing", 6),
    "missing-title-before-author": ("element-missing", 6),
    "missing-publisher": ("element-missing", 9),
    "missing-source-desc": ("element-missing", 5),
    "missing-tei-header": ("element-missing", 3),
    "missing-corresp-desc": ("corresp-missing", 16),
    "corresp-without-received": ("corresp-incomplete", 17),
    "corresp-without-sent": ("corresp-incomplete", 17),
    "corresp-action-type-misspelt": ("corresp-action-type", 22),
    "corresp-action-without-type": ("attribute-missing", 22),
    "empty-title": ("header-empty", 7),
    "language-without-ident": ("attribute-missing", 27),
    # dates
    "date-february-30": ("date-not-real", 20),
    "date-month-13": ("date-not-real", 20),
    "date-1900-02-29": ("date-not-real", 20),
    "date-us-format": ("date-format", 20),
    "date-with-time": ("date-format", 20),
    "date-not-before-after-not-after": ("date-range", 20),
    "date-from-after-to": ("date-range", 20),
    "date-start-tag-on-three-lines": ("date-not-real", 20),
    # references and ids
    "ref-dangling-person": ("ref-unresolved", 23),
    "ref-target-dangling": ("ref-unresolved", 31),
    "corresp-pointer-dangling": ("ref-unresolved", 31),
    "duplicate-xml-id": ("id-duplicate", 32),
    "xml-id-not-a-name": ("attribute-value", 31),
    # structure
    "paragraph-in-opener": ("element-misplaced", 32),
    "paragraph-after-closer": ("element-order", 35),
    "empty-paragraph": ("p-empty", 32),
    "text-directly-in-body": ("text-not-allowed", 29),
    "unknown-element": ("element-unknown", 31),
    "tei-element-outside-subset": ("outside-subset", 31),
    "tei-attribute-outside-subset": ("outside-subset", 31),
    "unknown-attribute": ("attribute-not-allowed", 30),
    "tei-without-namespace": ("tei-namespace", 3),
    "element-in-idno": ("element-misplaced", 11),
    "choice-with-one-reading": ("element-missing", 31),
    "list-without-items": ("element-missing", 32),
    "register-idno-without-type": ("attribute-missing", 32),
    "gap-with-text": ("text-not-allowed", 31),
    "standoff-after-body-in-text": ("element-misplaced", 32),
}
HOSTILE = ["billion-laughs", "xxe-local-file", "xxe-absolute-path", "external-dtd", "external-dtd-network"]
LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+) \[(?P<rule>[a-z0-9-]+)\]$")


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


@pytest.fixture(scope="module")
def converted() -> list[tuple[str, etree._ElementTree]]:
    """Every converter output: seeds, golden cases and the Wilson corpus, without and with
    the edition's register (names with @ref, entries in a standOff)."""
    require(CORPUS.is_dir(), f"{CORPUS} is absent (the shared corpus samples)")
    register = load_register(ROOT / "register.xml")
    out = []
    for path in all_sources():
        for names in (None, register):
            conversion = convert_source(read_source(path), Config(), when="2026-01-01",
                                        schema_href="../../schema/teipress.xsd", register=names)
            label = f"{path.parent.name}/{path.name}" + (" (register)" if names else "")
            out.append((label, etree.ElementTree(etree.fromstring(conversion.data, safe_parser()))))
    return out


def parsed(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), safe_parser(collect_ids=False))


# --- the fixtures -------------------------------------------------------------------------

def test_every_invalid_fixture_is_named_after_one_expected_problem():
    names = {p.stem for p in INVALID.glob("*.xml")}
    assert names == set(EXPECTED)
    assert len(names) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_is_rejected_with_its_rule_at_its_line(validator, name):
    result = validator.check_file(INVALID / f"{name}.xml")
    assert result.status == "invalid"
    assert [(issue.rule, issue.line) for issue in result.errors] == [EXPECTED[name]]
    issue = result.errors[0]
    assert issue.message and issue.column and issue.column >= 1


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_passes_our_schema_rules_and_tei_all(validator, tei_all, path):
    result = validator.check_file(path)
    assert (result.status, result.issues) == ("valid", [])
    assert tei_all.validate(parsed(path)), tei_all.error_log


def test_every_converter_output_passes_our_schema_rules_and_tei_all(validator, tei_all, converted):
    assert len(converted) >= 14
    assert any(tree.find("tei:standOff", NS) is not None for _, tree in converted)
    for name, tree in converted:
        assert validator.check(tree.getroot(), name) == [], name
        assert tei_all.validate(tree), (name, tei_all.error_log)


def test_a_misplaced_element_on_a_multiline_start_tag_is_reported_where_the_tag_starts(validator):
    # libxml2 records the line where a start tag ends (22 here); editors need where it starts.
    issue = validator.check_file(INVALID / "date-start-tag-on-three-lines.xml").errors[0]
    assert (issue.line, issue.column) == (20, 11)
    assert issue.xpath == "/TEI/teiHeader/profileDesc/correspDesc/correspAction[1]/date/@when"


def test_the_edition_register_is_valid(validator, tei_all):
    """register.xml is a TEI file too: a header and a standOff, no text."""
    assert validator.check_file(ROOT / "register.xml").issues == []
    assert tei_all.validate(parsed(ROOT / "register.xml"))


def test_check_works_on_an_already_parsed_tree(validator):
    tree = parsed(INVALID / "paragraph-in-opener.xml")  # the build's case: a tree, no bytes
    (issue,) = validator.check(tree.getroot())
    assert (issue.rule, issue.line, issue.column) == ("element-misplaced", 32, 11)
    in_memory = etree.fromstring(etree.tostring(tree))  # no file behind it: libxml2's lines
    assert [i.rule for i in validator.check(in_memory)] == ["element-misplaced"]


def test_tei_outside_the_subset_gets_a_list_of_what_falls_outside(tmp_path):
    text = (FIXTURES / "valid" / "letter-minimal.xml").read_text("utf-8")
    text = text.replace('<p xml:id="minimal-p1">',
                        '<byline>Anna</byline>\n        <p rendition="#r1" xml:id="minimal-p1">')
    text = text.replace("<publisher>", '<publisher><email>a@example.org</email>')
    path = tmp_path / "foreign.xml"
    path.write_text(text, "utf-8")
    run = validate_paths([path])
    outside = [i for i in run.files[0].issues if i.rule == "outside-subset"]
    assert {re.match(r"(<\w+>|@\w+)", i.message).group(1) for i in outside} >= {"<byline>", "@rendition", "<email>"}
    assert "outside the teipress subset: <byline>, <email>, @rendition on <p>" in format_text(run)


# --- the rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, rule", [
    ("1958", None), ("1958-09", None), ("1958-09-09", None), ("2000-02-29", None), ("1958-12-31", None),
    ("1958-02-30", "date-not-real"), ("1900-02-29", "date-not-real"), ("1958-00", "date-not-real"),
    ("1958-04-31", "date-not-real"), ("0000", "date-not-real"),
    ("58-09-09", "date-format"), ("1958-9-9", "date-format"), ("1958-09-09Z", "date-format"),
    ("September 1958", "date-format"), ("", "date-format"), ("--09-09", "date-format"),
    ("١٩٥٨", "date-format"),
])
def test_date_problem(value, rule):
    problem = date_problem(value)
    assert (problem[0] if problem else None) == rule


def test_date_bounds():
    assert date_bounds("1958") == ("1958-01-01", "1958-12-31")
    assert date_bounds("1960-02") == ("1960-02-01", "1960-02-29")
    assert date_bounds("1958-09-09") == ("1958-09-09", "1958-09-09")


def tei(body: str, header_extra: str = "") -> etree._Element:
    return etree.fromstring(
        f'<TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
        f'<publicationStmt><publisher>p</publisher></publicationStmt><sourceDesc><p>s</p></sourceDesc>'
        f'</fileDesc>{header_extra}</teiHeader><text><body>{body}</body></text></TEI>', safe_parser(collect_ids=False))


def test_rules_accept_a_year_and_a_month_as_a_range_and_pages_as_pages():
    root = tei('<div><p xml:id="a">x <date notBefore="1958-05" notAfter="1958">y</date> '
               '<ref target="#a https://example.org/#b">z</ref></p></div>',
               '<profileDesc><creation><date from="1958-09" to="1958-09">x</date></creation></profileDesc>')
    assert check_rules(root) == []
    pages = tei('<p>x</p>', '<encodingDesc><p>x</p></encodingDesc>')
    locus = etree.SubElement(pages.find(".//tei:sourceDesc", NS), f"{{{TEI_NS}}}locus", {"from": "99", "to": "12r"})
    assert locus is not None and check_rules(pages) == []


def test_rules_find_every_problem_at_once():
    root = tei('<div type="letter"><p xml:id="a"/><p xml:id="a">x <persName ref="#nobody #a">y</persName>'
               '<date when="1958-02-30" notBefore="1959" notAfter="1958-12">z</date></p></div>')
    found = sorted((f.rule, f.attribute) for f in check_rules(root))
    assert found == [("corresp-missing", None), ("date-not-real", "when"), ("date-range", "notBefore"),
                     ("id-duplicate", "xml:id"), ("p-empty", None), ("ref-unresolved", "ref")]


def test_a_paragraph_holding_only_a_gap_or_a_note_is_not_empty():
    root = tei('<p xml:id="a"><gap reason="illegible"/></p><p><note>n</note></p><p><lb/> </p>')
    assert [f.element.get("{http://www.w3.org/XML/1998/namespace}id") for f in check_rules(root)] == [None]


def test_blank_paragraphs_are_those_xpath_finds():
    """rules finds blank paragraphs in Python; the XPath it replaced is the definition."""
    from teipress.rules import _BLANK_PARAGRAPHS, _blank_paragraphs

    bodies = ["<p/>", "<p> </p>", "<p>\xa0</p>", "<p>\u2003 </p>", "<p> \n\t</p>", "<p>x</p>", "<p><!-- c --></p>",
              "<p><?pi x?></p>", "<p><![CDATA[ ]]></p>", "<p><![CDATA[x]]></p>", "<p><hi> </hi> </p>",
              "<p><hi>x</hi></p>", "<p> <lb/>x</p>", "<p><lb/> \xa0</p>", "<p><gap/></p>", "<p><!--c-->y</p>",
              "<p> <note><p/></note></p>", "<p><note><p>x</p></note></p>", "<p>\u0085</p>", "<p> <hi>\u3000</hi></p>"]
    root = tei("".join(bodies))
    assert list(_blank_paragraphs(root)) == _BLANK_PARAGRAPHS(root)
    assert len(_BLANK_PARAGRAPHS(root)) > 5


# --- both validators agree --------------------------------------------------------------

def agreeing(validator, tree) -> bool:
    fast = validator.is_valid(tree.getroot())
    rich = validator.rich.is_valid(tree.getroot())
    assert fast == rich, (etree.tostring(tree)[:300], validator.schema.error_log)
    return fast


def test_lxml_and_xmlschema_agree_on_every_fixture(validator):
    verdicts = {}
    for path in VALID + sorted(INVALID.glob("*.xml")):
        if path.stem in HOSTILE or path.stem in ("undefined-entity", "mismatched-end-tag", "tei-without-namespace"):
            continue  # refused before any validator sees them
        verdicts[path.stem] = agreeing(validator, parsed(path))
    assert all(verdicts[p.stem] for p in VALID)
    # the rules' problems pass the grammar; the grammar's do not
    assert verdicts["date-february-30"] is False and verdicts["ref-dangling-person"] is True
    assert verdicts["paragraph-in-opener"] is False and verdicts["empty-paragraph"] is True


def mutate(tree: etree._ElementTree, rnd: random.Random) -> etree._ElementTree:
    """One random edit of the kind editors make: delete, move, rename, duplicate, retype."""
    root = copy.deepcopy(tree.getroot())
    elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
    target = rnd.choice(elements)
    kind = rnd.randrange(5)
    if kind == 0:
        target.getparent().remove(target)
    elif kind == 1:
        destination = rnd.choice([e for e in elements if target not in e.iterancestors() and e is not target])
        destination.insert(rnd.randint(0, len(destination)), target)
    elif kind == 2:
        names = ["p", "seg", "date", "idno", "note", "title", "div", "item", "byline"]
        target.tag = f"{{{TEI_NS}}}" + rnd.choice(names)
    elif kind == 3:
        clone = copy.deepcopy(target)
        clone.tail = None
        target.addnext(clone)
    else:
        target.set(rnd.choice(["type", "when", "ref", "n", "place", "rend"]),
                   rnd.choice(["x y", "1958-02-30", "#z", "", "sent"]))
    return etree.ElementTree(root)


def test_lxml_and_xmlschema_agree_on_edited_documents(validator, converted):
    rnd = random.Random(1958)
    trees = [tree for _, tree in converted] + [parsed(p) for p in VALID]
    verdicts = [agreeing(validator, mutate(rnd.choice(trees), rnd)) for _ in range(150)]
    assert verdicts.count(False) > 30  # the edits broke many documents, not only trivially


POINTERS = ["https://example.org/a?b=c#d", "#x", "http://www.wikidata.org/entity/Q855", "file.xml", "../a/b.xml",
            "mailto:x@example.org", "urn:isbn:123", "//host:80/path", "//user:pw@host/x", "http://例え.jp/ä",
            "a%20b", "x{y}|z^`\\<\"", "C:\\x", "http:", "http:///x", "a::b", "#", "?q",
            "[1958]", "1956-11-04T10:00", "http://[::1]/", "%zz", "http://x:abc/", "http://x:/", "http://x/a#b#c",
            "1:b", "-a:b", "x?y=[1]", "#a[1]", ":"]


def test_lxml_and_xmlschema_agree_on_pointer_values(validator, tei_all):
    """URIs are where validators differ most; the schema spells their syntax out. Whatever
    the subset accepts, tei_all accepts too."""
    rnd = random.Random(3986)
    alphabet = list("ab1:/?#[]@%-.~!$&'()*+,;=é{}|^`<\"") + ["%2", "%41", "//", "http://", "x:", "%zz"]
    values = POINTERS + ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 10))) for _ in range(400)]
    minimal = (FIXTURES / "valid" / "letter-minimal.xml").read_text("utf-8")
    accepted = 0
    for value in values:
        escaped = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        tree = etree.ElementTree(etree.fromstring(minimal.replace(
            "the books arrived", f'the <ref target="{escaped}">books</ref> arrived').encode()))
        if agreeing(validator, tree):
            accepted += 1
            assert tei_all.validate(tree), value
    assert 100 < accepted < len(values) - 100


def test_every_invalid_document_gets_a_located_problem(validator, converted):
    rnd = random.Random(9)
    trees = [tree for _, tree in converted]
    for _ in range(60):
        tree = mutate(rnd.choice(trees), rnd)
        issues = validator.check(tree.getroot())
        if not validator.is_valid(tree.getroot()):
            assert issues and all(i.line and i.rule and i.message for i in issues)


def test_if_xmlschema_fails_libxml2_still_locates_the_problem(monkeypatch):
    class Broken:
        elements: dict = {}

        def iter_errors(self, root):
            raise RuntimeError("a bug in the rich validator")

    monkeypatch.setattr(Validator, "rich", property(lambda self: Broken()))
    (issue,) = Validator().check_file(INVALID / "paragraph-in-opener.xml").errors
    assert (issue.rule, issue.line, issue.column) == ("schema", 32, 11)
    assert issue.message.startswith("Element 'p': This element is not expected")


# --- hostile XML ----------------------------------------------------------------------------

def test_the_hostile_fixtures_are_real_attacks():
    """A parser that resolves entities and loads DTDs would leak: the fixtures are not harmless."""
    naive = etree.XMLParser(resolve_entities=True, load_dtd=True, attribute_defaults=True, no_network=True)
    assert SECRET in etree.tostring(etree.parse(str(INVALID / "xxe-local-file.xml"), naive), encoding="unicode")
    leaked = etree.tostring(etree.parse(str(INVALID / "external-dtd.xml"), naive), encoding="unicode")
    assert all(marker in leaked for marker in DTD_MARKERS)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_hostile_files_are_refused_and_nothing_leaks(fmt):
    paths = [str(INVALID / f"{name}.xml") for name in HOSTILE]
    result = CliRunner().invoke(main, ["validate", "--format", fmt, *paths])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for leak in (SECRET, "root:x:0:0", "lollollol", *DTD_MARKERS):
        assert leak not in result.output
    if fmt == "json":
        assert {i["rule"] for i in json.loads(result.output)} == {"xml-doctype"}


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server interface)
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "NETWORK-LEAK">')

    def log_message(self, *args):
        pass


def test_no_network_access_for_external_dtds_or_entities(tmp_path, validator):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        minimal = (FIXTURES / "valid" / "letter-minimal.xml").read_text("utf-8")
        dtd = tmp_path / "dtd.xml"
        dtd.write_text(minimal.replace("<TEI ", f'<!DOCTYPE TEI SYSTEM "{url}/tei.dtd">\n<TEI ', 1), "utf-8")
        entity = tmp_path / "entity.xml"
        entity.write_text(minimal.replace("<TEI ", f'<!DOCTYPE TEI [<!ENTITY x SYSTEM "{url}/x">]>\n<TEI ', 1)
                          .replace("the books arrived", "&x;"), "utf-8")
        run = validate_paths([dtd, entity], validator)
    finally:
        server.shutdown()
        thread.join()
    assert not run.ok
    assert [f.errors[0].rule for f in run.files] == ["xml-doctype", "xml-doctype"]
    assert _Recorder.requests == []
    assert "NETWORK-LEAK" not in format_text(run) + format_json(run)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path, monkeypatch):
    import teipress.validate

    monkeypatch.setattr(teipress.validate, "MAX_XML_BYTES", 1000)
    (issue,) = validate_paths([VALID[0]]).files[0].issues
    assert issue.rule == "xml-too-large"
    assert "1,000 bytes" in issue.message


def test_deeply_nested_elements_are_refused_without_a_crash(tmp_path):
    minimal = (FIXTURES / "valid" / "letter-minimal.xml").read_text("utf-8")
    path = tmp_path / "deep.xml"
    path.write_text(minimal.replace("the books arrived", "<hi>" * 5000 + "x" + "</hi>" * 5000), "utf-8")
    (issue,) = validate_paths([path]).files[0].issues
    assert issue.rule == "xml-malformed" and "256" in issue.hint


# --- the command line ---------------------------------------------------------------------

def test_cli_valid_folder_exits_0_with_a_summary():
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "valid")])
    assert result.exit_code == 0, result.output
    summary = f"{len(VALID)} files checked: {len(VALID)} valid, 0 invalid; 0 problems"
    assert result.output.strip().splitlines() == [summary]


def test_cli_text_output_is_compiler_style_with_hints():
    paths = [str(INVALID / "paragraph-in-opener.xml"), str(INVALID / "date-february-30.xml"), str(VALID[0])]
    result = CliRunner().invoke(main, ["validate", *paths])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    errors = [LOCATION.match(line) for line in lines if ": error: " in line]
    assert [(Path(m["path"]).stem, int(m["line"]), int(m["col"]), m["rule"]) for m in errors] == [
        ("paragraph-in-opener", 32, 11, "element-misplaced"), ("date-february-30", 20, 11, "date-not-real")]
    assert lines[1] == "    hint: <opener> may contain: dateline, salute, signed, seg, gap, note, pb, lb"
    assert lines[-1] == "3 files checked: 1 valid, 2 invalid; 2 problems"


def test_cli_json_output_lists_every_problem():
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(INVALID / "missing-title.xml"),
                                       str(VALID[0])])
    assert result.exit_code == 1
    items = json.loads(result.output)
    assert items == [{"file": str(INVALID / "missing-title.xml"), "line": 6, "column": 7, "severity": "error",
                      "rule": "element-missing", "message": "<titleStmt> lacks a required <title>",
                      "xpath": "/TEI/teiHeader/fileDesc/titleStmt"}]
    valid = CliRunner().invoke(main, ["validate", "--format", "json", str(VALID[0])])
    assert (valid.exit_code, json.loads(valid.output)) == (0, [])


def test_cli_walks_folders_skips_other_xml_and_cmif(tmp_path):
    (tmp_path / "tei" / "nested").mkdir(parents=True)
    (tmp_path / "tei" / "nested" / "a.xml").write_bytes(VALID[0].read_bytes())
    (tmp_path / "tei" / "b.xml").write_bytes((INVALID / "empty-paragraph.xml").read_bytes())
    (tmp_path / "tei" / "notes.txt").write_text("not XML")
    (tmp_path / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    (tmp_path / "cmif.xml").write_bytes(VALID[0].read_bytes())
    (tmp_path / ".teipress").mkdir()
    (tmp_path / ".teipress" / "state.xml").write_text("<broken")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'sitemap.xml'}: note: skipped: not a TEI document (root element <urlset>)" in result.output
    assert f"{tmp_path / 'cmif.xml'}: note: skipped: a CMIF file" in result.output
    assert "state.xml" not in result.output
    assert result.output.strip().splitlines()[-1] == "2 files checked: 1 valid, 1 invalid; 1 problem (2 skipped)"


def test_cli_exit_codes_and_no_tracebacks(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["validate"]).exit_code == 2
    assert runner.invoke(main, ["validate", "--format", "xml", str(VALID[0])]).exit_code == 2
    missing = runner.invoke(main, ["validate", str(tmp_path / "nope.xml")])
    assert missing.exit_code == 1 and "no such file or folder [file-missing]" in missing.output
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"\x00\xff\xfe binary")
    for path in (garbage, tmp_path / "empty.xml"):
        path.touch()
        result = runner.invoke(main, ["validate", str(path)])
        assert result.exit_code == 1 and "[xml-malformed]" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_command_has_help():
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0 and "--format" in result.output
