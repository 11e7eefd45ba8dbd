"""`teipress render print` as a user runs it: exit codes, messages, files, the process pool."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from conftest import SEEDS, require_tool
from teipress.cli import main
from teipress.config import Config
from teipress.writers.print import SEQUENTIAL_BELOW, PrintRenderer, render_print_files


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def tei_dir(tmp_path) -> Path:
    result = run("convert", SEEDS, "-o", tmp_path / "tei")
    assert result.exit_code == 0, result.output
    return tmp_path / "tei"


def test_render_print_writes_one_pdf_per_tei_and_rerun_is_unchanged(tei_dir, tmp_path):
    first = run("render", "print", tei_dir, "-o", tmp_path / "print")
    assert first.exit_code == 0, first.output
    [tei] = tei_dir.glob("*.xml")
    pdf = tmp_path / "print" / f"{tei.stem}.pdf"
    assert "(written)" in first.output and pdf.exists()
    reader = pypdf.PdfReader(str(pdf))
    assert reader.attachments[f"{tei.stem}.xml"] == [tei.read_bytes()]
    again = run("render", "print", tei, "-o", tmp_path / "print")
    assert again.exit_code == 0 and "(unchanged)" in again.output


def test_a_broken_file_fails_alone_with_file_and_line(tei_dir, tmp_path):
    broken = tei_dir / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader>\n</TEI>\n')
    result = run("render", "print", tei_dir, "-o", tmp_path / "print")
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(broken))}:\d+: input error: not well-formed XML", result.output)
    assert len(list((tmp_path / "print").glob("*.pdf"))) == 1  # the good one is still written


def test_not_a_tei_file_is_refused(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<html><body>hello</body></html>")
    result = run("render", "print", other, "-o", tmp_path / "print")
    assert result.exit_code == 1 and "not a TEI document" in result.output


def test_an_unusable_print_setting_is_a_config_error(tei_dir, tmp_path):
    (tmp_path / "teipress.toml").write_text('[print]\nstandard = "pdf-x"\n')
    result = run("render", "print", tei_dir, "-o", tmp_path / "print", "--config", tmp_path)
    assert result.exit_code == 1
    assert "config error: print.standard 'pdf-x'" in result.output
    assert not (tmp_path / "print").exists()


def test_two_files_with_one_id_do_not_overwrite_each_other(tei_dir, tmp_path):
    [tei] = tei_dir.glob("*.xml")
    twin = tmp_path / "twin" / "copy.xml"
    twin.parent.mkdir()
    twin.write_bytes(tei.read_bytes())
    result = run("render", "print", tei, twin, "-o", tmp_path / "print")
    assert result.exit_code == 1
    assert f"{twin}: input error: has the id '{tei.stem}'" in result.output


def test_the_process_pool_gives_the_same_pdfs_as_one_process(tei_dir, tmp_path):
    [tei] = tei_dir.glob("*.xml")
    text = tei.read_text("utf-8")
    many = tmp_path / "many"
    many.mkdir()
    count = SEQUENTIAL_BELOW + 4
    for n in range(count):
        copy = text.replace(tei.stem, f"copy-{n:02d}").replace("We would like to consult", f"Copy {n}: we would like")
        (many / f"copy-{n:02d}.xml").write_text(copy, "utf-8")
    outcome = render_print_files([many], tmp_path / "pool", Config(), jobs=2, echo=lambda *a, **k: None)
    assert not outcome.failed
    assert outcome.written == [f"copy-{n:02d}" for n in range(count)]  # in the order given
    renderer = PrintRenderer(Config())
    from teipress.writers.print import read_tei

    for n in (0, count - 1):
        root, data = read_tei(many / f"copy-{n:02d}.xml")
        assert (tmp_path / "pool" / f"copy-{n:02d}.pdf").read_bytes() == renderer.typeset(root, data)


def test_every_page_rasterises(tei_dir, tmp_path):
    pdftoppm = require_tool("pdftoppm")
    result = run("render", "print", tei_dir, "-o", tmp_path / "print")
    assert result.exit_code == 0
    [pdf] = (tmp_path / "print").glob("*.pdf")
    pages = len(pypdf.PdfReader(str(pdf)).pages)
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True,
                   capture_output=True)
    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == pages and all(image.stat().st_size > 1000 for image in images)
