"""Benchmark the print edition: distinct letters per second, and the seed's PDF from a cold start.

    .venv/bin/python bench/bench_print.py [--letters 1000] [--jobs N] [--runs 3]

1. Batch: the seed and the corpus samples are converted to TEI, then made into N
   distinct letters (each its own id, its paragraphs reordered and numbered, so no
   letter repeats another and Typst's caches cannot reuse a page), and
   render_print_files typesets them with a process pool (one compiler per worker).
   Reported: letters per second, median of the runs, the pool's start included.
2. Cold start: `teipress render print <seed TEI> -o DIR` as a new process, median wall
   time of the runs (Python start, imports, fonts, template, typesetting, writing).

Speed is measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "wilson"
TEI = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def sample_tei(folder: Path) -> list[Path]:
    from teipress.convert import convert_files
    from teipress.config import Config

    sources = sorted((ROOT / "seeds").glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
    convert_files(sources, folder, Config(), echo=lambda *a, **k: None)
    return sorted(folder.glob("*.xml"))


def distinct_letters(samples: list[Path], count: int, folder: Path) -> None:
    """count letters, each a sample with a new id and its paragraphs reordered and numbered."""
    rng = random.Random(1958)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        tree = etree.parse(str(samples[n % len(samples)]))
        root = tree.getroot()
        doc_id = f"bench-{n:04d}"
        old_id = root.get(XML_ID)
        root.set(XML_ID, doc_id)
        for element in root.iter():
            value = element.get(XML_ID)
            if value and value != doc_id and old_id and value.startswith(old_id):
                element.set(XML_ID, doc_id + value[len(old_id):])
        for div in root.iter(f"{{{TEI}}}div"):
            paragraphs = [p for p in div if p.tag == f"{{{TEI}}}p"]
            if len(paragraphs) > 1:
                texts = [p.text for p in paragraphs]
                rng.shuffle(texts)
                for p, text in zip(paragraphs, texts):
                    p.text = text
            for p in paragraphs:
                p.text = f"(Copy {n}.) " + (p.text or "")
        tree.write(str(folder / f"{doc_id}.xml"), encoding="UTF-8", xml_declaration=True)


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_batch(letters: Path, jobs: int, runs: int) -> tuple[list[float], list[float]]:
    """Letters per second (wall clock) and CPU seconds per letter (workers), per run."""
    from teipress.config import Config
    from teipress.writers.print import render_print_files

    count = len(list(letters.glob("*.xml")))
    rates, cpu = [], []
    for run in range(runs):
        out = letters.parent / f"pdf-{run}"
        cpu_start = children_cpu()
        start = time.perf_counter()
        outcome = render_print_files([letters], out, Config(), jobs=jobs, echo=lambda *a, **k: None)
        elapsed = time.perf_counter() - start
        assert not outcome.failed, outcome.failed[:3]
        assert len(outcome.written) == count
        rates.append(count / elapsed)
        cpu.append((children_cpu() - cpu_start) / count)
        shutil.rmtree(out)
    return rates, cpu


def bench_cold(seed_tei: Path, work: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of `teipress render print <seed>` in a new process, per run."""
    teipress = Path(sys.executable).with_name("teipress")
    times, cpu = [], []
    for run in range(runs):
        out = work / f"cold-{run}"
        cpu_start = children_cpu()
        start = time.perf_counter()
        subprocess.run([str(teipress), "render", "print", str(seed_tei), "-o", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        cpu.append(children_cpu() - cpu_start)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    with tempfile.TemporaryDirectory(prefix="bench-print-") as tmp:
        work = Path(tmp)
        samples = sample_tei(work / "tei")
        distinct_letters(samples, args.letters, work / "letters")
        seed = next(p for p in samples if p.stem.startswith("letter-"))
        cold, cold_cpu = bench_cold(seed, work, max(5, args.runs))
        rates, cpu = bench_batch(work / "letters", args.jobs, args.runs)
    import typst

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"typst (PyPI) {typst.__version__}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"batch of {args.letters} distinct letters, {args.jobs} workers: "
          f"median {statistics.median(rates):.1f} letters/s (runs: {', '.join(f'{r:.1f}' for r in rates)})")
    print(f"  CPU per letter (workers, user+system): median {statistics.median(cpu) * 1000:.1f} ms, "
          f"so {args.jobs / statistics.median(cpu):.0f} letters/s when {args.jobs} cores are free")
    print(f"seed PDF from a cold start (teipress render print, new process): "
          f"median {statistics.median(cold):.3f} s (runs: {', '.join(f'{t:.3f}' for t in cold)}); "
          f"CPU median {statistics.median(cold_cpu):.3f} s")
    print(f"load average after the runs: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(other work on the machine slows the wall-clock figures)")


if __name__ == "__main__":
    main()
