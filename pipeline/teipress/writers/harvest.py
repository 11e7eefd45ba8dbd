"""Harvest files of an edition: cmif.xml, manifest.json and the OAI-PMH index oai.sqlite.

All three are made from one list of *entries*, one per TEI document (see harvest_entry):
``teipress.edition.header_fields(root)`` plus

* ``tei_sha256``, ``tei_size``: the TEI file's bytes as published;
* ``datestamp``: the record's OAI datestamp, UTC seconds ``YYYY-MM-DDThh:mm:ssZ`` (guide §6:
  the conversion ``@when`` at midnight UTC, or the file's mtime when an editor changed it);
* ``correspondence`` (optional): the letter's correspDesc for CMIF, with the authority URIs
  of its names resolved through the document's standOff. When it is missing, CMIF is made
  from the header fields (senders, recipients, date, place) and carries only absolute @refs.

The build orchestrator passes entries it already has; ``teipress render harvest`` reads the
TEI files itself. The index keeps what the TEI folder no longer has: a removed document
stays in oai.sqlite as a deleted record (OAI-PMH ``deletedRecord`` = persistent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import sys
import tempfile
import unicodedata
import uuid
from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

from teipress import __version__
from teipress.model import Outcome
from teipress.config import Config, conversion_date
from teipress.edition import header_fields, local, plain
from teipress.errors import OutputError, RenderError
from teipress.tei import NS, TEI_NS, XML_NS
from teipress.xmlio import MAX_XML_BYTES, atomic_write, safe_parser, serialise

CMIF_NAME = "cmif.xml"
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "oai.sqlite"
INDEX_SCHEMA = "1"

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DATING = ("when", "from", "to", "notBefore", "notAfter")
# The W3C dates CMIF's date attributes take: YYYY, YYYY-MM, YYYY-MM-DD, or a dateTime.
W3C_DATE = re.compile(r"-?\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?")
# Parent sets of the two set families (OAI-PMH sets are hierarchical: "type:letter" is in "type").
SET_FAMILIES = {"type": "Document types", "repository": "Repositories"}


# ---------------------------------------------------------------------------
# identifiers, datestamps, sets


def repository_host(config: Config) -> str:
    """The host of the edition's public address: the namespace of its OAI identifiers."""
    return (urlsplit(config.base_url).hostname or "localhost").lower()


def oai_identifier(config: Config, doc_id: str) -> str:
    """oai:<host>:<id>, the id percent-encoded where it holds characters a URI may not."""
    return f"oai:{repository_host(config)}:{quote(doc_id, safe='-_.~')}"


def doc_id_from_identifier(config: Config, identifier: str) -> str | None:
    """The document id named by an OAI identifier of this repository, else None."""
    prefix = f"oai:{repository_host(config)}:"
    if not identifier.startswith(prefix):
        return None
    try:
        return unquote(identifier[len(prefix):], errors="strict")
    except UnicodeDecodeError:
        return None


