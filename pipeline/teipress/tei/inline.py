"""Running text -> TEI inline markup: editorial brackets, note anchors.

The archive's editors mark omissions as "[...]" and insertions as "[Stalin]"; the
TEI says which is which (gap, supplied) and the renderers put the brackets back.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from teipress.tei import sub

BRACKET = re.compile(r"\[([^\[\]]*)\]")
ELLIPSIS = re.compile(r"^\s*(?:(?:\.\s*){2,}|…)\s*$")
ILLEGIBLE = re.compile(r"^\s*(?:illegible|unreadable|indecipherable)\s*$", re.I)
OBFUSCATED_EMAIL = re.compile(r"^\s*email\s+protected\s*$", re.I)


def append_text(parent: etree._Element, text: str) -> None:
    """Append text after the last child of parent (or as its text)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def append_inline(parent: etree._Element, text: str,
                  note: Callable[[etree._Element, str], bool] | None = None) -> None:
    """Append text to parent, turning editorial brackets into TEI.

    note(parent, number) places a note for an anchor "[n]" and says whether it did.
    """
    pos = 0
    for m in BRACKET.finditer(text):
        append_text(parent, text[pos: m.start()])
        inner = m.group(1)
        if ELLIPSIS.match(inner):
            sub(parent, "gap", reason="omitted")
        elif ILLEGIBLE.match(inner):
            sub(parent, "gap", reason="illegible")
        elif OBFUSCATED_EMAIL.match(inner):
            gap = sub(parent, "gap", reason="obfuscated-email")
            sub(gap, "desc", inner.strip())
        elif note is not None and inner.isdigit() and note(parent, inner):
            pass
        elif inner.strip():
            sub(parent, "supplied", inner)
        else:
            append_text(parent, m.group(0))
        pos = m.end()
    append_text(parent, text[pos:])
