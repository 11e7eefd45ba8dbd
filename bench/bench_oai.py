"""Benchmark: the OAI-PMH repository of a 10,000-letter edition under a bounded load.

    .venv/bin/python bench/bench_oai.py [--documents 10000] [--requests 5000] [--clients 8]
                                        [--threads 4] [--page-size 100] [--dir DIR]

1. Makes an edition of N letters: variants of the TEI the converter writes for the seed letter
   and the golden cases (new ids, titles and conversion dates spread over a year, so selective
   harvesting has something to select), then times the harvest stage (cmif.xml, manifest.json,
   oai.sqlite) on it.
2. Serves the repository with waitress in a separate process on 127.0.0.1.
3. Sends the requests from C concurrent clients (threads, one keep-alive connection each), in
   equal parts GetRecord (a random document, oai_dc), ListIdentifiers and ListRecords (oai_dc
   pages; each client walks through the list with its resumption tokens, from the first page of
   the whole edition or of a random set), and reports errors, throughput and latency percentiles
   as Markdown. A sample response of each verb is validated against the OAI-PMH schemas
   afterwards (outside the timing) when ../shared/reference is there.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
TOKEN_RE = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


def templates(work: Path) -> list[tuple[str, bytes]]:
    """(id, TEI bytes) of the seed letter and the golden cases, converted as of 2026-01-01."""
    from teipress.convert import convert_files
    from teipress.config import Config

    seeds = work / "seeds"
    seeds.mkdir(parents=True)
    for source in sorted((ROOT / "tests" / "golden").glob("*/source.txt")):
        shutil.copy(source, seeds / f"{source.parent.name}.txt")
    for source in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(source, seeds / source.name)
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
    out = work / "templates"
    convert_files([seeds], out, Config(), echo=lambda *a, **k: None)
    return [(p.stem, p.read_bytes()) for p in sorted(out.glob("*.xml"))]


def make_edition(editions: Path, count: int) -> None:
    """count TEI files, each a variant of a template: its id (everywhere it occurs, so internal
    xml:ids stay prefixed and unique), its title and its conversion date."""
    tei_dir = editions / "tei"
    tei_dir.mkdir(parents=True)
    found = templates(editions.parent / "work")
    for n in range(count):
        template_id, data = found[n % len(found)]
        new_id = f"{template_id}-v{n:05d}"
        day = f"2025-{1 + (n % 12):02d}-{1 + (n % 28):02d}"
        variant = data.replace(template_id.encode(), new_id.encode())
        variant = variant.replace(b'<change when="2026-01-01"', f'<change when="{day}"'.encode(), 1)
        variant = re.sub(rb"(<titleStmt>\s*<title>)([^<]*)", lambda m: m.group(1) + m.group(2) +
                         f" (variant {n})".encode(), variant, count=1)
        (tei_dir / f"{new_id}.xml").write_bytes(variant)


def serve(editions: str, port: int, threads: int, page_size: int) -> None:
    """Child process: the repository under waitress."""
    import logging

    from waitress import serve as waitress_serve

    from teipress.config import Config
    from teipress.oai import make_app

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is what we measure
    waitress_serve(make_app(Path(editions), Config(oai_page_size=page_size)), host="127.0.0.1", port=port,
                   threads=threads, _quiet=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


class Client(threading.Thread):
    def __init__(self, port: int, plan: list[str], ids: list[str], sets: list[str], seed: int, samples: dict):
        super().__init__()
        self.port, self.plan, self.ids, self.sets = port, plan, ids, sets
        self.random = random.Random(seed)
        self.tokens: dict[str, bytes | None] = {"ListIdentifiers": None, "ListRecords": None}
        self.timings: list[tuple[str, float]] = []
        self.errors: list[str] = []
        self.samples = samples

    def query(self, verb: str) -> str:
        if verb == "GetRecord":
            return urlencode({"verb": verb, "metadataPrefix": "oai_dc",
                              "identifier": f"oai:example.org:{self.random.choice(self.ids)}"})
        token = self.tokens[verb]
        if token:
            return urlencode({"verb": verb, "resumptionToken": token.decode()})
        args = {"verb": verb, "metadataPrefix": "oai_dc"}
        if self.random.random() < 0.5:
            args["set"] = self.random.choice(self.sets)
        return urlencode(args)

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for verb in self.plan:
            target = f"/oai?{self.query(verb)}"
            start = time.perf_counter()
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{verb}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.timings.append((verb, time.perf_counter() - start))
            if response.status != 200 or b"<error " in body:
                self.errors.append(f"{verb}: HTTP {response.status} {body[:300]!r}")
                continue
            self.samples.setdefault(verb, body)
            if verb != "GetRecord":
                found = TOKEN_RE.search(body)
                self.tokens[verb] = found.group(1) if found else None
        conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical cores (shared), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--serve", nargs=2, metavar=("EDITIONS", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.threads, args.page_size)
        return

    from teipress.config import Config
    from teipress.writers.harvest import write_harvest

    work = args.dir or Path(tempfile.mkdtemp(prefix="teipress-bench-oai-"))
    editions = work / "editions"
    if editions.exists():
        shutil.rmtree(editions)
    shutil.rmtree(work / "work", ignore_errors=True)
    started = time.perf_counter()
    make_edition(editions, args.documents)
    made = time.perf_counter() - started
    started = time.perf_counter()
    outcome = write_harvest(editions, Config(oai_page_size=args.page_size), echo=lambda *a, **k: None)
    harvest_seconds = time.perf_counter() - started
    assert not outcome.failed, outcome.failed
    with sqlite3.connect(editions / "oai.sqlite") as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM records")]
        sets = [row[0] for row in conn.execute("SELECT spec FROM sets")]

    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(editions), str(port),
                               "--threads", str(args.threads), "--page-size", str(args.page_size)])
    try:
        wait_for(port)
        verbs = ["GetRecord", "ListIdentifiers", "ListRecords"]
        plan = [verbs[n % 3] for n in range(args.requests)]
        samples: dict[str, bytes] = {}
        clients = [Client(port, plan[n::args.clients], ids, sets, n, samples) for n in range(args.clients)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    timings = [t for c in clients for t in c.timings]
    errors = [e for c in clients for e in c.errors]
    print(f"## OAI-PMH under load ({args.documents:,} documents)\n")
    print(f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`")
    print(f"- machine: {machine()}")
    print(f"- edition made in {made:.1f} s; harvest stage (cmif.xml, manifest.json, oai.sqlite) "
          f"{harvest_seconds:.1f} s; oai.sqlite {os.path.getsize(editions / 'oai.sqlite') / 1e6:.1f} MB")
    print(f"- server: waitress, {args.threads} threads, separate process; {args.clients} client threads "
          f"with keep-alive connections; page size {args.page_size}")
    print(f"- {len(timings)} requests in {elapsed:.2f} s: **{len(timings) / elapsed:.0f} requests/s**, "
          f"**{len(errors)} errors**\n")
    print("| requests | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for verb in [*verbs, "all"]:
        values = [s * 1000 for v, s in timings if verb in (v, "all")]
        if values:
            print(f"| {verb} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} | "
                  f"{percentile(values, 99):.1f} | {max(values):.1f} |")
    for error in errors[:10]:
        print(f"error: {error}", file=sys.stderr)
    schema_path = REFERENCE / "oai" / "oai-pmh-bundle.xsd"
    if schema_path.exists():
        from lxml import etree

        schema = etree.XMLSchema(file=str(schema_path))
        valid = {verb: schema.validate(etree.fromstring(body)) for verb, body in sorted(samples.items())}
        print(f"\nsample responses valid against oai-pmh-bundle.xsd: {valid}")
    if not args.dir:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
