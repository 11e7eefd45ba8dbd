"""The OAI-PMH repository over loopback (waitress on 127.0.0.1): every verb, every error
code, hostile input, and a harvester no one here wrote (sickle) harvesting the whole edition.
Every response is validated against the OAI-PMH schemas (oai-pmh-bundle.xsd); the TEI inside
a tei record against tei_all on its own."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import shutil
import socket
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import REFERENCE, require, seed_folder
from teipress.convert import convert_files
from teipress.config import Config
from teipress.oai import make_app
from teipress.writers.harvest import read_entries, write_harvest
from teipress.xmlio import safe_parser

NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "tei": "http://www.tei-c.org/ns/1.0",
      "dc": "http://purl.org/dc/elements/1.1/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "id": "http://www.openarchives.org/OAI/2.0/oai-identifier"}
CONFIG = Config(title="Test Edition", publisher="Test Press", base_url="https://letters.example.org/ed/",
                oai_page_size=2)
HOST = "letters.example.org"
DELETED = "note-v-grigoryan-cde-stalin"
LETTER = "letter-cc-cpsu-to-cc-rwp-1958-09-09"
CONVERTED = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
REMOVED = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
SILENT = lambda *args, **kwargs: None  # noqa: E731


def ident(doc_id: str) -> str:
    return f"oai:{HOST}:{doc_id}"


@contextlib.contextmanager
def serving(app):
    """The WSGI app under waitress on 127.0.0.1 (a free port), in a thread; yields its URL."""
    require(importlib.util.find_spec("waitress") is not None, "waitress is not installed")
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/oai"
    finally:
        server.close()


def build_edition(folder: Path) -> Path:
    seeds = seed_folder(folder)
    editions = folder / "editions"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        assert not convert_files([seeds], editions / "tei", CONFIG, echo=SILENT).failed
    write_harvest(editions, CONFIG, echo=SILENT, now=CONVERTED)
    (editions / "tei" / f"{DELETED}.xml").unlink()  # removed since the last build
    write_harvest(editions, CONFIG, echo=SILENT, now=REMOVED)
    return editions


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return build_edition(tmp_path_factory.mktemp("oai"))


@pytest.fixture(scope="module")
def live_ids(edition) -> list[str]:
    return sorted(p.stem for p in (edition / "tei").glob("*.xml"))


@pytest.fixture(scope="module")
def base(edition):
    with serving(make_app(edition, CONFIG)) as url:
        yield url


@pytest.fixture(scope="module")
def oai_schema():
    path = REFERENCE / "oai" / "oai-pmh-bundle.xsd"
    require(path.exists(), f"{path} is absent (the shared reference folder)")
    return etree.XMLSchema(file=str(path))


def fetch(url: str, pairs, method: str = "GET") -> bytes:
    data = urlencode(pairs)
    if method == "GET":
        request = urllib.request.Request(f"{url}?{data}" if data else url)
    else:
        request = urllib.request.Request(url, data=data.encode(), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/xml")
        return response.read()


def check(body: bytes, schema) -> etree._Element:
    root = etree.fromstring(body, safe_parser())
    assert schema.validate(root), str(schema.error_log)
    return root


@pytest.fixture
def oai(base, oai_schema):
    """oai(verb=..., ...) or oai([(key, value), ...]) -> the validated response root."""
    def request(pairs=None, method="GET", **args):
        return check(fetch(base, pairs if pairs is not None else list(args.items()), method), oai_schema)
    return request


def error_code(root) -> str:
    return root.xpath("string(oai:error/@code)", namespaces=NS)


def harvest_all(oai, verb: str, **args) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every item of a list across its resumption tokens, and the tokens."""
    items, tokens = [], []
    response = oai(verb=verb, **args)
    while True:
        items += response.xpath(f"oai:{verb}/oai:record | oai:{verb}/oai:header", namespaces=NS)
        token = response.xpath(f"oai:{verb}/oai:resumptionToken", namespaces=NS)
        if not token:
            return items, tokens
        tokens.append(token[0])
        if not token[0].text:
            return items, tokens
        response = oai(verb=verb, resumptionToken=token[0].text)


def header_ids(items) -> list[str]:
    return [i.xpath("string(descendant-or-self::oai:header/oai:identifier)", namespaces=NS) for i in items]


