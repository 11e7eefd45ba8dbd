"""Orchestration: sources -> TEI (-> editions, in later stages)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from teipress.config import Config, conversion_date, load_config
from teipress.convert import convert_source, redater, report_bytes, schema_href_for
from teipress.errors import InputError, TeipressError
from teipress.register import Register, load_register, register_path
from teipress.sources import read_source
from teipress.writers.tei import write_tei
from teipress.xmlio import atomic_write


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def say(text: str, err: bool = False) -> None:
    """The default echo: standard output, or standard error for problems (click.echo's signature)."""
    print(text, file=sys.stderr if err else sys.stdout)


def source_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to their .txt files (sorted)."""
    out = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file()))
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
        conversion.report["status"] = status
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


def build(project_dir: Path, out_dir: Path, echo: Callable = say) -> Outcome:
    """seeds/ -> out_dir/tei and out_dir/reports."""
    config = load_config(project_dir)
    seeds = project_dir / config.seeds
    if not seeds.is_dir():
        raise InputError("no seeds folder", path=str(seeds), hint="put the source .txt files in seeds/ "
                         "or run 'teipress init'")
    register = project_register(project_dir, config)
    return convert_files([seeds], out_dir / "tei", config, reports_dir=out_dir / "reports", register=register,
                         echo=echo)