def utc_seconds(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_utc(value: str) -> dt.datetime | None:
    """An ISO date or dateTime as an aware UTC datetime (a bare date is midnight UTC)."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})", value):
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except ValueError:
        return None
    return None


def datestamp_for(fields: dict, tei_path: Path, edited: bool = False) -> str:
    """A record's OAI datestamp (guide §6).

    The conversion date (revisionDesc/change[@type='conversion']/@when, a day: midnight UTC),
    or, for a TEI an editor changed (edited=True) or one without a readable conversion
    date, the time the file last changed (its mtime, to the second).
    """
    when = (fields.get("conversion") or {}).get("when")
    stamp = None if edited or not when else _conversion_stamp(when)
    if stamp is None:
        stamp = utc_seconds(dt.datetime.fromtimestamp(int(tei_path.stat().st_mtime), dt.timezone.utc))
    return stamp


@lru_cache(maxsize=64)  # (an edition's documents share a few conversion dates)
def _conversion_stamp(when: str) -> str | None:
    """The datestamp of a conversion date, None when it is not one."""
    moment = _parse_utc(when)
    return None if moment is None else utc_seconds(moment)


def set_slug(text: str) -> str:
    """A setSpec part made of the letters OAI-PMH allows: 'Central Archives' -> 'central-archives'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    # A name with no Latin letters at all still gets a stable, distinct spec.
    return slug or "x" + hashlib.sha256(text.encode()).hexdigest()[:10]


def record_sets(fields: dict) -> dict[str, str]:
    """{setSpec: setName} of a document: its document type and every repository holding it."""
    sets: dict[str, str] = {}
    if fields.get("type"):
        sets[f"type:{set_slug(fields['type'])}"] = f"Document type: {fields['type']}"
    for archive in fields.get("archives") or []:
        if archive.get("repository"):
            sets.setdefault(f"repository:{set_slug(archive['repository'])}", f"Repository: {archive['repository']}")
    return sets


# ---------------------------------------------------------------------------
# entries


def authority_uris(root: etree._Element) -> dict[str, str]:
    """{xml:id: URI} for the entities of the document's standOff that carry idno[@type='URI']."""
    uris = {}
    # tei:standOff//*[@xml:id]/tei:idno[@type='URI'], walked rather than queried (a query costs more)
    for stand_off in root.iterchildren(f"{{{TEI_NS}}}standOff"):
        for idno in stand_off.iter(f"{{{TEI_NS}}}idno"):
            if idno.get("type") != "URI":
                continue
            entity = idno.getparent()
            entity_id = entity.get(f"{{{XML_NS}}}id")
            if entity is stand_off or entity_id is None:
                continue
            value = "".join(idno.itertext()).strip()
            if entity_id not in uris and _is_web_uri(value):
                uris[entity_id] = value
    return uris


def _is_web_uri(value: str | None) -> bool:
    return bool(value) and re.fullmatch(r"https?://\S+", value) is not None


def resolve_ref(ref: str | None, uris: dict[str, str]) -> str | None:
    """The first authority URI a name's @ref gives: '#id' through the standOff, or a URI as is."""
    for token in (ref or "").split():
        if token.startswith("#"):
            if token[1:] in uris:
                return uris[token[1:]]
        elif _is_web_uri(token):
            return token
    return None


def correspondence(root: etree._Element) -> list[dict]:
    """The first correspDesc as CMIF needs it: actions with names, places and a date.

    Names are plain text as the editions show them ("Filippov [Stalin]"); refs are
    resolved to authority URIs (None when the TEI has none).
    """
    uris = authority_uris(root)
    actions = []
    for action in _first_corresp_actions(root):
        names, places, date = [], [], None
        for child in action:
            tag = local(child)
            if tag in ("persName", "orgName", "name"):
                names.append({"kind": tag, "name": plain(child), "ref": resolve_ref(child.get("ref"), uris)})
            elif tag == "placeName":
                places.append({"name": plain(child), "ref": resolve_ref(child.get("ref"), uris)})
            elif tag == "date" and date is None:
                date = _dating(dict(child.items()))  # (one lxml call instead of one per dating attribute)
        actions.append({"type": action.get("type"), "names": [n for n in names if n["name"]],
                        "places": [p for p in places if p["name"]], "date": date or None})
    return actions


_FIRST_CORRESP_ACTIONS = etree.XPath("tei:teiHeader/tei:profileDesc/tei:correspDesc[1]/tei:correspAction",
                                     namespaces=NS)


def _first_corresp_actions(root: etree._Element) -> list[etree._Element]:
    """tei:teiHeader/tei:profileDesc/tei:correspDesc[1]/tei:correspAction (compiled once: a
    quicker way to them than Python loops)."""
    return _FIRST_CORRESP_ACTIONS(root)


def _dating(attributes) -> dict[str, str]:
    """The dating attributes whose values are W3C dates (a malformed one would make CMIF invalid)."""
    return {key: attributes[key].strip() for key in DATING
            if attributes.get(key) and W3C_DATE.fullmatch(attributes[key].strip())}


def harvest_entry(root: etree._Element, tei_path: Path, data: bytes | None = None, *,
                  edited: bool = False, fields: dict | None = None, sha256: str | None = None) -> dict:
    """Everything the harvest files need of one TEI document (see the module docstring).

    data: the file's bytes when the caller has them (else read from tei_path).
    edited: the TEI was edited by hand (its datestamp is then the file's mtime).
    fields: header_fields(root), when the caller has them already.
    sha256: the hex SHA-256 of data, when the caller has it already.
    """
    if data is None:
        data = tei_path.read_bytes()
    fields = dict(fields) if fields is not None else header_fields(root)
    fields["id"] = tei_path.stem  # the file name is the id every output shares
    fields["tei_sha256"] = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
    fields["tei_size"] = len(data)
    fields["datestamp"] = datestamp_for(fields, tei_path, edited)
    fields["correspondence"] = correspondence(root)
    return fields


def read_entries(tei_dir: Path, *, edited: Collection[str] = (), echo: Callable = print,
                 outcome: Outcome | None = None) -> list[dict]:
    """Entries of every tei_dir/*.xml (sorted); a file that cannot be read is reported and skipped."""
    entries = []
    for path in sorted(tei_dir.glob("*.xml")):
        try:
            data = path.read_bytes()
            if len(data) > MAX_XML_BYTES:
                raise RenderError(f"larger than {MAX_XML_BYTES // (1024 * 1024)} MiB", path=str(path))
            root = etree.fromstring(data, safe_parser())
            if root.tag != f"{{{TEI_NS}}}TEI":
                raise RenderError("not a TEI document (the root is not TEI)", path=str(path))
            entries.append(harvest_entry(root, path, data, edited=path.stem in edited))
        except etree.XMLSyntaxError as exc:
            error = RenderError(f"not well-formed XML: {exc.msg}", path=str(path), line=exc.lineno,
                                hint="fix the file, then run 'teipress validate' on it")
            _report_failure(error, path, echo, outcome)
        except OSError as exc:
            _report_failure(RenderError(f"cannot read: {exc.strerror}", path=str(path)), path, echo, outcome)
        except RenderError as error:
            _report_failure(error, path, echo, outcome)
    return entries


def _warn(echo: Callable, message: str) -> None:
    """echo to stderr: click.echo takes err=True, the default print does not."""
    if echo is print:
        print(message, file=sys.stderr)
    else:
        echo(message, err=True)


def _report_failure(error: RenderError, path: Path, echo: Callable, outcome: Outcome | None) -> None:
    _warn(echo, str(error))
    if outcome is not None:
        outcome.failed.append((str(path), str(error)))


# ---------------------------------------------------------------------------
# CMIF


def cmif_bibl_id(config: Config) -> str:
    """A UUID for the edition's bibl, stable for its address and starting with a letter
    (CMIF asks for a UUID; an xml:id cannot start with a digit)."""
    for n in range(1000):
        value = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{config.base_url}{CMIF_NAME}#{n}"))
        if value[0].isalpha():
            return value
    raise AssertionError("unreachable: about 3 UUIDs in 8 start with a letter")


def _page_url(config: Config, entry: dict) -> str:
    url = entry.get("edition_url") or ""
    return url if _is_web_uri(url) else f"{config.base_url.rstrip('/')}/{quote(entry['id'])}.html"


def _actions_from_fields(entry: dict) -> list[dict]:
    """CMIF actions from header fields alone (entries made without harvest_entry)."""
    if not entry.get("senders") and not entry.get("recipients"):
        return []  # not a letter
    def names(items):
        return [{"kind": n["kind"], "name": n["name"], "ref": n["ref"] if _is_web_uri(n.get("ref")) else None}
                for n in items if n.get("name")]
    date = entry.get("date") or {}
    sent = {"type": "sent", "names": names(entry.get("senders") or []),
            "places": [{"name": entry["place_sent"], "ref": None}] if entry.get("place_sent") else [],
            "date": _dating(date) or None}
    received = {"type": "received", "names": names(entry.get("recipients") or []), "places": [], "date": None}
    return [sent, received]


def _cmif_action(parent: etree._Element, action: dict) -> None:
    element = etree.SubElement(parent, f"{{{TEI_NS}}}correspAction", type=action["type"])
    names = action["names"] or [{"kind": "persName", "name": "Unknown", "ref": None}]  # CMIF's convention
    for name in names:
        child = etree.SubElement(element, f"{{{TEI_NS}}}{name['kind']}")
        child.text = name["name"]
        if name.get("ref"):
            child.set("ref", name["ref"])
    for place in action["places"]:
        child = etree.SubElement(element, f"{{{TEI_NS}}}placeName")
        child.text = place["name"]
        if place.get("ref"):
            child.set("ref", place["ref"])
    if action.get("date"):  # CMIF: a date carries @when, @from/@to or @notBefore/@notAfter, else none
        etree.SubElement(element, f"{{{TEI_NS}}}date", {k: action["date"][k] for k in DATING if k in action["date"]})


def cmif_bytes(entries: Iterable[dict], config: Config) -> bytes:
    """One CMIF 1.1 file for the edition: a correspDesc per document that has one.

    Only 'sent' and 'received' actions go in (CMIF knows no others: a 'transmitted'
    action is left out); a missing party is the name 'Unknown'.
    """
    entries = sorted(entries, key=lambda e: e["id"])
    bibl_id = cmif_bibl_id(config)
    base = config.base_url if config.base_url.endswith("/") else config.base_url + "/"

    def el(parent, name, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{TEI_NS}}}{name}", {k: v for k, v in attrs.items() if v})
        element.text = text
        return element

    root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    file_desc = el(el(root, "teiHeader"), "fileDesc")
    title_stmt = el(file_desc, "titleStmt")
    el(title_stmt, "title", f"{config.title}: correspondence metadata (CMIF)")
    el(title_stmt, "editor", config.publisher)
    stmt = el(file_desc, "publicationStmt")
    el(el(stmt, "publisher"), "ref", config.publisher, target=base)
    el(stmt, "idno", base + CMIF_NAME, type="url")
    # The newest conversion date of the documents: stable across rebuilds of the same TEI.
    dates = [e["conversion"]["when"] for e in entries if (e.get("conversion") or {}).get("when")]
    el(stmt, "date", when=max(dates) if dates else conversion_date(config))
    el(el(stmt, "availability"), "licence", config.licence, target=config.licence_url)
    bibl = el(el(file_desc, "sourceDesc"), "bibl", f"{config.title}, ", type="online")
    bibl.set(f"{{{XML_NS}}}id", bibl_id)
    el(bibl, "ref", base, target=base)
    profile = el(root.find("tei:teiHeader", NS), "profileDesc")
    for entry in entries:
        actions = entry.get("correspondence")
        if actions is None:
            actions = _actions_from_fields(entry)
        actions = [a for a in actions if a.get("type") in ("sent", "received")]
        if not actions:
            continue  # not a letter: no correspDesc
        desc = el(profile, "correspDesc", ref=_page_url(config, entry), source=f"#{bibl_id}")
        for kind in ("sent", "received"):
            found = [a for a in actions if a["type"] == kind]
            merged = {"type": kind, "names": [n for a in found for n in a["names"]],
                      "places": [p for a in found for p in a["places"]],
                      "date": next((a["date"] for a in found if a.get("date")), None)}
            _cmif_action(desc, merged)
    el(el(el(root, "text"), "body"), "p")
    return serialise(etree.ElementTree(root))


