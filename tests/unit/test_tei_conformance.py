"""Every TEI the converter writes is valid against the official TEI P5 tei_all schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEEDS, all_sources, convert_path


@pytest.mark.parametrize("path", all_sources(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_conversion_is_valid_tei_all(path: Path, tei_all):
    _, root = convert_path(path)
    assert tei_all.validate(root.getroottree()), str(tei_all.error_log)


def test_ids_are_unique_and_prefixed():
    for path in all_sources():
        conversion, root = convert_path(path)
        ids = root.xpath("//@xml:id")
        assert len(ids) == len(set(ids))
        assert all(i == conversion.doc.id or i.startswith(conversion.doc.id + "-") for i in ids)


def test_output_is_deterministic():
    path = sorted(SEEDS.glob("*.txt"))[0]
    first, _ = convert_path(path)
    second, _ = convert_path(path)
    assert first.data == second.data
