"""A/B of two versions of teipress on the same build, run alternately in the same minutes.

The machines are noisy (the same build can take half as long again a few minutes later),
so two versions are compared run for run: each pair builds the same collection from
scratch with the code before, then with the code after. Prints each run's wall time and
CPU (the build process with its workers), the medians, and the median ratio of the pairs.

    git worktree add --detach /tmp/before <commit>
    python bench/ab_build.py --before /tmp/before/pipeline --letters 10000 --pairs 6 --work /dev/shm
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_collection import make  # noqa: E402


def run_build(project: Path, code: Path, stages: str) -> tuple[float, float]:
    """Build project from scratch with the teipress in code: (wall seconds, CPU seconds of
    the build process and all its descendants)."""
    shutil.rmtree(project / "editions", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "teipress", "build", str(project), "--only", stages],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # (1: some documents failed, which the bench's pages never do)
        raise SystemExit(f"the build with {code} exited with {process.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    while True:  # the orphans this process adopted: a fork server, with the workers it waited for
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return wall, cpu
        cpu += usage.ru_utime + usage.ru_stime


def adopt_orphans() -> None:
    """Become the reaper of this process's orphaned descendants (Linux): a build's workers are
    children of its fork server, which outlives the build by a moment and is not waited for,
    so their CPU is counted only when this process waits for the server."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot count the workers' CPU: prctl(PR_SET_CHILD_SUBREAPER) failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the pipeline folder of the code before")
    parser.add_argument("--after", type=Path, default=HERE.parent / "pipeline", help="the code after (this tree's)")
    parser.add_argument("--letters", type=int, default=10000)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--stages", default="tei,web")
    parser.add_argument("--work", type=Path, default=None,
                        help="where to make the collection (default: a temporary folder)")
    args = parser.parse_args()
    adopt_orphans()
    with tempfile.TemporaryDirectory(dir=args.work, prefix="teipress-ab-") as folder:
        project = Path(folder)
        make(args.letters, project)
        runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(args.pairs):
            for name, code in (("before", args.before), ("after", args.after)):
                runs[name].append(run_build(project, code.resolve(), args.stages))
                print(f"{name:6} {runs[name][-1][0]:6.2f} s wall, {runs[name][-1][1]:6.2f} s CPU", flush=True)
    for name, values in runs.items():
        print(f"{name}: median {statistics.median(v[0] for v in values):.2f} s wall, "
              f"{statistics.median(v[1] for v in values):.2f} s CPU")
    ratios = [after[0] / before[0] for before, after in zip(runs["before"], runs["after"])]
    print(f"median ratio after / before, pair by pair: {statistics.median(ratios):.2f} "
          f"(from {min(ratios):.2f} to {max(ratios):.2f})")


if __name__ == "__main__":
    main()