# ---------------------------------------------------------------------------
# manifest


def manifest_bytes(entries: Iterable[dict], config: Config, cmif: bytes | None = None) -> bytes:
    """manifest.json: every document's id, title, date, type, paths and TEI checksum; sorted,
    no build time, so the same TEI files always give the same bytes."""
    documents = []
    for entry in sorted(entries, key=lambda e: e["id"]):
        doc_id = entry["id"]
        documents.append({
            "id": doc_id,
            "title": entry.get("title") or "",
            "date": (entry.get("date") or {}).get("iso"),
            "type": entry.get("type") or "",
            "tei": f"tei/{doc_id}.xml",
            "pdf": f"print/{doc_id}.pdf",
            "page": f"web/{doc_id}.html",
            "url": _page_url(config, entry),
            "oai_identifier": oai_identifier(config, doc_id),
            "tei_sha256": entry["tei_sha256"],
            "tei_size": entry["tei_size"],
            "converted": (entry.get("conversion") or {}).get("when"),
        })
    manifest = {
        "edition": config.title,
        "publisher": config.publisher,
        "base_url": config.base_url,
        "generator": f"teipress {__version__}",
        "documents": documents,
        "count": len(documents),
    }
    if cmif is not None:
        manifest["cmif"] = {"path": CMIF_NAME, "sha256": hashlib.sha256(cmif).hexdigest(), "size": len(cmif)}
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------
# oai_dc


