"""Running text -> TEI inline markup: editorial brackets, note anchors.

The archive's editors mark omissions as "[...]" and insertions as "[Stalin]"; the
TEI says which is which (gap, supplied) and the renderers put the brackets back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from teipress.tei import sub
from teipress.tei.markup import Element

if TYPE_CHECKING:
    from teipress.tei.entities import Mentions

BRACKET = re.compile(r"\[([^\[\]]*)\]")
ELLIPSIS = re.compile(r"^\s*(?:(?:\.\s*){2,}|…)\s*$")
ILLEGIBLE = re.compile(r"^\s*(?:illegible|unreadable|indecipherable)\s*$", re.I)
OBFUSCATED_EMAIL = re.compile(r"^\s*email\s+protected\s*$", re.I)


def append_text(parent: Element, text: str) -> None:
    """Append text after the last child of parent (or as its text)."""
    if not text:
        return
    children = parent.children
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def append_inline(parent: Element, text: str,
                  note: Callable[[Element, str], bool] | None = None,
                  mentions: Mentions | None = None) -> None:
    """Append text to parent: register names as persName/orgName/placeName with @ref,
    editorial brackets as gap/supplied, note anchors as notes.

    note(parent, number) places a note for an anchor "[n]" and says whether it did.
    A name may hold brackets ("Filippov [Stalin]"); names inside brackets ("[Stalin]")
    are tagged inside the supplied.
    """
    pos = 0
    for start, end, tag, ref in (mentions.spans(text) if mentions else ()):
        _append_brackets(parent, text[pos:start], note, mentions)
        _append_brackets(sub(parent, tag, ref=ref), text[start:end], note, None)
        pos = end
    _append_brackets(parent, text[pos:], note, mentions)


def append_names(parent: Element, text: str, mentions: Mentions | None) -> None:
    """Append text with register names tagged but brackets kept as written (titles)."""
    pos = 0
    for start, end, tag, ref in (mentions.spans(text) if mentions else ()):
        append_text(parent, text[pos:start])
        sub(parent, tag, text[start:end], ref=ref)
        pos = end
    append_text(parent, text[pos:])


def _append_brackets(parent: Element, text: str, note, mentions: Mentions | None) -> None:
    if "[" not in text:  # (most text: no bracket to read)
        append_text(parent, text)
        return
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
            append_inline(sub(parent, "supplied"), inner, None, mentions)
        else:
            append_text(parent, m.group(0))
        pos = m.end()
    append_text(parent, text[pos:])
