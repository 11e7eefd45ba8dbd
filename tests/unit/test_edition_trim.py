"""edition._trim against the obvious way of trimming a run of inlines, on awkward runs."""

import copy
import itertools

from teipress.edition import _trim


def _obvious_trim(nodes: list[dict]) -> list[dict]:
    """Drop the text nodes of whitespace alone at either end, then strip the end texts."""
    while nodes and nodes[0]["t"] == "text" and not nodes[0]["text"].strip():
        nodes.pop(0)
    while nodes and nodes[-1]["t"] == "text" and not nodes[-1]["text"].strip():
        nodes.pop()
    if nodes and nodes[0]["t"] == "text":
        nodes[0]["text"] = nodes[0]["text"].lstrip()
    if nodes and nodes[-1]["t"] == "text":
        nodes[-1]["text"] = nodes[-1]["text"].rstrip()
    return nodes


def _runs():
    texts = ["", " ", "\u00a0", " a ", "a", " a", "a ", "\u2003b\u2003"]
    others = [{"t": "break"}, {"t": "name", "c": [{"t": "text", "text": " n "}]}]
    pieces = [{"t": "text", "text": text} for text in texts] + others
    for length in range(4):
        for run in itertools.product(pieces, repeat=length):
            yield [dict(node) for node in run]


def test_trim_matches_the_obvious_trim():
    for run in _runs():
        assert _trim(copy.deepcopy(run)) == _obvious_trim(copy.deepcopy(run)), run
