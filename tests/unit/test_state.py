"""The build state's docs table: a DocState written as columns reads back as it was."""

from dataclasses import fields

import pytest

from teipress.state import DOC_COLUMNS, BuildState, DocState, _doc_row, _doc_state

AWKWARD = [
    DocState(),  # a new document: nothing recorded yet
    DocState(source="seeds/a.txt", source_sig=[0, 0], source_sha256="", convert_key="k", tei_sha256="s",
             tei_sig=[12, 1_700_000_000_123_456_789], edited=True, valid=True, page_key="p", pdf_key="f",
             nav_key="n", has_pdf=True, entry_key="e", staged=["p", "en"]),
    DocState(source=None, source_sig=None, tei_sig=[2**62, -1], valid=False, staged=["p", None]),  # staged, no language
    DocState(source="seeds/ü ö.txt", tei_sha256="ä" * 64, edited=False, has_pdf=False, staged=None),
]


@pytest.mark.parametrize("doc", AWKWARD)
def test_a_doc_state_round_trips_through_its_columns(doc):
    row = _doc_row(doc)
    assert len(row) == len(DOC_COLUMNS)
    back = _doc_state(row)
    assert back == doc
    assert all(type(getattr(back, f.name)) is type(getattr(doc, f.name)) for f in fields(DocState))


def test_the_state_database_keeps_doc_states(tmp_path):
    state = BuildState(tmp_path)
    for n, doc in enumerate(AWKWARD):
        state.put(f"d{n}", doc)
    state.commit()
    state.close()
    state = BuildState(tmp_path)  # (read back from the file)
    try:
        assert [state.get(f"d{n}") for n in range(len(AWKWARD))] == AWKWARD
        assert state.get("nothing") is None
        assert list(state.by_source()) == [(doc.source, f"d{n}", doc) for n, doc in enumerate(AWKWARD)
                                           if doc.source is not None]
        # fields: the valid documents, booleans as 0 or 1, by id
        assert list(state.fields("entry_key", "has_pdf")) == [("d1", "e", 1)]
        with pytest.raises(ValueError):
            list(state.fields("staged"))  # two columns, not one
    finally:
        state.close()