def oai_dc_bytes(entry: dict, config: Config) -> bytes:
    """The oai_dc record of a document, mapped from its header fields."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def add(name: str, values) -> None:
        for value in [values] if isinstance(values, str) or values is None else values:
            if value and value.strip():
                etree.SubElement(root, f"{{{DC_NS}}}{name}").text = _xml_safe(value.strip())

    add("title", entry.get("title"))
    add("creator", entry.get("authors") or [n["name"] for n in entry.get("senders") or []])
    add("subject", [term for terms in (entry.get("keywords") or {}).values() for term in terms])
    add("description", entry.get("summary"))
    add("publisher", entry.get("publisher") or config.publisher)
    add("contributor", entry.get("translators"))
    add("date", (entry.get("date") or {}).get("iso"))
    add("type", ["Text", entry.get("type")])  # the DCMI type, then the document type
    add("format", "application/tei+xml")
    add("identifier", [_page_url(config, entry), entry.get("url")])
    archives = entry.get("archives") or []
    source = entry.get("citation") or "; ".join(
        ", ".join(v for v in (a.get("repository"), a.get("collection"), a.get("idno"), a.get("locus")) if v)
        for a in archives)
    add("source", [source, *(entry.get("printed") or [])])
    add("language", [lang["ident"] for lang in entry.get("languages") or [] if lang.get("ident")]
        or entry.get("lang"))
    # the authority records of the people, organisations and places the document names
    add("relation", list(dict.fromkeys(uri for e in entry.get("entities") or [] for uri in e.get("uris", []))))
    licence = entry.get("licence")
    add("rights", [*(entry.get("rights") or []),
                   f"{licence['text']} ({licence['url']})" if licence and licence.get("url") else
                   (licence or {}).get("text")])
    return etree.tostring(root, encoding="UTF-8")


def _xml_safe(text: str) -> str:
    return re.sub(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", text)


# ---------------------------------------------------------------------------
# the OAI-PMH index

_SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    datestamp TEXT NOT NULL,          -- UTC, YYYY-MM-DDThh:mm:ssZ (sorts as time)
    deleted INTEGER NOT NULL DEFAULT 0,
    tei_sha256 TEXT,
    tei_path TEXT,                    -- relative to the editions folder
    set_specs TEXT NOT NULL DEFAULT '',  -- the header's setSpecs, space separated
    oai_dc BLOB                       -- the pre-rendered oai_dc record (NULL when deleted)
);
CREATE INDEX records_by_datestamp ON records (datestamp, id);
CREATE TABLE sets (spec TEXT PRIMARY KEY, name TEXT NOT NULL);
-- Set membership, parents included ("type" and "type:letter"), with the datestamp so that
-- a selective harvest by set and date is one index range.
CREATE TABLE set_members (spec TEXT NOT NULL, datestamp TEXT NOT NULL, id TEXT NOT NULL,
                          PRIMARY KEY (spec, datestamp, id)) WITHOUT ROWID;
CREATE INDEX set_members_by_id ON set_members (id);
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _after(stamp: str) -> str:
    """One second after a datestamp."""
    return utc_seconds(dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
                       + dt.timedelta(seconds=1))


def index_is_current(conn: sqlite3.Connection) -> bool:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == INDEX_SCHEMA


def create_index(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA_SQL)
    conn.execute("INSERT INTO meta VALUES ('schema', ?)", (INDEX_SCHEMA,))
    conn.commit()


def open_index(editions_dir: Path) -> sqlite3.Connection:
    """The edition's index for writing, created when absent (for incremental updates).

    Use upsert_record and mark_deleted on it; each commits its own change.
    """
    path = Path(editions_dir) / INDEX_NAME
    fresh = not path.exists()
    try:
        conn = sqlite3.connect(path)
        if fresh:
            create_index(conn)
        elif not index_is_current(conn):
            conn.close()
            raise OutputError("not a teipress OAI index of this version", path=str(path),
                              hint="run 'teipress render harvest' to rebuild it")
    except sqlite3.Error as exc:
        raise OutputError(f"cannot open the OAI index: {exc}", path=str(path)) from None
    return conn


def _put_sets(conn: sqlite3.Connection, doc_id: str, datestamp: str, sets: dict[str, str]) -> None:
    conn.execute("DELETE FROM set_members WHERE id = ?", (doc_id,))
    specs = set(sets)
    for spec, name in sets.items():
        family = spec.split(":", 1)[0]
        specs.add(family)
        conn.execute("INSERT OR IGNORE INTO sets VALUES (?, ?)", (spec, name))
        conn.execute("INSERT OR IGNORE INTO sets VALUES (?, ?)", (family, SET_FAMILIES.get(family, family)))
    conn.executemany("INSERT INTO set_members VALUES (?, ?, ?)", [(s, datestamp, doc_id) for s in sorted(specs)])


def _upsert(conn: sqlite3.Connection, entry: dict, config: Config, now: dt.datetime) -> bool:
    doc_id = entry["id"]
    sets = record_sets(entry)
    content = (entry["tei_sha256"], f"tei/{doc_id}.xml", " ".join(sorted(sets)), oai_dc_bytes(entry, config))
    previous = conn.execute("SELECT datestamp, deleted, tei_sha256, tei_path, set_specs, oai_dc FROM records "
                            "WHERE id = ?", (doc_id,)).fetchone()
    datestamp = entry["datestamp"]
    if previous is not None:
        old_stamp, was_deleted = previous[0], previous[1]
        if not was_deleted and tuple(previous[2:]) == content:
            return False  # the same record: its datestamp stays put
        if datestamp <= old_stamp:
            # The record changed (or came back) but its datestamp would not move forward, and
            # harvesters asking "from" their last visit would miss it: now is when we saw it.
            datestamp = max(utc_seconds(now), _after(old_stamp))
    conn.execute("INSERT OR REPLACE INTO records (id, datestamp, deleted, tei_sha256, tei_path, set_specs, oai_dc) "
                 "VALUES (?, ?, 0, ?, ?, ?, ?)", (doc_id, datestamp, *content))
    _put_sets(conn, doc_id, datestamp, sets)
    return True


def _delete(conn: sqlite3.Connection, doc_id: str, now: dt.datetime) -> bool:
    row = conn.execute("SELECT datestamp, deleted FROM records WHERE id = ?", (doc_id,)).fetchone()
    if row is None or row[1]:
        return False
    datestamp = max(utc_seconds(now), _after(row[0]))
    conn.execute("UPDATE records SET deleted = 1, datestamp = ?, oai_dc = NULL, tei_sha256 = NULL WHERE id = ?",
                 (datestamp, doc_id))
    # A deleted record stays in its sets: a selective harvest by set must learn of the deletion.
    conn.execute("UPDATE set_members SET datestamp = ? WHERE id = ?", (datestamp, doc_id))
    return True


def update_index(conn: sqlite3.Connection, upserts: Iterable[dict], deletions: Iterable[str], config: Config, *,
                 now: dt.datetime | None = None) -> int:
    """Add or update records and declare others deleted, in one transaction (the build calls
    it for each batch of documents it has done). Returns how many records changed."""
    now = now or _now()
    changed = 0
    with conn:
        for entry in upserts:
            changed += _upsert(conn, entry, config, now)
        for doc_id in deletions:
            changed += _delete(conn, doc_id, now)
        conn.execute("DELETE FROM sets WHERE spec NOT IN (SELECT DISTINCT spec FROM set_members)")
    return changed


def write_collection_files(editions_dir: Path, entries: list[dict], config: Config) -> list[str]:
    """cmif.xml and manifest.json from the entries (which need only what those two files show);
    returns the names of the files that changed."""
    outcome = Outcome()
    cmif = cmif_bytes(entries, config)
    _write_if_changed(Path(editions_dir) / CMIF_NAME, cmif, outcome)
    _write_if_changed(Path(editions_dir) / MANIFEST_NAME, manifest_bytes(entries, config, cmif), outcome)
    publish(Path(editions_dir))
    return outcome.written


def publish(editions_dir: Path) -> None:
    """Put cmif.xml and manifest.json into the web edition too, where their own addresses
    (<base_url>cmif.xml) say they are: publishing web/ alone publishes them."""
    web = editions_dir / "web"
    if not web.is_dir():
        return
    for name in (CMIF_NAME, MANIFEST_NAME):
        source, target = editions_dir / name, web / name
        if source.exists() and (not target.exists() or target.read_bytes() != source.read_bytes()):
            atomic_write(target, source.read_bytes())


def upsert_record(conn: sqlite3.Connection, entry: dict, config: Config, *, now: dt.datetime | None = None) -> bool:
    """Add or update one document's record (entry as from harvest_entry); True when it changed."""
    with conn:
        return _upsert(conn, entry, config, now or _now())


