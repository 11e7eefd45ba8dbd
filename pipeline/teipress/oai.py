"""The OAI-PMH 2.0 repository of an edition, as a WSGI application.

It answers from the index the build writes (EDITIONS_DIR/oai.sqlite, see
teipress.writers.harvest): datestamps, sets, headers and pre-rendered oai_dc records, so
a request costs one or two indexed queries whatever the size of the edition. The only
file it reads is the one TEI document of a ``tei`` record.

Protocol errors are answered in-band (HTTP 200 with an <error code=...>); a request the
protocol cannot even express (a method other than GET/HEAD/POST) gets 405, and a missing
index 503. Arguments are bounded before anything is parsed, so hostile input is cheap.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urljoin

from lxml import etree

from teipress.config import Config
from teipress.tei import TEI_NS
from teipress.writers.harvest import (INDEX_NAME, OAI_DC_NS, OAI_DC_SCHEMA, XSI_NS, doc_id_from_identifier,
                                      index_is_current, oai_identifier, repository_host)
from teipress.xmlio import MAX_XML_BYTES, safe_parser

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
TEI_SCHEMA = "https://www.tei-c.org/release/xml/tei/custom/schema/xsd/tei_all.xsd"
FORMATS = {  # metadataPrefix -> (schema, namespace)
    "oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS),
    "tei": (TEI_SCHEMA, TEI_NS),
}
# verb -> (required arguments, optional arguments); resumptionToken is handled apart.
VERBS = {
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ()),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set")),
}
RESUMABLE = ("ListSets", "ListIdentifiers", "ListRecords")

# Bounds on what a request may carry: far above any honest request, far below harm.
MAX_REQUEST_BYTES = 8192
MAX_FIELDS = 16
MAX_TOKEN_CHARS = 1024
MAX_IDENTIFIER_CHARS = 1024

PREFIX_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
SETSPEC_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
SECONDS_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
REPOSITORY_ID_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
URI_SAFE = re.compile(r"[!-~]+")  # printable ASCII without spaces: echoed in <request> as anyURI
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")
PLAIN_ID = re.compile(r"[A-Za-z0-9_.~-]+")  # ids that need no percent-encoding in an identifier
EARLIEST = ""  # below every datestamp
LATEST = "9999-12-31T23:59:59Z"


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Unavailable(Exception):
    """The index is missing or unreadable: answered with HTTP 503."""


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# arguments


def read_arguments(environ: dict) -> dict[str, list[str]]:
    """The request's arguments (query string for GET/HEAD, form body for POST), bounded.

    Raises OAIError(badArgument) for anything that is not a small, well-formed,
    UTF-8 form: too long, too many fields, bad percent-escapes, characters XML cannot hold.
    """
    if environ.get("REQUEST_METHOD") == "POST":
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise OAIError("badArgument", "a POST request must be application/x-www-form-urlencoded")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise OAIError("badArgument", "the Content-Length is not a number") from None
        if length > MAX_REQUEST_BYTES:
            raise OAIError("badArgument", f"the request is larger than {MAX_REQUEST_BYTES} bytes")
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
    else:
        # WSGI hands the query string over as bytes decoded as latin-1.
        raw = environ.get("QUERY_STRING", "").encode("latin-1", "replace")
        if len(raw) > MAX_REQUEST_BYTES:
            raise OAIError("badArgument", f"the request is larger than {MAX_REQUEST_BYTES} bytes")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise OAIError("badArgument", "the arguments are not a well-formed UTF-8 form, or are too many") from None
    args: dict[str, list[str]] = {}
    for key, value in pairs:
        if NOT_XML_CHAR.search(key) or NOT_XML_CHAR.search(value):
            raise OAIError("badArgument", "an argument holds characters that are not allowed")
        args.setdefault(key, []).append(value)
    return args


def check_arguments(args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    """(verb, {argument: value}) of a legal request, else OAIError(badVerb or badArgument)."""
    verbs = args.get("verb", [])
    if len(verbs) != 1:
        raise OAIError("badVerb", "the verb argument is missing" if not verbs else "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", "the value of the verb argument is not an OAI-PMH verb")
    required, optional = VERBS[verb]
    allowed = {*required, *optional, *(("resumptionToken",) if verb in RESUMABLE else ())}
    values = {}
    for key, found in args.items():
        if key == "verb":
            continue
        if key not in allowed:
            raise OAIError("badArgument", f"{verb} does not take the argument {key!r}"[:200])
        if len(found) > 1:
            raise OAIError("badArgument", f"the argument {key} is repeated")
        values[key] = found[0]
    if "resumptionToken" in values:
        if len(values) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return verb, values
    missing = [key for key in required if key not in values]
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument {missing[0]}")
    if "metadataPrefix" in values and not PREFIX_RE.fullmatch(values["metadataPrefix"]):
        raise OAIError("badArgument", "the metadataPrefix is not a legal prefix")
    if "set" in values and not SETSPEC_RE.fullmatch(values["set"]):
        raise OAIError("badArgument", "the set is not a legal setSpec")
    if "identifier" in values and len(values["identifier"]) > MAX_IDENTIFIER_CHARS:
        raise OAIError("badArgument", "the identifier is too long")
    return verb, values


def date_range(values: dict[str, str]) -> tuple[str, str]:
    """The from/until arguments as inclusive datestamp bounds (seconds granularity)."""
    grains = {}
    bounds = [EARLIEST, LATEST]
    for i, key in enumerate(("from", "until")):
        value = values.get(key)
        if value is None:
            continue
        if DAY_RE.fullmatch(value):
            grains[key] = "day"
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise OAIError("badArgument", f"{key} is not a date") from None
            bounds[i] = value + ("T00:00:00Z" if key == "from" else "T23:59:59Z")
        elif SECONDS_RE.fullmatch(value):
            grains[key] = "seconds"
            try:
                dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                raise OAIError("badArgument", f"{key} is not a date") from None
            bounds[i] = value
        else:
            raise OAIError("badArgument", f"{key} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    if len(set(grains.values())) > 1:
        raise OAIError("badArgument", "from and until have different granularities")
    if bounds[0] > bounds[1]:
        raise OAIError("badArgument", "from is later than until")
    return bounds[0], bounds[1]


# ---------------------------------------------------------------------------
# resumption tokens: the list's query and where the last page ended, nothing stored server-side


def encode_token(verb: str, prefix: str, start: str, end: str, set_spec: str | None, after: tuple[str, str],
                 cursor: int, total: int) -> str:
    state = [1, verb, prefix, start, end, set_spec, after[0], after[1], cursor, total]
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str, verb: str) -> tuple:
    """(prefix, start, end, set, after, cursor, total) of a token this repository issued."""
    bad = OAIError("badResumptionToken", "the resumptionToken is invalid or was not issued for this list")
    if len(token) > MAX_TOKEN_CHARS or not TOKEN_RE.fullmatch(token):
        raise bad
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        version, token_verb, prefix, start, end, set_spec, after_stamp, after_id, cursor, total = state
    except Exception:  # any malformation at all is the client's token, not our bug
        raise bad from None
    stamps_ok = all(isinstance(s, str) and (s in (EARLIEST, LATEST) or SECONDS_RE.fullmatch(s))
                    for s in (start, end, after_stamp))
    if (version != 1 or token_verb != verb or prefix not in FORMATS or not stamps_ok
            or not (set_spec is None or (isinstance(set_spec, str) and SETSPEC_RE.fullmatch(set_spec)))
            or not isinstance(after_id, str) or len(after_id) > MAX_IDENTIFIER_CHARS
            or type(cursor) is not int or type(total) is not int or not 0 < cursor <= total):
        raise bad
    return prefix, start, end, set_spec, (after_stamp, after_id), cursor, total


# ---------------------------------------------------------------------------
# the index, one read-only connection per thread


class Index:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection; reopened when the build replaced the file."""
        try:
            stat = os.stat(self.path)
        except OSError:
            raise Unavailable(f"no OAI index at {self.path}: run 'teipress build'") from None
        key = (stat.st_dev, stat.st_ino)
        cached = getattr(self._local, "conn", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        if cached is not None:
            cached[1].close()
        try:
            conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=5,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise Unavailable(f"the OAI index cannot be opened: {exc}") from None
        if not index_is_current(conn):
            conn.close()
            raise Unavailable("the OAI index is of another teipress version: run 'teipress render harvest'")
        self._local.conn = (key, conn)
        return conn


# ---------------------------------------------------------------------------
# the repository


class Repository:
    """The six verbs over one index. Every method returns the verb's XML (a str)."""

    def __init__(self, editions_dir: Path, config: Config):
        self.editions_dir = Path(editions_dir)
        self.config = config
        self.index = Index(self.editions_dir / INDEX_NAME)
        self.page_size = max(1, int(config.oai_page_size))
        self.host = repository_host(config)
        self.id_prefix = oai_identifier(config, "")
        base = config.base_url if config.base_url.endswith("/") else config.base_url + "/"
        self.base_url = urljoin(base, "oai")
        self.admin_email = getattr(config, "oai_admin_email", None) or (
            f"webmaster@{self.host}" if "." in self.host else f"webmaster@{self.host}.invalid")

    # -- responses

    def respond(self, environ: dict) -> str:
        """The whole OAI-PMH response document for a request."""
        attrs: dict[str, str] = {}
        try:
            verb, values = check_arguments(read_arguments(environ))
            attrs = self._echo(verb, values)
            conn = self.index.connection()
            body = getattr(self, verb)(conn, values)
        except OAIError as error:
            if error.code in ("badVerb", "badArgument"):
                attrs = {}  # the protocol: echo no arguments of an illegal request
            body = f'<error code="{error.code}">{_esc(error.message)}</error>'
        request = "".join(f' {k}="{_esc(v)}"' for k, v in attrs.items())
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">'
                f"<responseDate>{_utc_now()}</responseDate>"
                f"<request{request}>{_esc(self.base_url)}</request>{body}</OAI-PMH>\n")

    @staticmethod
    def _echo(verb: str, values: dict[str, str]) -> dict[str, str]:
        """The arguments shown in <request>: those whose value fits its type in the schema."""
        attrs = {"verb": verb}
        for key, value in values.items():
            if key == "identifier" and not URI_SAFE.fullmatch(value):
                continue
            if key in ("from", "until") and not (DAY_RE.fullmatch(value) or SECONDS_RE.fullmatch(value)):
                continue
            attrs[key] = value
        return attrs

    # -- the verbs

    def Identify(self, conn: sqlite3.Connection, values: dict) -> str:
        earliest = conn.execute("SELECT min(datestamp) FROM records").fetchone()[0] or "1970-01-01T00:00:00Z"
        parts = [
            "<Identify>",
            f"<repositoryName>{_esc(self.config.title)}</repositoryName>",
            f"<baseURL>{_esc(self.base_url)}</baseURL>",
            "<protocolVersion>2.0</protocolVersion>",
            f"<adminEmail>{_esc(self.admin_email)}</adminEmail>",
            f"<earliestDatestamp>{earliest}</earliestDatestamp>",
            "<deletedRecord>persistent</deletedRecord>",
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>",
        ]
        if REPOSITORY_ID_RE.fullmatch(self.host):  # the oai-identifier scheme needs a dotted domain name
            sample = conn.execute("SELECT id FROM records ORDER BY id LIMIT 1").fetchone()
            parts.append(
                f'<description><oai-identifier xmlns="{OAI_ID_NS}" xsi:schemaLocation="{OAI_ID_NS} {OAI_ID_SCHEMA}">'
                f"<scheme>oai</scheme><repositoryIdentifier>{self.host}</repositoryIdentifier>"
                "<delimiter>:</delimiter>"
                f"<sampleIdentifier>{_esc(oai_identifier(self.config, sample[0] if sample else 'letter-1'))}"
                "</sampleIdentifier></oai-identifier></description>")
        parts.append("</Identify>")
        return "".join(parts)

    def ListMetadataFormats(self, conn: sqlite3.Connection, values: dict) -> str:
        if "identifier" in values:
            row = self._record(conn, values["identifier"], "deleted")
            if row[0]:
                raise OAIError("noMetadataFormats", "the item is deleted: no format can be disseminated")
        formats = "".join(f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{schema}</schema>"
                          f"<metadataNamespace>{ns}</metadataNamespace></metadataFormat>"
                          for prefix, (schema, ns) in FORMATS.items())
        return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"

    def ListSets(self, conn: sqlite3.Connection, values: dict) -> str:
        if "resumptionToken" in values:  # the sets always fit in one response: no token was issued
            raise OAIError("badResumptionToken", "this repository issues no resumptionToken for ListSets")
        rows = conn.execute("SELECT spec, name FROM sets ORDER BY spec").fetchall()
        if not rows:
            raise OAIError("noSetHierarchy", "this edition has no sets (no document types or repositories)")
        sets = "".join(f"<set><setSpec>{_esc(spec)}</setSpec><setName>{_esc(name)}</setName></set>"
                       for spec, name in rows)
        return f"<ListSets>{sets}</ListSets>"

    def GetRecord(self, conn: sqlite3.Connection, values: dict) -> str:
        prefix = self._format(values["metadataPrefix"])
        row = self._record(conn, values["identifier"], "id, datestamp, deleted, set_specs, oai_dc, tei_path")
        record = self._record_xml(row, prefix)
        if record is None:
            raise OAIError("cannotDisseminateFormat", f"the {prefix} record of this item cannot be read now")
        return f"<GetRecord>{record}</GetRecord>"

    def ListIdentifiers(self, conn: sqlite3.Connection, values: dict) -> str:
        return self._list(conn, values, "ListIdentifiers")

    def ListRecords(self, conn: sqlite3.Connection, values: dict) -> str:
        return self._list(conn, values, "ListRecords")

    # -- helpers

    def _format(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"this repository offers the formats {', '.join(FORMATS)}")
        return prefix

    def _record(self, conn: sqlite3.Connection, identifier: str, columns: str) -> tuple:
        doc_id = doc_id_from_identifier(self.config, identifier)
        row = None if doc_id is None else conn.execute(
            f"SELECT {columns} FROM records WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise OAIError("idDoesNotExist", f"no item has this identifier (they look like "
                                             f"{oai_identifier(self.config, 'ID')})")
        return row

    def _header(self, doc_id: str, datestamp: str, deleted: int, set_specs: str) -> str:
        status = ' status="deleted"' if deleted else ""
        specs = "".join(f"<setSpec>{spec}</setSpec>" for spec in set_specs.split())
        # (the common case, an id of plain letters, skips the percent-encoding: this runs per record)
        identifier = self.id_prefix + doc_id if PLAIN_ID.fullmatch(doc_id) else oai_identifier(self.config, doc_id)
        return (f"<header{status}><identifier>{_esc(identifier)}</identifier>"
                f"<datestamp>{datestamp}</datestamp>{specs}</header>")

    def _record_xml(self, row: tuple, prefix: str) -> str | None:
        doc_id, datestamp, deleted, set_specs, oai_dc, tei_path = row
        header = self._header(doc_id, datestamp, deleted, set_specs)
        if deleted:
            return f"<record>{header}</record>"
        metadata = oai_dc.decode("utf-8") if prefix == "oai_dc" else self._tei(tei_path)
        if metadata is None:
            return None
        return f"<record>{header}<metadata>{metadata}</metadata></record>"

    def _tei(self, tei_path: str) -> str | None:
        """The TEI document of a record: its root element only (no declaration, PIs or DTD)."""
        if not re.fullmatch(r"tei/[^/\\]+\.xml", tei_path or ""):
            return None
        path = self.editions_dir / tei_path
        try:
            if path.stat().st_size > MAX_XML_BYTES:
                return None
            root = etree.parse(str(path), safe_parser()).getroot()
        except (OSError, etree.XMLSyntaxError):
            return None
        if root.tag != f"{{{TEI_NS}}}TEI":
            return None
        return etree.tostring(root, encoding="unicode")

    def _list(self, conn: sqlite3.Connection, values: dict, verb: str) -> str:
        if "resumptionToken" in values:
            prefix, start, end, set_spec, after, cursor, total = decode_token(values["resumptionToken"], verb)
        else:
            prefix = self._format(values["metadataPrefix"])
            start, end = date_range(values)
            set_spec = values.get("set")
            after, cursor, total = (start, ""), 0, None  # (datestamp, id) > (from, "") is datestamp >= from
        if set_spec is not None and conn.execute("SELECT 1 FROM sets LIMIT 1").fetchone() is None:
            raise OAIError("noSetHierarchy", "this edition has no sets")
        if set_spec is None:
            source, key, params = "records r", "r", []
        else:
            source, key, params = "set_members m JOIN records r ON r.id = m.id", "m", [set_spec]
        spec_condition = "m.spec = ? AND " if set_spec is not None else ""
        if total is None:
            counted = "set_members m" if set_spec is not None else "records r"
            total = conn.execute(f"SELECT count(*) FROM {counted} WHERE {spec_condition}{key}.datestamp >= ? "
                                 f"AND {key}.datestamp <= ?", [*params, start, end]).fetchone()[0]
        columns = "r.id, r.datestamp, r.deleted, r.set_specs" + (
            ", r.oai_dc, r.tei_path" if verb == "ListRecords" else "")
        # Keyset paging: the page starts right after the last (datestamp, id) sent, one index seek
        # however deep into the list (the row-value bound alone is what the index can seek on).
        rows = conn.execute(
            f"SELECT {columns} FROM {source} WHERE {spec_condition}({key}.datestamp, {key}.id) > (?, ?) "
            f"AND {key}.datestamp <= ? ORDER BY {key}.datestamp, {key}.id LIMIT ?",
            [*params, *after, end, self.page_size + 1]).fetchall()
        if not rows:
            raise OAIError("noRecordsMatch", "no records match these arguments")
        page, more = rows[:self.page_size], len(rows) > self.page_size
        if verb == "ListRecords":
            items = [self._record_xml(row, prefix) or f"<record>{self._header(*row[:4])}</record>" for row in page]
        else:
            items = [self._header(*row[:4]) for row in page]
        total = max(total, cursor + len(page))
        token = ""
        if more:
            last = page[-1]
            next_token = encode_token(verb, prefix, start, end, set_spec, (last[1], last[0]), cursor + len(page),
                                      total)
            token = f'<resumptionToken completeListSize="{total}" cursor="{cursor}">{next_token}</resumptionToken>'
        elif cursor:  # the last page of a list sent in several: an empty token closes it
            token = f'<resumptionToken completeListSize="{total}" cursor="{cursor}"/>'
        return f"<{verb}>{''.join(items)}{token}</{verb}>"


def make_app(editions_dir: Path, config: Config) -> Callable:
    """A WSGI application serving the OAI-PMH repository of EDITIONS_DIR (GET, HEAD and POST)."""
    repository = Repository(editions_dir, config)

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD", "POST"):
            start_response("405 Method Not Allowed", [("Content-Type", "text/plain; charset=utf-8"),
                                                      ("Allow", "GET, HEAD, POST")])
            return [b"OAI-PMH takes GET and POST requests.\n"]
        try:
            body = repository.respond(environ).encode("utf-8")
        except (Unavailable, sqlite3.Error) as exc:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "60")])
            return [f"The OAI-PMH repository is not available: {exc}\n".encode()]
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [b"" if method == "HEAD" else body]

    return app
