"""Shared test helpers: where the reference schemas are, and skips that CI turns into failures.

A test that needs a browser, a system tool or ../shared/reference skips with a reason
when it is missing; with TEIPRESS_STRICT=1 (set by .ci/run) the same condition fails
the test instead, so CI always runs everything.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
def _find_shared() -> Path:
    """The shared folder (reference schemas, corpus): $TEIPRESS_SHARED, else a "shared"
    folder beside the checkout or beside one of its parents."""
    if os.environ.get("TEIPRESS_SHARED"):
        return Path(os.environ["TEIPRESS_SHARED"])
    for folder in ROOT.parents:
        if (folder / "shared" / "reference").is_dir():
            return folder / "shared"
    return ROOT.parent / "shared"


SHARED = _find_shared()
REFERENCE = SHARED / "reference"
CORPUS = SHARED / "corpus" / "wilson"
SEEDS = ROOT / "seeds"
STRICT = os.environ.get("TEIPRESS_STRICT") == "1"


def pytest_configure(config):
    """The tests are of this checkout's code: refuse to run them against another copy (the
    README's build command installs teipress as a user would, not editable)."""
    import teipress

    found, ours = Path(teipress.__file__).resolve().parent, ROOT / "pipeline" / "teipress"
    if found != ours:
        raise pytest.UsageError(f"teipress is imported from {found}, not from this checkout ({ours}): "
                                "install it editable first (the README's test command)")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the expected files of the golden cases from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (under TEIPRESS_STRICT=1) when condition is false."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed")
    return path


@pytest.fixture(scope="session")
def tei_all():
    """The official TEI P5 tei_all RELAX NG schema (loads in a few seconds, once)."""
    from lxml import etree

    path = REFERENCE / "tei" / "tei_all.rng"
    require(path.exists(), f"{path} is absent (the shared reference folder)")
    return etree.RelaxNG(file=str(path))


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    require(CORPUS.is_dir(), f"{CORPUS} is absent (the shared corpus samples)")
    return sorted(CORPUS.glob("*.txt"))


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch):
    """Conversion dates come from SOURCE_DATE_EPOCH in tests (2026-01-01), so outputs are stable."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


TEI = {"tei": "http://www.tei-c.org/ns/1.0"}


def all_sources() -> list[Path]:
    """The seed, the golden cases' sources and (when present) the shared corpus samples."""
    found = sorted(SEEDS.glob("*.txt")) + sorted((ROOT / "tests" / "golden").glob("*/source.txt"))
    if CORPUS.is_dir():
        found += sorted(CORPUS.glob("*.txt"))
    return found


def seed_folder(folder: Path) -> Path:
    """folder/seeds with the seed letter and every golden case's source (under the case's name)."""
    import shutil

    seeds = folder / "seeds"
    seeds.mkdir(parents=True)
    for source in sorted((ROOT / "tests" / "golden").glob("*/source.txt")):
        shutil.copy(source, seeds / f"{source.parent.name}.txt")
    for source in sorted(SEEDS.glob("*.txt")):
        shutil.copy(source, seeds / source.name)
    return seeds


def convert_path(path: Path, reader: str | None = None):
    """Convert one source in memory: (Conversion, root element)."""
    from teipress.config import Config
    from teipress.convert import convert_source
    from teipress.sources import read_source

    conversion = convert_source(read_source(path), Config(), when="2026-01-01", schema_href="teipress.xsd",
                                reader=reader)
    return conversion, conversion.tree.getroot()


def xp(root, path: str):
    """XPath with the tei prefix bound."""
    return root.xpath(path, namespaces=TEI)