def mark_deleted(conn: sqlite3.Connection, doc_id: str, *, now: dt.datetime | None = None) -> bool:
    """Declare one document deleted (kept in the index for good); True when it was live."""
    with conn:
        return _delete(conn, doc_id, now or _now())


def sync_index(conn: sqlite3.Connection, entries: list[dict], config: Config, *,
               now: dt.datetime | None = None, keep: Collection[str] = ()) -> int:
    """Make the index hold exactly these live documents; others become deleted, except the
    ids in keep (left as they are). Returns the number of records changed. One transaction:
    readers see the old index or the new one."""
    now = now or _now()
    changed = 0
    with conn:
        live = {entry["id"] for entry in entries}
        for entry in entries:
            changed += _upsert(conn, entry, config, now)
        for (doc_id,) in conn.execute("SELECT id FROM records WHERE deleted = 0").fetchall():
            if doc_id not in live and doc_id not in keep:
                changed += _delete(conn, doc_id, now)
        # Sets nobody is in any more (a renamed repository) leave ListSets.
        conn.execute("DELETE FROM sets WHERE spec NOT IN (SELECT DISTINCT spec FROM set_members)")
    return changed


def write_index(path: Path, entries: list[dict], config: Config, *, now: dt.datetime | None = None,
                echo: Callable = print, keep: Collection[str] = ()) -> bool:
    """Update oai.sqlite in place (one transaction), or create it beside and rename it in.
    True when anything changed."""
    if path.exists():
        try:
            conn = sqlite3.connect(path)
            try:
                if index_is_current(conn):
                    return sync_index(conn, entries, config, now=now, keep=keep) > 0
            finally:
                conn.close()
        except sqlite3.Error as exc:
            _warn(echo, f"{path}: warning: the OAI index cannot be read ({exc}); it is made anew and the "
                  "records of removed documents are lost")
        else:
            _warn(echo, f"{path}: warning: an OAI index of another version; it is made anew and the "
                  "records of removed documents are lost")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            create_index(conn)
            sync_index(conn, entries, config, now=now)
        finally:
            conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write the OAI index: {exc}", path=str(path)) from None
    return True


