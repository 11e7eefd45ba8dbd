"""Golden cases: each folder holds a source and the TEI and report its conversion must give.

Regenerate with `pytest tests/golden --update-golden` and review the diff in the commit.
The seed's golden TEI is the committed edition file editions/tei/<id>.xml itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from teipress.convert import project_register
from teipress.config import Config, load_config
from teipress.config import schema_href_for
from teipress.convert import build_report, convert_source, report_bytes
from teipress.sources import read_source

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CASES = sorted(p for p in HERE.iterdir() if (p / "source.txt").exists())
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]


def _convert(path: Path, config: Config, href: str):
    return convert_source(read_source(path), config, when="2026-01-01", schema_href=href)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case(case: Path, update_golden: bool):
    conversion = _convert(case / "source.txt", Config(), "../../../schema/teipress.xsd")
    expected_tei, expected_report = case / "expected.xml", case / "report.json"
    report = report_bytes(build_report(conversion.doc, case / "source.txt"))
    if update_golden or not expected_tei.exists():
        expected_tei.write_bytes(conversion.data)
        expected_report.write_bytes(report)
    assert conversion.data == expected_tei.read_bytes(), f"{case.name}: TEI differs (review, then --update-golden)"
    assert report == expected_report.read_bytes(), f"{case.name}: report differs"


def test_seed_reproduces_committed_tei(update_golden: bool):
    """Converting the seed gives exactly the committed editions/tei file (on its conversion
    date: --update-golden rewrites the file but keeps the date it records)."""
    config = load_config(ROOT)
    register = project_register(ROOT, config)
    href = schema_href_for(ROOT / "editions" / "tei")  # as `teipress build` computes it
    probe = convert_source(read_source(SEED), config, when="2026-01-01", schema_href=href, register=register)
    committed = ROOT / "editions" / "tei" / f"{probe.doc.id}.xml"
    when = etree.parse(str(committed)).getroot().xpath(
        "string(//tei:revisionDesc/tei:change[@type='conversion']/@when)",
        namespaces={"tei": "http://www.tei-c.org/ns/1.0"}) if committed.exists() else "2026-01-01"
    conversion = convert_source(read_source(SEED), config, when=when, schema_href=href, register=register)
    if update_golden or not committed.exists():
        committed.write_bytes(conversion.data)
    assert conversion.data == committed.read_bytes(), "the committed seed TEI differs from its conversion"


def test_report_lists_every_line():
    conversion = _convert(SEED, Config(), "x.xsd")
    source_lines = SEED.read_text("utf-8").split("\n")
    assert [r["line"] for r in conversion.report["lines"]] == list(range(1, len(source_lines) + 1))
    assert json.loads(report_bytes(conversion.report))["id"] == conversion.doc.id
