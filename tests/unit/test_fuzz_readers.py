"""Property-based: random and mutated pages never crash the readers or the encoder, and
whatever is produced is valid TEI (tei_all)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, SEEDS
from teipress.config import Config
from teipress.convert import convert_source
from teipress.errors import InputError
from teipress.sources import decode_source

PAGES = [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]
if CORPUS.is_dir():
    PAGES += [p.read_bytes() for p in sorted(CORPUS.glob("*.txt"))]

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes, tei_all, reader: str | None = None) -> None:
    try:
        source = decode_source(data, Path("fuzz.txt"))
        conversion = convert_source(source, Config(), when="2026-01-01", schema_href="teipress.xsd", reader=reader)
    except InputError:
        return  # a clear, categorised error is an allowed outcome
    assert tei_all.validate(conversion.tree), str(tei_all.error_log)


@st.composite
def mutated_pages(draw):
    lines = draw(st.sampled_from(PAGES)).decode("utf-8", errors="ignore").split("\n")
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["delete", "delete", "duplicate", "insert", "graft", "swap", "truncate"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(st.text(min_size=0, max_size=60)))
        elif op == "graft":  # a line of another page: headings, dates, salutes in odd places
            other = draw(st.sampled_from(PAGES)).decode("utf-8", errors="ignore").split("\n")
            lines.insert(i, other[draw(st.integers(0, len(other) - 1))])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines = lines[: i + 1]
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # a cut anywhere, even inside a character
    return data


@SETTINGS
@given(data=mutated_pages())
def test_mutated_pages(tei_all, data):
    _check(data, tei_all)


@SETTINGS
@given(text=st.text(max_size=400))
def test_random_text(tei_all, text):
    _check(text.encode("utf-8", errors="surrogatepass"), tei_all)


@SETTINGS
@given(text=st.text(max_size=300), reader=st.sampled_from(["wilson", "seedtext"]))
def test_random_text_with_either_reader(tei_all, text, reader):
    _check(("Title: " + text).encode("utf-8", errors="surrogatepass"), tei_all, reader)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(tei_all, data):
    _check(data, tei_all)