# ---------------------------------------------------------------------------
# the six verbs


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_identify(oai, method):
    root = oai(verb="Identify", method=method)
    identify = root.xpath("oai:Identify", namespaces=NS)[0]
    text = lambda path: identify.xpath(f"string({path})", namespaces=NS)  # noqa: E731
    assert text("oai:repositoryName") == "Test Edition"
    assert text("oai:baseURL") == "https://letters.example.org/ed/oai"
    assert text("oai:protocolVersion") == "2.0"
    assert text("oai:earliestDatestamp") == "2026-01-01T00:00:00Z"
    assert text("oai:deletedRecord") == "persistent"
    assert text("oai:granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert "@" in text("oai:adminEmail")
    assert text("oai:description/id:oai-identifier/id:repositoryIdentifier") == HOST
    assert text("oai:description/id:oai-identifier/id:delimiter") == ":"
    assert root.xpath("oai:request/@verb", namespaces=NS) == ["Identify"]


def test_list_metadata_formats(oai):
    for root in (oai(verb="ListMetadataFormats"), oai(verb="ListMetadataFormats", identifier=ident(LETTER))):
        prefixes = root.xpath("//oai:metadataPrefix/text()", namespaces=NS)
        assert prefixes == ["oai_dc", "tei"]
        assert root.xpath("//oai:metadataFormat[oai:metadataPrefix='tei']/oai:metadataNamespace/text()",
                          namespaces=NS) == [NS["tei"]]


def test_list_sets(oai):
    root = oai(verb="ListSets")
    specs = root.xpath("oai:ListSets/oai:set/oai:setSpec/text()", namespaces=NS)
    assert {"type", "type:letter", "type:note", "repository", "repository:aprf"} <= set(specs)
    assert specs == sorted(specs)
    assert root.xpath("string(//oai:set[oai:setSpec='type:letter']/oai:setName)", namespaces=NS) == \
        "Document type: letter"


def test_get_record_oai_dc(oai):
    root = oai(verb="GetRecord", identifier=ident(LETTER), metadataPrefix="oai_dc")
    record = root.xpath("oai:GetRecord/oai:record", namespaces=NS)[0]
    assert record.xpath("string(oai:header/oai:identifier)", namespaces=NS) == ident(LETTER)
    assert record.xpath("string(oai:header/oai:datestamp)", namespaces=NS) == "2026-01-01T00:00:00Z"
    assert record.xpath("oai:header/oai:setSpec/text()", namespaces=NS) == [
        "repository:central-historical-national-archives", "type:letter"]
    dc = record.xpath("oai:metadata/oai_dc:dc", namespaces=NS)[0]
    assert dc.xpath("dc:title/text()", namespaces=NS)[0].startswith("Letter addressed by the CC of the CPSU")
    assert dc.xpath("dc:contributor/text()", namespaces=NS) == ["Delia Razdolescu"]


def test_get_record_tei_is_the_whole_document(oai, edition, tei_all):
    root = oai(verb="GetRecord", identifier=ident(LETTER), metadataPrefix="tei")
    tei = root.xpath("oai:GetRecord/oai:record/oai:metadata/tei:TEI", namespaces=NS)[0]
    alone = etree.fromstring(etree.tostring(tei))
    assert tei_all.validate(alone), str(tei_all.error_log)
    original = etree.parse(str(edition / "tei" / f"{LETTER}.xml"), safe_parser()).getroot()
    assert etree.tostring(alone, method="c14n", exclusive=True) == \
        etree.tostring(original, method="c14n", exclusive=True)


def test_get_deleted_record(oai):
    for prefix in ("oai_dc", "tei"):
        root = oai(verb="GetRecord", identifier=ident(DELETED), metadataPrefix=prefix)
        header = root.xpath("oai:GetRecord/oai:record/oai:header", namespaces=NS)[0]
        assert header.get("status") == "deleted"
        assert header.xpath("string(oai:datestamp)", namespaces=NS) == "2026-06-01T12:00:00Z"
        assert not root.xpath("//oai:metadata", namespaces=NS)


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_lists_page_with_resumption_tokens(oai, verb, live_ids):
    items, tokens = harvest_all(oai, verb, metadataPrefix="oai_dc")
    everyone = sorted([*live_ids, DELETED])
    assert sorted(header_ids(items)) == [ident(i) for i in everyone]  # each once
    assert len(tokens) == (len(everyone) + 1) // 2  # page size 2
    assert [int(t.get("cursor")) for t in tokens] == list(range(0, 2 * len(tokens), 2))
    assert {t.get("completeListSize") for t in tokens} == {str(len(everyone))}
    assert tokens[-1].text is None  # an empty token closes the list
    deleted = [i for i in items if ident(DELETED) in header_ids([i])][0]
    assert deleted.xpath("descendant-or-self::oai:header/@status", namespaces=NS) == ["deleted"]


def test_list_records_tei_carries_valid_tei(oai, tei_all, live_ids):
    items, _ = harvest_all(oai, "ListRecords", metadataPrefix="tei")
    documents = [i.xpath("oai:metadata/tei:TEI", namespaces=NS) for i in items]
    assert sum(1 for d in documents if d) == len(live_ids)
    for found in documents:
        if found:
            alone = etree.fromstring(etree.tostring(found[0]))
            assert tei_all.validate(alone), str(tei_all.error_log)


def test_selective_harvest_by_set(oai, live_ids):
    items, _ = harvest_all(oai, "ListIdentifiers", metadataPrefix="oai_dc", set="type:letter")
    assert header_ids(items) == [ident(LETTER), ident("seedtext-cc-cpsu-to-cc-rwp")]  # the two letters
    items, _ = harvest_all(oai, "ListIdentifiers", metadataPrefix="oai_dc", set="type")
    assert len(items) == len(live_ids) + 1  # the parent set holds every typed record, the deleted too
    items, _ = harvest_all(oai, "ListIdentifiers", metadataPrefix="oai_dc", set="type:note")
    assert header_ids(items) == [ident(DELETED)]  # deletions reach set harvesters


@pytest.mark.parametrize("bounds,expected", [
    ({"from": "2026-06-01"}, "deleted"),
    ({"from": "2026-06-01T12:00:00Z"}, "deleted"),
    ({"from": "2026-06-01T12:00:01Z"}, "none"),
    ({"until": "2026-01-01"}, "live"),
    ({"until": "2026-01-01T00:00:00Z"}, "live"),
    ({"from": "2026-01-01", "until": "2026-12-31"}, "all"),
])
def test_selective_harvest_by_date(oai, live_ids, bounds, expected):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
    if expected == "none":
        assert error_code(root) == "noRecordsMatch"
        return
    items, _ = harvest_all(oai, "ListIdentifiers", metadataPrefix="oai_dc", **bounds)
    ids = sorted(header_ids(items))
    want = {"deleted": [DELETED], "live": live_ids, "all": sorted([*live_ids, DELETED])}[expected]
    assert ids == [ident(i) for i in want]


# ---------------------------------------------------------------------------
# errors

ERRORS = [
    ([], "badVerb"),
    ([("verb", "Nope")], "badVerb"),
    ([("verb", "Identify"), ("verb", "Identify")], "badVerb"),
    ([("verb", "Identify"), ("extra", "1")], "badArgument"),
    ([("verb", "ListRecords")], "badArgument"),
    ([("verb", "GetRecord"), ("metadataPrefix", "oai_dc")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "tei")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2026-02-30")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2026")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("until", "2026-01-01T00:00:00")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2026-01-01"),
      ("until", "2026-01-02T00:00:00Z")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2026-02-01"), ("until", "2026-01-01")],
     "badArgument"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("resumptionToken", "x")], "badArgument"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("set", "not a set")], "badArgument"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "marc21")], "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("metadataPrefix", "marc21"), ("identifier", ident(LETTER))],
     "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", ident("nope"))], "idDoesNotExist"),
    ([("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", f"oai:other.org:{LETTER}")],
     "idDoesNotExist"),
    ([("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", "not an identifier")], "idDoesNotExist"),
    ([("verb", "ListMetadataFormats"), ("identifier", ident("nope"))], "idDoesNotExist"),
    ([("verb", "ListMetadataFormats"), ("identifier", ident(DELETED))], "noMetadataFormats"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2100-01-01")], "noRecordsMatch"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "tei"), ("set", "type:nothing")], "noRecordsMatch"),
    ([("verb", "ListIdentifiers"), ("resumptionToken", "garbage")], "badResumptionToken"),
    ([("verb", "ListRecords"), ("resumptionToken", "WzEsMiwzXQ")], "badResumptionToken"),  # valid base64 JSON
    ([("verb", "ListSets"), ("resumptionToken", "anything")], "badResumptionToken"),
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("pairs,code", ERRORS, ids=[f"{c}-{n}" for n, (_, c) in enumerate(ERRORS)])
def test_protocol_errors(oai, pairs, code, method):
    root = oai(pairs, method=method)
    assert error_code(root) == code
    assert not root.xpath("oai:*[not(self::oai:responseDate or self::oai:request or self::oai:error)]",
                          namespaces=NS)
    if code in ("badVerb", "badArgument"):
        assert root.xpath("oai:request/@*", namespaces=NS) == []  # no arguments echoed


def test_token_of_another_list_is_refused(oai):
    token = oai(verb="ListIdentifiers", metadataPrefix="oai_dc").xpath(
        "string(//oai:resumptionToken)", namespaces=NS)
    assert token
    assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=token[:-4] + "AAAA")) == "badResumptionToken"


