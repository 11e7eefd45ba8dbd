"""A source text as numbered lines, and the record of where each line went."""

from __future__ import annotations

from teipress.model import LineRecord
from teipress.readers.structure import OTHER_WHITESPACE, SourceLine, normalise


class Page:
    """The lines of one source and the destination the reader gave each of them."""

    def __init__(self, text: str):
        self.raw = text.split("\n")
        if any(c in text for c in OTHER_WHITESPACE):
            self.text = [normalise(line) for line in self.raw]
        else:
            # normalise() of each line, the quicker way. A line whose only space is " " (ASCII
            # without a tab, or printable: isprintable() is false for every other space) and
            # where no two spaces meet needs only strip(); in any other, str.split() splits at
            # exactly the characters normalise() replaces then, and several times faster
            self.text = [line.strip() if (line.isascii() and "\t" not in line or line.isprintable()) and "  " not in line
                         else " ".join(line.split()) for line in self.raw]
        # each line's record once the reader has given it a destination (the record is made
        # there and then, not rebuilt from a table of destinations at the end)
        self._records: list[LineRecord | None] = [None] * len(self.raw)

    def units(self, start: int = 0, end: int | None = None) -> list[SourceLine]:
        """Non-blank lines of [start, end) (0-based indexes) with the blank gap before each."""
        out, gap, nbsp = [], 0, False
        raw, text = self.raw, self.text
        for i in range(start, len(raw) if end is None else end):
            if not text[i]:
                gap += 1
                nbsp = nbsp or "\u00a0" in raw[i]
                continue
            out.append(SourceLine(i + 1, text[i], gap, nbsp))
            gap, nbsp = 0, False
        return out

    def last_line(self) -> tuple[int, str] | None:
        """(1-based number, text) of the last non-blank line, if any."""
        for i in range(len(self.text) - 1, -1, -1):
            if self.text[i]:
                return i + 1, self.text[i]
        return None

    def assign(self, line: SourceLine | int, to: str, rule: str | None = None, dropped: str | None = None) -> None:
        """Record where a line went (line: a SourceLine or a 1-based line number); dropped
        is the part of the line the TEI does not carry, set aside by rule."""
        no = line.no if isinstance(line, SourceLine) else line
        before = self._records[no - 1]
        if dropped is None and before is not None and before.dropped:
            # a line read in two steps ("Record ID 113636"): keep what the first step dropped, and why
            rule, dropped = rule or before.rule, before.dropped
        self._records[no - 1] = LineRecord(no, self.raw[no - 1], to, rule, dropped)

    def destination(self, no: int) -> str:
        record = self._records[no - 1]
        return record.to if record is not None else ""

    def assigned(self, no: int) -> bool:
        return self._records[no - 1] is not None

    def records(self) -> list[LineRecord]:
        """Every source line with its destination; blank lines are whitespace."""
        return [record or LineRecord(no, raw, "set-aside", "unclassified" if text else "blank-line")
                for no, (record, raw, text) in enumerate(zip(self._records, self.raw, self.text), 1)]
