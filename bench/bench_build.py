"""Benchmark of `teipress build` on a synthetic collection (bench/make_collection.py).

Times each stage of a full build, a no-change rebuild, a rebuild after one changed seed,
the PDFs, and the search index separately; measures the peak memory of the build process
and of its workers; and compares the documents pass with a bare lxml parse-and-serialise
of the same TEI files (the floor of any XML pipeline). Each figure is the median of
--runs runs (the machines are noisy).

    python bench/bench_build.py --letters 10000 --runs 3
    python bench/bench_build.py --letters 1000 --runs 3 --stages tei,web
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_collection import make  # noqa: E402

PYTHON = sys.executable


class MemoryWatch:
    """Peak resident memory of a process and, separately, of its descendants (Linux /proc)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.parent_peak = 0
        self.worker_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _rss_kib(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _children(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        found, frontier = [], [self.pid]
        while frontier:
            pid = frontier.pop()
            for child, parent in parents.items():
                if parent == pid:
                    found.append(child)
                    frontier.append(child)
        return found

    def _run(self) -> None:
        while not self._stop.is_set():
            self.parent_peak = max(self.parent_peak, self._rss_kib(self.pid))
            for child in self._children():
                self.worker_peak = max(self.worker_peak, self._rss_kib(child))
            time.sleep(0.05)

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return self.parent_peak / 1024, self.worker_peak / 1024


def run_build(project: Path, *args: str) -> tuple[float, float, float, str]:
    """Wall seconds, parent and worker peak MiB, and the output of one `teipress build`."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    start = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-m", "teipress", "build", str(project), *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watch = MemoryWatch(process.pid)
    out, _ = process.communicate()
    seconds = time.perf_counter() - start
    parent, workers = watch.stop()
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}):\n{out[-3000:]}")
    return seconds, parent, workers, out


def lxml_floor(tei_dir: Path) -> float:
    """Seconds to parse and serialise every TEI file once with lxml, in this process."""
    from lxml import etree

    files = sorted(tei_dir.glob("*.xml"))
    start = time.perf_counter()
    for path in files:
        etree.tostring(etree.parse(str(path)))
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", default="tei,web", help="stages of the timed full build")
    parser.add_argument("--print-letters", type=int, default=1000, help="letters for the PDF figure (0: skip)")
    parser.add_argument("--search", action="store_true", help="also time the search index")
    parser.add_argument("--work", default=None, help="folder for the collection (e.g. /dev/shm: a RAM disk)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="teipress-bench-", dir=args.work))
    try:
        project = work / "collection"
        make(args.letters, project)
        full, rebuild, one, parents, workers, floors, ratios = [], [], [], [], [], [], []
        summary = ""
        for run in range(args.runs):
            shutil.rmtree(project / "editions", ignore_errors=True)
            seconds, parent, worker, summary = run_build(project, "--only", args.stages)
            full.append(seconds)
            parents.append(parent)
            workers.append(worker)
            floor = lxml_floor(project / "editions" / "tei")
            floors.append(floor)
            ratios.append(seconds / floor)
            rebuild.append(run_build(project, "--only", args.stages)[0])
            seed = project / "seeds" / "letter-000007.txt"
            seed.write_text(seed.read_text("utf-8") + f"\n\nEdited in run {run}.\n", "utf-8")
            one.append(run_build(project, "--only", args.stages)[0])
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{platform.platform()}")
        print(f"collection: {args.letters} letters in {work}; runs: {args.runs}; stages: {args.stages}")
        print(f"full build:            median {median(full):.2f} s ({args.letters / median(full):,.0f} letters/s); "
              f"runs {', '.join(f'{x:.2f}' for x in full)}")
        print(f"no-change rebuild:     median {median(rebuild):.2f} s; runs {', '.join(f'{x:.2f}' for x in rebuild)}")
        print(f"one changed seed:      median {median(one):.2f} s; runs {', '.join(f'{x:.2f}' for x in one)}")
        print(f"peak memory:           build process {max(parents):.0f} MiB, largest worker {max(workers):.0f} MiB")
        print(f"lxml parse+serialise:  median {median(floors):.2f} s; build / floor = {median(ratios):.1f}x")
        print("last full build's summary:\n" + summary)
        if args.search:
            from teipress.writers.web import index_search

            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                index_search(project / "editions" / "web")
                times.append(time.perf_counter() - start)
            print(f"search index:          median {median(times):.2f} s; runs {', '.join(f'{x:.2f}' for x in times)}")
        if args.print_letters:
            small = work / "print"
            make(args.print_letters, small)
            run_build(small, "--only", "tei")
            times, peaks = [], []
            for _ in range(args.runs):
                shutil.rmtree(small / "editions" / "print", ignore_errors=True)
                (small / "editions" / ".teipress").exists() and shutil.rmtree(small / "editions" / ".teipress")
                seconds, _, worker, _ = run_build(small, "--only", "tei,print")
                times.append(seconds)
                peaks.append(worker)
            print(f"PDFs ({args.print_letters} letters, tei+print build): median {median(times):.2f} s "
                  f"({args.print_letters / median(times):.1f} letters/s); largest print worker {max(peaks):.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
