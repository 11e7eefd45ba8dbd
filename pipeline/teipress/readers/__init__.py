"""Readers turn one source text into a Document. One module per input format.

Each reader module has NAME, detect(text) -> bool and read(text, doc) -> Document.
The seed-text format is recognised by its first line ("Title:" or "Date:"); anything
else is read as an archive page.
"""

from __future__ import annotations

from types import ModuleType

from teipress.errors import InputError
from teipress.readers import seedtext, wilson

READERS: dict[str, ModuleType] = {seedtext.NAME: seedtext, wilson.NAME: wilson}


def choose_reader(text: str, forced: str | None = None) -> ModuleType:
    if forced:
        if forced not in READERS:
            raise InputError(f"unknown reader {forced!r}", hint=f"choose one of: {', '.join(READERS)}")
        return READERS[forced]
    return seedtext if seedtext.detect(text) else wilson
