"""The worker's memo of shared parts gives what encoding them every time gives."""

import random

from teipress import worker
from teipress.state import to_json


def _variants():
    editorial = [{"part": "normalization", "paragraphs": ["a", "b"]}, {"part": "quotation", "paragraphs": ["c"]}]
    return [
        {"project": "P", "editorial": editorial, "rights": ["R"], "licence": {"text": "CC", "url": "u"}, "publisher": "X"},
        {"project": "P", "editorial": editorial, "rights": [], "licence": {"text": "CC", "url": "u"}, "publisher": "X"},
        {"project": "P", "editorial": editorial, "rights": ["R"], "licence": None, "publisher": "X"},
        {"project": "P", "editorial": editorial[:1], "rights": ["R"], "licence": {"text": "CC", "url": "u"},
         "publisher": "X"},
        {"project": "", "editorial": [], "rights": [], "licence": None, "publisher": None},
        {"project": "P\u00e9", "editorial": editorial, "rights": ["R", "S"], "licence": {"text": "CC", "url": None},
         "publisher": "X"},
    ]


def test_shared_parts_are_those_encoded_every_time(monkeypatch):
    monkeypatch.setattr(worker, "_recent_shared", [])
    monkeypatch.setattr(worker, "RECENT_SHARED", 3)  # fewer than the variants: some fall out and come back
    rng = random.Random(7)
    for _ in range(300):
        values = rng.choice(_variants())  # (new objects every time, as header_fields makes them)
        about, shared = worker._shared_json(values)
        assert shared == to_json(values)
        assert about == worker._text_digest(to_json(values))
    assert len(worker._recent_shared) == 3


def test_one_json_object_for_equal_shared_parts(monkeypatch):
    monkeypatch.setattr(worker, "_recent_shared", [])
    first = worker._shared_json(_variants()[0])[1]
    assert worker._shared_json(_variants()[0])[1] is first  # (pickled once a batch)