# ---------------------------------------------------------------------------
# the stage


def _write_if_changed(path: Path, data: bytes, outcome: Outcome) -> None:
    if path.exists() and path.read_bytes() == data:
        outcome.unchanged.append(path.name)
    else:
        atomic_write(path, data)
        outcome.written.append(path.name)


def write_harvest(editions_dir: Path, config: Config, *, echo: Callable = print, entries: list[dict] | None = None,
                  edited: Collection[str] = (), keep: Collection[str] = (), now: dt.datetime | None = None) -> Outcome:
    """Write EDITIONS_DIR/cmif.xml, manifest.json and oai.sqlite from EDITIONS_DIR/tei/*.xml.

    entries: one dict per document as made by harvest_entry (the build passes them; when
    None, the TEI files are read here). edited: ids of TEI files edited by hand (their
    datestamp is the file's mtime), used only when entries is None. keep: ids of documents
    that exist but failed this build: their records stay as they were instead of becoming
    deleted (a TEI file that cannot be read here is kept so too, and listed in
    Outcome.failed). now: the time of this build, for the datestamps of deletions and
    changes (default: the clock).
    """
    editions_dir = Path(editions_dir)
    tei_dir = editions_dir / "tei"
    outcome = Outcome()
    if entries is None:
        if not tei_dir.is_dir():
            raise RenderError("no TEI folder", path=str(tei_dir),
                              hint="run 'teipress build' first, or give the editions folder")
        entries = read_entries(tei_dir, edited=edited, echo=echo, outcome=outcome)
    cmif = cmif_bytes(entries, config)
    _write_if_changed(editions_dir / CMIF_NAME, cmif, outcome)
    _write_if_changed(editions_dir / MANIFEST_NAME, manifest_bytes(entries, config, cmif), outcome)
    # A file that failed to read is not a removed document: its previous record stays as it was.
    keep = {*keep, *(Path(path).stem for path, _ in outcome.failed)}
    index_path = editions_dir / INDEX_NAME
    if write_index(index_path, entries, config, now=now, echo=echo, keep=keep):
        outcome.written.append(index_path.name)
    else:
        outcome.unchanged.append(index_path.name)
    publish(editions_dir)
    for name in outcome.written:
        echo(f"{editions_dir / name} (written)")
    return outcome
