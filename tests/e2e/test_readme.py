"""The README's two commands are the ones that work: CI runs the test command verbatim."""

from __future__ import annotations

import re

from conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_the_two_commands():
    build, tests = readme_commands()
    assert build.endswith("teipress build") and "pip install ." in build
    assert "pytest" in tests and "[test]" in tests


def test_ci_runs_the_readme_test_command():
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert tests in ci.splitlines()
    assert "TEIPRESS_STRICT=1" in ci
