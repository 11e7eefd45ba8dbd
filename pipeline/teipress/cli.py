"""The command line: thin wrappers that parse options and call the library.

Library errors (TeipressError) are printed as one line and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from teipress import __version__
from teipress.errors import TeipressError


def _fail(error: TeipressError) -> None:
    click.echo(str(error), err=True)


def _finish(work) -> None:
    """Run a library call; exit 1 on a TeipressError or when anything failed, else 0."""
    try:
        outcome = work()
    except TeipressError as error:
        _fail(error)
        sys.exit(1)
    sys.exit(1 if outcome.failed else 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="teipress")
def main() -> None:
    """teipress: archival plain text to TEI P5, validated, and published as print and web
    editions with harvest interfaces."""


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("editions/tei"), show_default=True, help="Folder for the TEI files.")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the conversion report (JSON) to this file.")
@click.option("--reader", type=click.Choice(["wilson", "seedtext"]), help="Force a reader instead of detecting one.")
@click.option("--force", is_flag=True, help="Overwrite TEI files that differ from the conversion (hand edits).")
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder holding teipress.toml (and register.xml).")
@click.option("--register", "register_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Register of names to tag (default: the config's, or register.xml in the config folder).")
def convert(sources, out_dir, report_path, reader, force, config_dir, register_file):
    """Convert SOURCES (text files, or folders of .txt files) to TEI.

    Exit 0 when every source converted, 1 when any failed (the others are still written).
    """
    from teipress.convert import convert_files
    from teipress.config import load_config
    from teipress.register import load_register, register_path

    def work():
        config = load_config(config_dir)
        path = register_file or register_path(config_dir, config.register)
        return convert_files(list(sources), out_dir, config, report_path=report_path, reader=reader,
                             force=force, register=load_register(path) if path else None, echo=click.echo)

    _finish(work)


@main.command()
@click.argument("project_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Editions folder (default: PROJECT_DIR/editions).")
@click.option("--only", help="Stages to run, comma-separated: tei,web,search,print,harvest (default: all).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run the document batches here or on a Dask cluster.")
@click.option("--scheduler", help="The Dask scheduler's address, with --executor dask (tcp://host:8786).")
def build(project_dir, out_dir, only, jobs, executor, scheduler):
    """Build the editions of PROJECT_DIR: seeds/ -> editions/ (TEI, reports, PDFs, web
    site, search index, harvest files), redoing only what changed.

    Exit 0 when every document built, 1 when any failed (the others are still built).
    """
    from teipress.build import build as run_build

    _finish(lambda: run_build(project_dir, out_dir, only=only, jobs=jobs, executor=executor, scheduler=scheduler,
                              echo=click.echo, tty=sys.stderr.isatty()))


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--title", default="A teipress edition", show_default=True, help="The edition's title.")
@click.option("--publisher", default="The editors", show_default=True, help="Who publishes the edition.")
def init(directory, title, publisher):
    """Start a new edition project in DIRECTORY: seeds/, a commented teipress.toml and a
    short README for the editor. `teipress build` inside it works at once."""
    from teipress.init import init_project

    try:
        for path in init_project(directory, title, publisher):
            click.echo(f"created {path}")
    except TeipressError as error:
        _fail(error)
        sys.exit(1)
    click.echo(f"next: put .txt files in {directory / 'seeds'}, then run 'teipress build' in {directory}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Text (one problem a line, file:line:col) or a JSON list.")
def validate(paths, fmt):
    """Validate TEI files (or folders of them) against the teipress schema and rules.

    Exit 0 when every file is valid, 1 when any is not.
    """
    from teipress.validate import format_json, format_text, validate_paths

    try:
        run = validate_paths(list(paths))
    except TeipressError as error:
        _fail(error)
        sys.exit(1)
    click.echo(format_json(run) if fmt == "json" else format_text(run))
    sys.exit(0 if run.ok else 1)


@main.group()
def render():
    """Render editions from TEI files."""


@render.command("print")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("editions/print"), show_default=True, help="Folder for the PDFs.")
@click.option("-j", "--jobs", type=int, help="Worker processes (default: all cores).")
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder holding teipress.toml.")
def render_print(sources, out_dir, jobs, config_dir):
    """Typeset TEI files (or folders of them) as archival PDFs.

    Exit 0 when every PDF was written, 1 when any failed (the others are still written).
    """
    from teipress.config import load_config
    from teipress.writers.print import render_print_files

    _finish(lambda: render_print_files(list(sources), out_dir, load_config(config_dir), jobs=jobs, echo=click.echo))


@render.command("web")
@click.argument("editions_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("editions"))
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder holding teipress.toml.")
def render_web(editions_dir, config_dir):
    """Build the web edition EDITIONS_DIR/web from EDITIONS_DIR/tei."""
    from teipress.config import load_config
    from teipress.writers.web import write_site

    _finish(lambda: write_site(editions_dir, load_config(config_dir), echo=click.echo))


@render.command("harvest")
@click.argument("editions_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("editions"))
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder holding teipress.toml.")
def render_harvest(editions_dir, config_dir):
    """Write the harvest files of EDITIONS_DIR: cmif.xml, manifest.json, oai.sqlite."""
    from teipress.config import load_config
    from teipress.writers.harvest import write_harvest

    _finish(lambda: write_harvest(editions_dir, load_config(config_dir), echo=click.echo))


@main.group()
def register():
    """Work with the register of people, organisations and places."""


@register.command("suggest")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--register", "register_file", type=click.Path(path_type=Path, dir_okay=False),
              help="The register to compare with (default: the config's, or register.xml in the config folder).")
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder holding teipress.toml (and register.xml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--min-count", type=int, default=1, show_default=True, help="Only names found this often.")
def register_suggest(sources, register_file, config_dir, fmt, min_count):
    """List names in SOURCES (files or folders of .txt) that the register lacks, with
    their counts and the documents they occur in, most frequent first."""
    import json

    from teipress.convert import source_files
    from teipress.config import load_config
    from teipress.register import document_texts, load_register, register_path, suggest

    try:
        config = load_config(config_dir)
        path = register_file or register_path(config_dir, config.register)
        known = load_register(path) if path else None
        texts = dict(document_texts(p) for p in source_files(list(sources)))
    except TeipressError as error:
        _fail(error)
        sys.exit(1)
    found = [s for s in suggest(texts, known) if s.count >= min_count]
    if fmt == "json":
        click.echo(json.dumps([s.__dict__ for s in found], ensure_ascii=False, indent=1))
        return
    click.echo(f"{'count':>5}  {'kind':<7} name  (documents)")
    for item in found:
        click.echo(f"{item.count:>5}  {item.kind:<7} {item.name}  ({', '.join(item.documents)})")
    click.echo(f"{len(found)} names not in the register" + (f" {path}" if path else " (no register)"))


@main.command()
@click.argument("editions_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("editions"))
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="Folder holding teipress.toml.")
def serve(editions_dir, port, host, config_dir):
    """Serve EDITIONS_DIR/web at / and the OAI-PMH repository at /oai (preview)."""
    from teipress.config import load_config
    from teipress.serve import serve as run_server

    try:
        run_server(editions_dir, load_config(config_dir), host=host, port=port, echo=click.echo)
    except TeipressError as error:
        _fail(error)
        sys.exit(1)
