"""Make a synthetic but realistic collection of N archive pages for the benchmarks.

Every page is one of the project's real pages (the seed and the golden cases, which are
the archive's other page shapes) with its date, correspondents and length varied: the
date moves to another day between 1945 and 1991, the title's names are swapped for other
names from the pages, paragraphs are repeated or dropped. Deterministic: the same N gives
the same files.

    python bench/make_collection.py 10000 /tmp/collection      # writes /tmp/collection/seeds/*.txt
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
NAMES = ["Zhou Enlai", "Ni Zhiliang", "Shtykov", "Krasovsky", "Mao Zedong", "Kim Il Sung", "N. Firiubin",
         "V. Grigor’yan", "Pak Heon-Yeong", "Kardelj", "Imre Nagy", "Kadar", "Tito", "Khrushchev"]
DATE = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December) "
                  r"(\d{1,2}), (\d{4})")


def templates() -> list[str]:
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "golden").glob("*/source.txt"))
    return [p.read_text("utf-8") for p in paths]


def vary(text: str, rng: random.Random) -> str:
    day = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(46 * 365))
    written = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    text = DATE.sub(written, text)
    a, b = rng.sample(NAMES, 2)
    for old in NAMES:
        if old in text:
            text = text.replace(old, a if rng.random() < 0.5 else b)
    lines = text.split("\n")
    body = [i for i, line in enumerate(lines) if len(line) > 120]
    if body and rng.random() < 0.5:  # a longer letter: repeat a paragraph or two
        for i in rng.sample(body, min(len(body), rng.randint(1, 2))):
            lines[i] = lines[i] + "\n\n" + lines[i]
    elif len(body) > 2 and rng.random() < 0.3:  # a shorter one
        lines[rng.choice(body)] = ""
    return "\n".join(lines)


def make(n: int, out: Path) -> None:
    rng = random.Random(1958)
    pages = templates()
    seeds = out / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (seeds / f"letter-{i:06d}.txt").write_text(vary(pages[i % len(pages)], rng), "utf-8")


if __name__ == "__main__":
    make(int(sys.argv[1]), Path(sys.argv[2]))
