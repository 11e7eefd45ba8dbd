"""The convert and build commands as a user runs them: exit codes, messages, files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from conftest import SEEDS
from teipress.cli import main

SEED = sorted(SEEDS.glob("*.txt"))[0]


def run(*args, cwd: Path | None = None):
    runner = CliRunner()
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


def test_every_command_has_help():
    for path, command in _commands(main):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} needs a help text"


def test_convert_writes_tei_and_report(tmp_path):
    report = tmp_path / "report.json"
    result = run("convert", SEED, "-o", tmp_path / "tei", "--report", report)
    assert result.exit_code == 0, result.output
    [tei] = (tmp_path / "tei").glob("*.xml")
    root = etree.parse(str(tei)).getroot()
    assert root.get("{http://www.w3.org/XML/1998/namespace}id") == tei.stem
    data = json.loads(report.read_text())
    assert data["id"] == tei.stem and data["lines"][0]["text"] == "Skip to content"
    assert not list((tmp_path / "tei").glob("*.json")), "a report is never written beside the TEI"


def test_convert_folder_and_rerun_is_unchanged(tmp_path):
    first = run("convert", SEEDS, "-o", tmp_path)
    again = run("convert", SEEDS, "-o", tmp_path)
    assert first.exit_code == again.exit_code == 0
    assert "(written)" in first.output and "(unchanged)" in again.output


def test_convert_keeps_a_hand_edited_file(tmp_path):
    run("convert", SEED, "-o", tmp_path)
    [tei] = tmp_path.glob("*.xml")
    edited = tei.read_bytes().replace(b"Dear Comrades,", b"Dear Comrades, (edited)")
    tei.write_bytes(edited)
    result = run("convert", SEED, "-o", tmp_path)
    assert result.exit_code == 0 and "kept" in result.output
    assert tei.read_bytes() == edited
    forced = run("convert", SEED, "-o", tmp_path, "--force")
    assert forced.exit_code == 0 and tei.read_bytes() != edited


def test_one_failing_source_does_not_stop_the_others(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    result = run("convert", bad, SEED, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{bad}: input error: the file is empty" in result.output
    assert len(list((tmp_path / "out").glob("*.xml"))) == 1


def test_usage_errors_exit_2(tmp_path):
    assert run("convert").exit_code == 2
    assert run("convert", SEED, "--reader", "nonsense").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("convert", SEED, "-o", blocker / "sub")
    assert result.exit_code == 1
    assert "output error" in result.output and "-o" in result.output


def test_build_in_a_project(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    result = run("build", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "editions" / "tei" / f"{SEED.stem}.xml").exists()
    assert (tmp_path / "editions" / "reports" / f"{SEED.stem}.json").exists()


def test_build_without_seeds_says_what_to_do(tmp_path):
    result = run("build", tmp_path)
    assert result.exit_code == 1 and "seeds" in result.output
