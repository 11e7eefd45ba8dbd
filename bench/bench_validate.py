"""How fast `teipress validate` checks a whole collection: letters per second.

Makes a collection of N letters (default 10,000) from the converter's outputs of the
project's seeds, golden cases and the shared Wilson corpus (with and without the register's
names and standOff), varied so that no two are alike (ids, correspondents, dates, number of
paragraphs), or takes a folder of TEI files (e.g. editions/tei of a build of
bench/make_collection.py's pages); then times, median of several runs:

  * the whole command's work, validate_paths(): read + parse + grammar (lxml) + rules;
  * the same from bytes already in memory (no file system);
  * the grammar alone, lxml and xmlschema (on a sample: xmlschema is slow), for the ratio.

    .venv/bin/python bench/bench_validate.py                 # 10,000 generated letters
    .venv/bin/python bench/bench_validate.py --letters 2000 --runs 3
    .venv/bin/python bench/bench_validate.py --collection editions/tei

Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pipeline"))

from teipress import __version__  # noqa: E402
from teipress.config import Config  # noqa: E402
from teipress.convert import convert_source  # noqa: E402
from teipress.register import load_register  # noqa: E402
from teipress.rules import check_rules  # noqa: E402
from teipress.sources import read_source  # noqa: E402
from teipress.tei import NS, XML_NS  # noqa: E402
from teipress.validate import Validator, validate_paths  # noqa: E402
from teipress.xmlio import safe_parser, serialise  # noqa: E402

SHARED = Path(os.environ.get("TEIPRESS_SHARED", ROOT.parent / "shared"))
NAMES = ["Anna Petrova", "Ivan Sokolov", "Zhou Enlai", "Ni Zhiliang", "Andrei Gromyko", "Kim Il Sung",
         "Gheorghe Gheorghiu-Dej", "Walter Ulbricht", "Josip Broz Tito", "Jawaharlal Nehru"]
POINTERS = ("ref", "target", "corresp", "resp", "source", "who")


def templates() -> list[etree._Element]:
    """The converter's TEI for every seed, golden case and corpus page, without and with the
    edition's register (names with @ref and a standOff)."""
    sources = (sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "golden").glob("*/source.txt"))
               + sorted((SHARED / "corpus" / "wilson").glob("*.txt")))
    register = load_register(ROOT / "register.xml") if (ROOT / "register.xml").is_file() else None
    out = []
    for path in sources:
        for names in [None] + ([register] if register else []):
            conversion = convert_source(read_source(path), Config(), when="2026-01-01",
                                        schema_href="../../schema/teipress.xsd", register=names)
            out.append(etree.fromstring(conversion.data, safe_parser()))
    return out


def variant(template: etree._Element, number: int, rnd: random.Random) -> bytes:
    """A letter like template with its own id, correspondents, dates and length."""
    root = copy.deepcopy(template)
    old, new = root.get(f"{{{XML_NS}}}id"), f"b{number:05d}"
    for element in root.iter(etree.Element):
        xml_id = element.get(f"{{{XML_NS}}}id")
        if xml_id:
            element.set(f"{{{XML_NS}}}id", xml_id.replace(old, new, 1))
        for name in POINTERS:
            if element.get(name):
                element.set(name, element.get(name).replace(f"#{old}", f"#{new}"))
    for name in root.iterfind(".//tei:correspAction/tei:persName", NS):
        name.text = rnd.choice(NAMES)
    day = f"{rnd.randint(1945, 1991)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    for date in root.iter(f"{{{NS['tei']}}}date"):  # the letter's dates, not the archive's upload date
        if date.get("when") and date.get("type") != "uploaded":
            date.set("when", rnd.choice([day, day[:7], day[:4]]))
    paragraphs = root.findall(".//tei:body/tei:div/tei:p", NS)
    if paragraphs:
        if rnd.random() < 0.5:  # longer: repeat paragraphs
            last = paragraphs[-1]
            for k in range(rnd.randint(1, 12)):
                extra = copy.deepcopy(rnd.choice(paragraphs))
                extra.set(f"{{{XML_NS}}}id", f"{new}-x{k}")
                for note in extra.iter(f"{{{NS['tei']}}}note"):
                    note.attrib.pop(f"{{{XML_NS}}}id", None)
                last.addnext(extra)
                last = extra
        elif len(paragraphs) > 1:  # shorter: drop some
            for p in rnd.sample(paragraphs[1:], rnd.randint(0, len(paragraphs) - 1)):
                if not p.findall(".//tei:note", NS):
                    p.getparent().remove(p)
    return serialise(etree.ElementTree(root))


def make_collection(folder: Path, letters: int) -> list[Path]:
    rnd = random.Random(1958)
    bases = templates()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(letters):
        path = folder / f"b{number:05d}.xml"
        path.write_bytes(variant(bases[number % len(bases)], number, rnd))
        paths.append(path)
    return paths


def timed(runs: int, work) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=200, help="letters for the slow xmlschema-only timing")
    parser.add_argument("--collection", type=Path, help="validate this folder instead of generating one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="teipress-bench-") as tmp:
        if args.collection:
            paths = sorted(args.collection.rglob("*.xml"))
        else:
            paths = make_collection(Path(tmp) / "collection", args.letters)
        folder = args.collection or Path(tmp) / "collection"
        n = len(paths)
        data = [p.read_bytes() for p in paths]
        size = sum(map(len, data))
        validator = Validator()

        check = validate_paths([folder], validator)
        invalid = [f.path.name for f in check.files if f.status != "valid"]
        if invalid:
            sys.exit(f"the collection is not valid ({len(invalid)} files, e.g. {invalid[:3]}): fix the generator")

        whole = timed(args.runs, lambda: validate_paths([folder], validator))

        def from_memory():
            for blob in data:
                root = etree.fromstring(blob, validator.parser)
                validator.is_valid(root)
                check_rules(root)

        memory = timed(args.runs, from_memory)
        roots = [etree.fromstring(blob, validator.parser) for blob in data]
        grammar = timed(args.runs, lambda: [validator.is_valid(r) for r in roots])
        rules = timed(args.runs, lambda: [check_rules(r) for r in roots])
        sample = roots[: args.sample]
        rich = validator.rich
        slow = timed(max(1, args.runs // 2), lambda: [rich.is_valid(r) for r in sample])

    def rate(times, count=n):
        return count / statistics.median(times)

    rows = [
        ("validate_paths: read + parse + grammar (lxml) + rules", rate(whole)),
        ("from memory: parse + grammar (lxml) + rules", rate(memory)),
        ("grammar only, lxml (libxml2)", rate(grammar)),
        ("rules only", rate(rules)),
        (f"grammar only, xmlschema ({len(sample)}-letter sample)", rate(slow, len(sample))),
    ]
    print(f"\n{n:,} letters, {size / n / 1024:.1f} KiB each on average; median of {args.runs} runs")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"lxml {etree.__version__} (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), teipress {__version__}\n")
    print("| what | letters/s |")
    print("|---|---:|")
    for label, value in rows:
        print(f"| {label} | {value:,.0f} |")
    print(f"\nlxml grammar vs xmlschema grammar: {rows[2][1] / rows[4][1]:.0f}x")
    print(f"target >= 2,000 letters/s for the whole check: {'met' if rows[0][1] >= 2000 else 'NOT met'}")


if __name__ == "__main__":
    main()