def test_no_set_hierarchy(converted_without_sets, oai_schema):
    with serving(make_app(converted_without_sets, CONFIG)) as url:
        root = check(fetch(url, [("verb", "ListSets")]), oai_schema)
        assert error_code(root) == "noSetHierarchy"
        root = check(fetch(url, [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "type")]),
                     oai_schema)
        assert error_code(root) == "noSetHierarchy"
        root = check(fetch(url, [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")]), oai_schema)
        assert root.xpath("//oai:record", namespaces=NS) and not root.xpath("//oai:setSpec", namespaces=NS)


@pytest.fixture(scope="module")
def converted_without_sets(edition, tmp_path_factory) -> Path:
    """An edition whose documents have neither a document type nor a repository."""
    other = tmp_path_factory.mktemp("nosets") / "editions"
    shutil.copytree(edition / "tei", other / "tei")
    entries = [dict(e, type="", archives=[]) for e in read_entries(other / "tei", echo=SILENT)]
    write_harvest(other, CONFIG, echo=SILENT, entries=entries)
    return other


# ---------------------------------------------------------------------------
# hostile input: always an OAI error, never a 500 or a hang


def raw_request(url: str, request: bytes) -> tuple[int, bytes]:
    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split()[1]), body


HOSTILE = {
    "huge token": b"GET /oai?verb=ListRecords&resumptionToken=" + b"A" * 60000 + b" HTTP/1.0\r\n\r\n",
    "long valid-looking token": b"GET /oai?verb=ListRecords&resumptionToken=" + b"QUFB" * 300 + b" HTTP/1.0\r\n\r\n",
    "percent-encoded binary": b"GET /oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=%FF%FE%00 HTTP/1.0\r\n\r\n",
    "NUL in a value": b"GET /oai?verb=ListSets&resumptionToken=%00 HTTP/1.0\r\n\r\n",
    "thousands of arguments": b"GET /oai?verb=Identify" + b"&a=1" * 3000 + b" HTTP/1.0\r\n\r\n",
    "many short arguments": b"GET /oai?verb=Identify" + b"&a" * 100 + b" HTTP/1.0\r\n\r\n",
    "thousands of POST arguments": (b"POST /oai HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                    b"Content-Length: 20013\r\n\r\nverb=Identify" + b"&a=1" * 5000),
    "POST of another type": (b"POST /oai HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
                             b'{"verb": "Ident"}'),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_gets_an_oai_error(base, oai_schema, name):
    status, body = raw_request(base, HOSTILE[name])
    assert status == 200
    root = check(body, oai_schema)
    assert error_code(root) in ("badArgument", "badVerb", "badResumptionToken")


def test_raw_binary_bytes(base, edition, oai_schema):
    """waitress refuses raw bytes in a request line itself (400 Bad URI); other WSGI servers pass
    them on as latin-1 text, so the application is called directly with them too."""
    request = b"GET /oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=\xff\xfe\x80 HTTP/1.0\r\n\r\n"
    status, body = raw_request(base, request)
    assert status in (200, 400)
    if status == 200:
        assert error_code(check(body, oai_schema)) == "badArgument"
    app = make_app(edition, CONFIG)
    for method, query, payload in [("GET", "verb=GetRecord&identifier=\xff\xfe\x00\x80", b""),
                                   ("GET", "verb=Identify\x00", b""),
                                   ("POST", "", b"verb=ListRecords&metadataPrefix=\xff\xfe\x01")]:
        environ = {"REQUEST_METHOD": method, "QUERY_STRING": query, "wsgi.input": io.BytesIO(payload),
                   "CONTENT_LENGTH": str(len(payload)), "CONTENT_TYPE": "application/x-www-form-urlencoded"}
        statuses = []
        body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
        assert statuses == ["200 OK"]
        assert error_code(check(body, oai_schema)) in ("badArgument", "badVerb")


def test_other_methods_are_refused(base):
    status, _ = raw_request(base, b"PUT /oai?verb=Identify HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
    assert status == 405


def test_head_answers_without_a_body(base):
    status, body = raw_request(base, b"HEAD /oai?verb=Identify HTTP/1.0\r\n\r\n")
    assert (status, body) == (200, b"")


# ---------------------------------------------------------------------------
# a harvester no one here wrote


@pytest.mark.parametrize("prefix", ["oai_dc", "tei"])
def test_sickle_harvests_every_document_once(base, prefix, live_ids):
    require(importlib.util.find_spec("sickle") is not None, "sickle is not installed (pip install sickle)")
    from sickle import Sickle

    harvester = Sickle(base, max_retries=0, timeout=30)
    live = [record.header.identifier for record in
            harvester.ListRecords(metadataPrefix=prefix, ignore_deleted=True)]
    assert sorted(live) == [ident(i) for i in live_ids]
    every = list(harvester.ListRecords(metadataPrefix=prefix))
    assert sorted(r.header.identifier for r in every) == sorted(ident(i) for i in [*live_ids, DELETED])
    assert [r.header.identifier for r in every if r.deleted] == [ident(DELETED)]
    headers = [h.identifier for h in harvester.ListIdentifiers(metadataPrefix=prefix)]
    assert len(headers) == len(set(headers)) == len(live_ids) + 1


def _call(app, query: str = "", method: str = "GET", body: bytes = b"") -> tuple[str, bytes]:
    environ = {"REQUEST_METHOD": method, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded"}
    statuses = []
    data = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], data


def test_missing_index_is_503_not_500(tmp_path):
    status, body = _call(make_app(tmp_path, CONFIG), "verb=Identify")
    assert status.startswith("503") and b"teipress build" in body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.binary(max_size=400), method=st.sampled_from(["GET", "POST"]))
def test_any_bytes_get_a_valid_oai_response(edition, oai_schema, query, method):
    app = make_app(edition, CONFIG)
    text = query.decode("latin-1")  # what a WSGI server hands over
    status, body = _call(app, text if method == "GET" else "", method, query if method == "POST" else b"")
    assert status == "200 OK"
    check(body, oai_schema)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(max_size=300) | st.binary(max_size=300).map(
    lambda b: __import__("base64").urlsafe_b64encode(b).decode().rstrip("=")))
def test_any_token_is_refused_cleanly(edition, oai_schema, token):
    status, body = _call(make_app(edition, CONFIG), urlencode({"verb": "ListRecords", "resumptionToken": token}))
    assert status == "200 OK"
    assert error_code(check(body, oai_schema)) in ("badResumptionToken", "badArgument")


def test_a_rebuilt_index_is_picked_up_without_a_restart(edition, tmp_path, oai_schema):
    copy = tmp_path / "editions"
    shutil.copytree(edition, copy)
    app = make_app(copy, CONFIG)
    query = urlencode({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": ident(LETTER)})
    before = check(_call(app, query)[1], oai_schema)
    assert not before.xpath("//oai:header/@status", namespaces=NS)
    (copy / "tei" / f"{LETTER}.xml").unlink()
    write_harvest(copy, CONFIG, echo=SILENT, now=REMOVED)  # updated in place
    assert check(_call(app, query)[1], oai_schema).xpath("//oai:header/@status", namespaces=NS) == ["deleted"]
    (copy / "oai.sqlite").unlink()
    write_harvest(copy, CONFIG, echo=SILENT)  # made anew: another file
    assert error_code(check(_call(app, query)[1], oai_schema)) == "idDoesNotExist"
