"""Sources -> TEI documents and their conversion reports.

convert_source does one source in memory; convert_files is `teipress convert`: many
files, written beside each other, never over a TEI file an editor changed."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
from lxml import etree

from teipress import __version__
from teipress.config import Config, conversion_date, schema_href_for
from teipress.errors import InputError, TeipressError
from teipress.model import Document
from teipress.readers import choose_reader
from teipress.register import Register, load_register, register_path
from teipress.model import Outcome
from teipress.sources import SourceText, document_id, read_source
from teipress.tei import NS
from teipress.tei.encode import encode_and_serialise
from teipress.writers.tei import write_tei
from teipress.xmlio import atomic_write, safe_parser, serialise



@dataclass
class Conversion:
    doc: Document
    tree: etree._ElementTree
    data: bytes  # the TEI file's bytes
    report: dict


def convert_source(source: SourceText, config: Config, *, when: str, schema_href: str,
                   reader: str | None = None, register: Register | None = None) -> Conversion:
    """Read a source with the right reader and encode it as TEI (names tagged when a
    register is given)."""
    module = choose_reader(source.text, reader)
    doc = Document(id="", source_name=source.path.name, source_sha256=source.sha256, reader=module.NAME,
                   truncated=source.cut_in_character)
    module.read(source.text, doc)
    _check_found(doc, source.path)
    doc.id = document_id(source.path.stem, doc.record_id, config.id_rule, config.id_prefix)
    tree, data = encode_and_serialise(doc, config, when, schema_href, register)
    return Conversion(doc, tree, data, build_report(doc, source.path))


def redater(conversion: Conversion) -> Callable[[bytes], bytes | None]:
    """For a TEI file on disk: this conversion's bytes with that file's conversion date."""
    def redate(existing: bytes) -> bytes | None:
        try:
            old = etree.fromstring(existing, safe_parser())
        except etree.XMLSyntaxError:
            return None
        when = old.xpath("string(tei:teiHeader/tei:revisionDesc/tei:change[@type='conversion']/@when)",
                         namespaces=NS)
        if not when:
            return None
        tree = copy.deepcopy(conversion.tree)
        for change in tree.getroot().xpath("tei:teiHeader/tei:revisionDesc/tei:change[@type='conversion']",
                                           namespaces=NS):
            change.set("when", when)
        return serialise(tree)

    return redate


def _check_found(doc: Document, path: Path) -> None:
    """A document needs a title or a date to be anything at all; the rest may be missing."""
    if not doc.title and not doc.date:
        raise InputError("no title and no date found", path=str(path),
                         hint="is this an archive page or a seed-text file? a seed-text file starts "
                              "with 'Title:' and 'Date:' lines")
    if not doc.title:
        doc.title = f"Untitled document of {doc.date.text}"
        doc.warn("no-title", f"no title found; using {doc.title!r}")
    if not doc.date:
        doc.warn("no-date", "no date found; the TEI has no date for the document",
                 next((r.line for r in doc.lines if r.to == "header/title"), None))
    elif not doc.date.iso:
        doc.warn("date-unreadable", f"cannot read the date {doc.date.text!r}")
    if not any(d.content or d.opener or d.bottom or d.head for d in doc.divisions):
        doc.warn("no-text", "no text of the document found; the TEI holds its header only")


def build_report(doc: Document, path: Path) -> dict:
    """What the converter did with every source line (deterministic: no timestamps)."""
    set_aside, lines = [], []
    for r in doc.lines:  # (one pass over the lines for both lists)
        line = {"line": r.line, "to": r.to, "rule": r.rule, "text": r.text}
        if r.dropped:
            line["dropped"] = r.dropped
        if r.to == "set-aside":
            if r.text.strip() or r.dropped:
                set_aside.append({"line": r.line, "rule": r.rule, "text": r.text})
        elif r.dropped:
            set_aside.append({"line": r.line, "rule": r.rule, "text": r.dropped})
        lines.append(line)
    return {
        "teipress": __version__,
        "source": path.name,
        "sha256": doc.source_sha256,
        "id": doc.id,
        "reader": doc.reader,
        "shape": doc.shape,
        "truncated": doc.truncated,
        "warnings": [
            {"line": i.line, "rule": i.rule, "message": i.message} for i in doc.issues
        ],
        "set_aside": set_aside,
        "lines": lines,
    }


def report_bytes(report: dict | list) -> bytes:
    """A report as JSON an editor can read and diff: a key, a warning or a source line a
    line. (Each item is written on one line: JSON strings escape every line break.)"""
    if isinstance(report, list):
        return b"[\n" + b",\n".join(report_bytes(r).rstrip(b"\n") for r in report) + b"\n]\n"
    members = []
    for key, value in report.items():
        if isinstance(value, list) and value:
            text = b"[\n  " + b",\n  ".join(map(orjson.dumps, value)) + b"\n ]"
        else:
            text = orjson.dumps(value)
        members.append(b" " + orjson.dumps(key) + b": " + text)
    return b"{\n" + b",\n".join(members) + b"\n}\n"


# ---------------------------------------------------------------------------
# teipress convert: many sources, no build state


def say(text: str, err: bool = False) -> None:
    """The default echo: standard output, or standard error for problems (click.echo's signature)."""
    print(text, file=sys.stderr if err else sys.stdout)


def source_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to their .txt files (sorted)."""
    out = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not found:
                raise InputError("no .txt files in this folder", path=str(path),
                                 hint="sources are UTF-8 .txt files")
            out.extend(found)
        else:
            out.append(path)
    return out


def _echo_issues(path: Path, issues, echo: Callable) -> None:
    for issue in issues:
        where = f"{path}:{issue.line}" if issue.line else str(path)
        echo(f"{where}: {issue.severity}: {issue.message} [{issue.rule}]", err=True)


def convert_files(paths: list[Path], tei_dir: Path, config: Config, *, report_path: Path | None = None,
                  reports_dir: Path | None = None, reader: str | None = None, force: bool = False,
                  recorded: dict[str, str] | None = None, register: Register | None = None,
                  echo: Callable = say) -> Outcome:
    """Convert sources into tei_dir; one failing source does not stop the others."""
    outcome = Outcome()
    when = conversion_date(config)
    href = schema_href_for(tei_dir)
    reports = []
    seen: dict[str, Path] = {}
    for path in source_files(paths):
        try:
            conversion = convert_source(read_source(path), config, when=when, schema_href=href, reader=reader,
                                        register=register)
            doc_id = conversion.doc.id
            if doc_id in seen:
                raise InputError(f"gives the id {doc_id!r}, which {seen[doc_id]} has already",
                                 path=str(path), hint="rename one of the files")
            seen[doc_id] = path
            target = tei_dir / f"{doc_id}.xml"
            status = write_tei(target, conversion.data, (recorded or {}).get(doc_id), force, redater(conversion))
        except TeipressError as error:
            echo(str(error), err=True)
            outcome.failed.append((str(path), str(error)))
            continue
        _echo_issues(path, conversion.doc.issues, echo)
        getattr(outcome, status).append(doc_id)
        if status == "kept":
            echo(f"{target}: kept: differs from the conversion of {path} (edited by hand?); "
                 "use --force to overwrite", err=True)
        else:
            echo(f"{path} -> {target} ({status})")
        conversion.report["tei"] = target.name
        if reports_dir is not None:
            atomic_write(reports_dir / f"{doc_id}.json", report_bytes(conversion.report))
        reports.append(conversion.report)
    if report_path is not None:
        atomic_write(report_path, report_bytes(reports[0] if len(reports) == 1 else reports))
    return outcome


def project_register(project_dir: Path, config: Config) -> Register | None:
    """The project's register of names, if it has one."""
    path = register_path(project_dir, config.register)
    return load_register(path) if path else None
