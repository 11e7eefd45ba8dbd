"""teipress build over a small project: every stage, incremental rebuilds, hand edits,
reproducibility, an interrupted build, and the Dask executor."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import ROOT, SEEDS, require
from teipress.build import build
from teipress.cli import main
from teipress.worker import LOCAL_BELOW

GOLDEN = ROOT / "tests" / "golden"
CASES = ["ciphered-telegram-no-709-filippov-krasovsky-mao", "telegram-shtykov-ussr-council-of-ministers"]


def quiet(*args, **kwargs) -> None:
    pass


def make_project(folder: Path) -> Path:
    (folder / "seeds").mkdir(parents=True)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / "seeds" / seed.name)
    for case in CASES:
        shutil.copy(GOLDEN / case / "source.txt", folder / "seeds" / f"{case}.txt")
    shutil.copy(ROOT / "register.xml", folder / "register.xml")
    (folder / "teipress.toml").write_text('[edition]\ntitle = "Test edition"\nbase_url = "https://example.org/t/"\n')
    return folder


def snapshot(out: Path) -> dict[str, bytes]:
    """Every edition file (not the build state or the SQLite index) by relative path."""
    files = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and not rel.startswith(".teipress") and rel != "oai.sqlite":
            files[rel] = path.read_bytes()
    return files


def mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")
            if p.is_file() and not p.relative_to(out).as_posix().startswith((".teipress", "web/pagefind"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("edition"))
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
    result = build(project, jobs=1, echo=quiet)
    return project, result


def test_first_build_writes_every_edition(built):
    project, result = built
    out = project / "editions"
    assert not result.failed, result.failures
    ids = sorted(p.stem for p in (out / "tei").glob("*.xml"))
    assert len(ids) == 3
    for doc_id in ids:
        assert (out / "reports" / f"{doc_id}.json").exists()
        assert (out / "print" / f"{doc_id}.pdf").read_bytes().startswith(b"%PDF")
        page = etree.parse(str(out / "web" / f"{doc_id}.html"), etree.HTMLParser())
        assert page.xpath("//a[@rel='prev' or @rel='next']") or len(ids) == 1
        assert (out / "web" / "tei" / f"{doc_id}.xml").read_bytes() == (out / "tei" / f"{doc_id}.xml").read_bytes()
    for name in ("cmif.xml", "manifest.json", "oai.sqlite", "web/index.html", "web/pagefind/pagefind.js",
                 "web/cmif.xml", "web/manifest.json"):
        assert (out / name).exists(), name


def test_second_build_does_nothing(built):
    project, _ = built
    out = project / "editions"
    before = mtimes(out)
    result = build(project, jobs=1, echo=quiet)
    assert not result.failed
    assert result.stages.get("tei") is None or result.stages["tei"].written == 0
    assert all(state == "unchanged" for state in result.collection.values())
    assert mtimes(out) == before


def test_one_changed_seed_rebuilds_that_document_and_the_collection(built):
    project, _ = built
    out = project / "editions"
    seed = project / "seeds" / f"{CASES[1]}.txt"
    before = mtimes(out)
    seed.write_text(seed.read_text("utf-8").replace("Kim Il Sung exclaimed", "Kim Il Sung then exclaimed"), "utf-8")
    result = build(project, jobs=1, echo=quiet)
    after = mtimes(out)
    changed = {name for name in after if after[name] != before.get(name)}
    doc = next(p.stem for p in (out / "tei").glob("d003*.xml")) if list((out / "tei").glob("d003*.xml")) else \
        f"{CASES[1]}"
    assert f"tei/{doc}.xml" in changed and f"print/{doc}.pdf" in changed
    others = [p.stem for p in (out / "tei").glob("*.xml") if p.stem != doc]
    for other in others:
        assert f"tei/{other}.xml" not in changed and f"print/{other}.pdf" not in changed
    assert result.stages["tei"].written == 1


def test_a_hand_edited_tei_is_kept_and_rendered(built):
    project, _ = built
    out = project / "editions"
    tei = next((out / "tei").glob("letter-*.xml"))
    edited = tei.read_bytes().replace(b"Dear Comrades,", b"Dear Comrades and friends,")
    tei.write_bytes(edited)
    result = build(project, jobs=1, echo=quiet)
    assert tei.read_bytes() == edited
    assert result.stages["tei"].kept == 1
    assert "Dear Comrades and friends," in (out / "web" / f"{tei.stem}.html").read_text("utf-8")
    # the seed changes too: still the editor's file wins
    seed = next((project / "seeds").glob("letter-*.txt"))
    seed.write_text(seed.read_text("utf-8").replace("Dear Comrades,", "Dear comrades,"), "utf-8")
    build(project, jobs=1, echo=quiet)
    assert tei.read_bytes() == edited


def test_an_invalid_tei_gets_no_editions_and_the_build_says_so(tmp_path):
    project = make_project(tmp_path / "p")
    build(project, jobs=1, echo=quiet)
    out = project / "editions"
    tei = next((out / "tei").glob("letter-*.xml"))
    pdf = out / "print" / f"{tei.stem}.pdf"
    old_pdf = pdf.read_bytes()
    tei.write_bytes(tei.read_bytes().replace(b'when="1958-09-09"', b'when="1958-02-30"', 1))
    messages = []
    result = build(project, jobs=1, echo=lambda text, err=False: messages.append(text))
    assert result.failed and any(tei.stem in name for name, _ in result.failures)
    assert pdf.read_bytes() == old_pdf  # not re-rendered from the invalid file
    assert any("1958-02-30" in m or "calendar" in m for m in messages)


def test_builds_are_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = make_project(tmp_path / "a")
    second = make_project(tmp_path / "b")
    build(first, jobs=1, echo=quiet)
    build(second, jobs=2, echo=quiet)
    assert snapshot(first / "editions") == snapshot(second / "editions")


def test_a_pool_build_and_a_one_process_build_give_the_same_edition(tmp_path, monkeypatch):
    # enough documents for the pool: started before the plan (a first build), both passes
    # on it, the collection pages written by one of its processes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    letters = LOCAL_BELOW + 6
    for name in ("one", "pool"):
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_collection.py"), str(letters), str(tmp_path / name)],
                       check=True)
    one = build(tmp_path / "one", jobs=1, only="tei,web,harvest", echo=quiet)
    pool = build(tmp_path / "pool", jobs=2, only="tei,web,harvest", echo=quiet)
    assert not one.failed and not pool.failed and one.documents == pool.documents == letters
    assert snapshot(tmp_path / "one" / "editions") == snapshot(tmp_path / "pool" / "editions")


def test_only_some_stages(tmp_path):
    project = make_project(tmp_path / "p")
    result = CliRunner().invoke(main, ["build", str(project), "--only", "tei,web", "-j", "1"])
    assert result.exit_code == 0, result.output
    out = project / "editions"
    assert list((out / "web").glob("*.html")) and not (out / "print").exists() and not (out / "cmif.xml").exists()
    bad = CliRunner().invoke(main, ["build", str(project), "--only", "tei,pdf"])
    assert bad.exit_code == 1 and "unknown stage 'pdf'" in bad.output


def test_init_then_build(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ed")]).exit_code == 0
    shutil.copy(next(SEEDS.glob("*.txt")), tmp_path / "ed" / "seeds")
    result = runner.invoke(main, ["build", str(tmp_path / "ed"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "ed" / "editions" / "web").glob("letter-*.html"))
    assert runner.invoke(main, ["init", str(tmp_path / "ed")]).exit_code == 1  # not empty


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    if path.suffix == ".xml":
        etree.fromstring(data)
        return True
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    if path.suffix == ".json":
        import json

        json.loads(data)
        return True
    return True


def test_a_killed_build_leaves_old_or_new_files_and_the_next_build_completes(tmp_path):
    project = tmp_path / "big"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_collection.py"), "60", str(project)], check=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    cmd = [sys.executable, "-m", "teipress", "build", str(project), "-j", "2"]
    semaphores = set(Path("/dev/shm").glob("sem.mp-*"))
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    out = project / "editions"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "print").glob("*.pdf"))) < 10:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # (the pool's named semaphores outlive a SIGKILL of the whole group, resource tracker
    # included; on a machine that runs this test often they would pile up in /dev/shm)
    for leftover in set(Path("/dev/shm").glob("sem.mp-*")) - semaphores:
        leftover.unlink(missing_ok=True)
    assert len(list((out / "print").glob("*.pdf"))) >= 10, "the build did not get far enough to interrupt"
    for path in out.rglob("*"):
        # (.teipress/pages holds the build's own page starts, never published; the next build sweeps them)
        if path.is_file() and not path.name.endswith(".tmp") and "pagefind" not in path.parts \
                and "pages" not in path.relative_to(out).parts[:2]:
            assert _complete(path), f"{path} is half-written"
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert not list(out.rglob(".*.tmp"))
    assert not list((out / ".teipress" / "pages").glob("*")), "staged pages left behind"
    assert len(list((out / "web").glob("letter-*.html"))) == 60
    # the interrupted-then-finished edition is the edition a clean build makes
    clean = tmp_path / "clean"
    shutil.copytree(project / "seeds", clean / "seeds")
    subprocess.run([sys.executable, "-m", "teipress", "build", str(clean), "-j", "2"], env=env, check=True,
                   capture_output=True)
    assert snapshot(out) == snapshot(clean / "editions")


def test_dask_local_cluster_gives_the_same_edition(tmp_path, monkeypatch):
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        require(False, "dask[distributed] is not installed (pip install -e '.[dask]')")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    local = make_project(tmp_path / "local")
    remote = make_project(tmp_path / "dask")
    build(local, jobs=1, echo=quiet)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = build(remote, executor="dask", scheduler=cluster.scheduler_address, echo=quiet)
    assert not result.failed, result.failures
    assert snapshot(local / "editions") == snapshot(remote / "editions")


def test_config_template_and_register_changes_rebuild_what_they_affect(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    project = make_project(tmp_path / "p")
    build(project, jobs=1, echo=quiet)
    out = project / "editions"
    config = project / "teipress.toml"

    def changed_files(before):
        after = mtimes(out)
        return {name for name in after if after[name] != before.get(name)}

    def changed_since(before):
        return {name.split("/")[0] for name in changed_files(before)}

    # the paper size: only the PDFs (and the web edition's copies of them)
    before = mtimes(out)
    config.write_text(config.read_text() + '\n[print]\npaper = "us-letter"\n')
    build(project, jobs=1, echo=quiet)
    changed = changed_files(before)
    assert changed and all(name.startswith(("print/", "web/pdf/")) or name == "manifest.json" for name in changed)
    pdf = next((out / "print").glob("*.pdf"))
    assert (out / "web" / "pdf" / pdf.name).read_bytes() == pdf.read_bytes()
    # the edition's title: the web pages, not the TEI
    before = mtimes(out)
    config.write_text(config.read_text().replace('title = "Test edition"', 'title = "Renamed edition"'))
    build(project, jobs=1, echo=quiet)
    assert "web" in changed_since(before) and "tei" not in changed_since(before)
    # the register: every document's markup
    before = mtimes(out)
    register = project / "register.xml"
    register.write_text(register.read_text("utf-8").replace(
        '<placeName type="preferred">Romania</placeName>', '<placeName type="preferred">Romania</placeName>'
        '<placeName type="variant">Romanian</placeName>'), "utf-8")
    result = build(project, jobs=1, echo=quiet)
    assert {"tei", "print", "web"} <= changed_since(before)
    assert result.stages["tei"].written >= 1


def test_a_broken_build_state_is_started_again_and_a_locked_one_named(tmp_path, monkeypatch):
    import sqlite3

    from teipress.errors import TeipressError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    project = make_project(tmp_path / "p")
    build(project, jobs=1, echo=quiet)
    out = project / "editions"
    before = snapshot(out)
    state = out / ".teipress" / "state.sqlite"
    state.write_bytes(b"not a database, a torn copy" * 100)
    result = build(project, jobs=1, echo=quiet)
    assert not result.failed
    assert snapshot(out) == before
    assert result.stage("tei").written == 0  # every TEI found up to date, none written again
    holder = sqlite3.connect(state)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(TeipressError, match="another teipress build"):
            build(project, jobs=1, echo=quiet)
    finally:
        holder.close()


def test_the_build_and_render_web_make_the_same_site(tmp_path, monkeypatch):
    """The build reads the collection from its state database, `render web` from the TEI
    files: the same pages either way (several index pages, name pages, catalogue, sitemap)."""
    from teipress.config import load_config
    from teipress.writers import web, web_pages

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setattr(web_pages, "PAGE_SIZE", 2)
    project = make_project(tmp_path / "p")
    assert not build(project, only="tei,web", jobs=1, echo=quiet).failed
    other = tmp_path / "other"
    shutil.copytree(project / "editions" / "tei", other / "tei")
    web.write_site(other, load_config(project), echo=quiet, search=False)
    built_site, rendered = snapshot(project / "editions" / "web"), snapshot(other / "web")
    assert {"index.html", "index-2.html", "assets/catalogue.js", "people.html", "sitemap.xml"} <= set(built_site)
    assert sorted(built_site) == sorted(rendered)
    assert [name for name in built_site if built_site[name] != rendered[name]] == []


def test_a_first_build_fills_the_oai_index_as_it_goes(tmp_path, monkeypatch):
    """A first build (no state, no index) makes the OAI index from its documents' records as
    they are done, not from the TEI files at the end; the records, sets, CMIF and manifest
    are those `render harvest` makes from the TEI files."""
    import sqlite3

    from teipress.config import load_config
    from teipress.writers import harvest

    def index(path: Path) -> dict[str, list]:
        with sqlite3.connect(path) as conn:
            return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                    for table in ("records", "sets", "set_members")}

    def not_at_the_end(*args, **kwargs):
        raise AssertionError("a first build read the TEI files back for the OAI index")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    project = make_project(tmp_path / "p")
    write_harvest = harvest.write_harvest
    monkeypatch.setattr(harvest, "write_harvest", not_at_the_end)
    assert not build(project, only="tei,harvest", jobs=1, echo=quiet).failed
    other = tmp_path / "other"
    shutil.copytree(project / "editions" / "tei", other / "tei")
    write_harvest(other, load_config(project), echo=quiet)
    built_index, rendered = index(project / "editions" / "oai.sqlite"), index(other / "oai.sqlite")
    assert len(built_index["records"]) == len(list(SEEDS.glob("*.txt"))) + len(CASES)
    assert built_index == rendered
    for name in ("cmif.xml", "manifest.json"):
        assert (project / "editions" / name).read_bytes() == (other / name).read_bytes()


def test_a_deleted_oai_index_is_made_again(tmp_path):
    import sqlite3

    project = make_project(tmp_path / "p")
    assert not build(project, only="tei,harvest", jobs=1, echo=quiet).failed
    (project / "editions" / "oai.sqlite").unlink()
    result = build(project, only="tei,harvest", jobs=1, echo=quiet)
    assert result.collection["harvest"] == "updated"
    with sqlite3.connect(project / "editions" / "oai.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == len(list(SEEDS.glob("*.txt"))) + len(CASES)
