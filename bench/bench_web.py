"""Benchmark of the web edition: HTML pages per second for a large collection.

Converts the shared synthetic collection of N archive pages (bench/make_collection.py,
default 10,000) to TEI once, then times:

  * render:  render_document() alone, in this process (reading() + HTML, no files);
  * site:    write_site(search=False) from scratch: parse, render, prev/next, write pages,
             link the TEI downloads, index pages, about, sitemap, citation files;
  * rebuild: write_site(search=False) again with nothing changed (every file compared);
  * search:  index_search() (Pagefind) on the finished site, timed separately.

Usage: .venv/bin/python bench/bench_web.py [-n 10000] [--runs 3] [--jobs N] [--out bench/out/web]
Figures are medians over the runs; the machine is shared, so quote medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pipeline"))
sys.path.insert(0, str(ROOT / "bench"))

import make_collection  # noqa: E402
from teipress.convert import convert_files  # noqa: E402
from teipress.config import Config  # noqa: E402
from teipress.edition import reading  # noqa: E402
from teipress.writers.web import index_search, render_document, write_site  # noqa: E402
from teipress.xmlio import safe_parser  # noqa: E402


def make_corpus(out: Path, n: int) -> Path:
    """n TEI files in out/tei: the shared synthetic collection (bench/make_collection.py), converted.

    Kept between runs: the conversion is not what this benchmark measures.
    """
    tei_dir = out / "tei"
    if tei_dir.is_dir() and len(list(tei_dir.glob("*.xml"))) == n:
        return tei_dir
    shutil.rmtree(out, ignore_errors=True)
    make_collection.make(n, out)
    outcome = convert_files([out / "seeds"], tei_dir, Config(), echo=lambda *a, **k: None)
    if outcome.failed:
        sys.exit(f"the synthetic collection did not convert: {outcome.failed[:3]}")
    return tei_dir


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker processes)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU: dict[str, list[float]] = {}


def timed(fn, name: str = "") -> float:
    cpu, start = cpu_seconds(), time.perf_counter()
    fn()
    CPU.setdefault(name, []).append(cpu_seconds() - cpu)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "web")
    args = parser.parse_args()
    config = Config()
    quiet = lambda *a, **k: None  # noqa: E731
    tei_dir = make_corpus(args.out, args.n)
    sample = sorted(tei_dir.glob("*.xml"))[: min(args.n, 1000)]

    def render_only():
        for path in sample:
            render_document(reading(etree.parse(str(path), safe_parser()).getroot()), {"prev": None, "next": None},
                            config)

    load_before = os.getloadavg()[0]
    render = [timed(render_only, "render") for _ in range(args.runs)]
    site, rebuild = [], []
    for _ in range(args.runs):
        shutil.rmtree(args.out / "web", ignore_errors=True)
        site.append(timed(lambda: write_site(args.out, config, echo=quiet, jobs=args.jobs, search=False), "site"))
        rebuild.append(timed(lambda: write_site(args.out, config, echo=quiet, jobs=args.jobs, search=False),
                             "rebuild"))
    search = [timed(lambda: index_search(args.out / "web"), "search") for _ in range(args.runs)]
    pages = sorted((args.out / "web").glob("index*.html"))
    biggest = max(p.stat().st_size for p in (args.out / "web").glob("*.html"))

    def line(name: str, times: list[float], count: int) -> str:
        med = statistics.median(times)
        cpu = statistics.median(CPU[name]) / count * 1000
        return (f"{name:<8} median {med:7.2f} s  {count / med:7.0f} pages/s  cpu {cpu:5.2f} ms/page"
                f"   (runs: {', '.join(f'{t:.2f}' for t in times)})")

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after (other processes share the cores)")
    print(f"documents: {args.n}; jobs: {args.jobs or os.cpu_count()}; index pages: {len(pages)}; "
          f"largest HTML page: {biggest / 1024:.0f} kB")
    print(line("render", render, len(sample)) + "  [1 process, no files]")
    print(line("site", site, args.n) + "  [write_site from scratch, no search]")
    print(line("rebuild", rebuild, args.n) + "  [write_site, nothing changed]")
    print(line("search", search, args.n) + "  [Pagefind index of the whole site]")


if __name__ == "__main__":
    main()
