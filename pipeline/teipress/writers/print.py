"""The print edition: one typeset, archival PDF per TEI document, by Typst.

The document reaches Typst as data, never as markup: ``print_data`` builds a JSON
object from ``edition.reading(root)`` (the same header fields, blocks and citation the
web edition shows) and the template reads it from ``sys.inputs``. Text from a letter is
therefore only ever a Typst string, so ``#``, ``[``, ``$`` or a line of Typst code in a
letter prints as written and can never run.

A PrintRenderer holds one Typst compiler (template and fonts loaded once) and is made
once per worker process; ``render_print_files`` spreads the documents over a process
pool in batches, and one failing document does not stop the others.

Fonts: the text font is Libertinus Serif (built into Typst). For every script it lacks
the template gets a list of fallbacks: families from the config's font folders first,
then known system families by language (Noto CJK for Chinese, Japanese, Korean ...),
then any installed font that has the glyph. Every supported PDF standard makes Typst
refuse a character no font can show, and that refusal becomes a RenderError naming the
characters and how to add a font.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import typst
from lxml import etree

from teipress import __version__
from teipress.config import Config, conversion_date
from teipress.edition import reading
from teipress.errors import ConfigError, InputError, RenderError, TeipressError
from teipress.tei import TEI_NS, XML_NS
from teipress.xmlio import MAX_XML_BYTES, atomic_write, safe_parser

if TYPE_CHECKING:
    from teipress.model import Outcome

# The PDF standards teipress offers. Each makes Typst check that every character has a
# glyph (which is how a missing font is found), so plain PDF is not among them.
STANDARDS = ("a-2a", "a-2b", "a-2u", "a-3a", "a-3b", "a-3u", "a-4", "a-4f", "ua-1")
# PDF/A-2 forbids attached files; PDF/A-3, PDF/A-4f and PDF/UA allow them.
NO_ATTACHMENT = ("a-2a", "a-2b", "a-2u", "a-4")
MAIN_FONT = "Libertinus Serif"
# Known CJK families in order of preference, {v} being the regional variant. The variant
# decides the glyph forms (Simplified Chinese, Traditional Chinese, Japanese, Korean).
CJK_FAMILIES = ("Noto Serif CJK {v}", "Source Han Serif {v}", "Noto Sans CJK {v}", "Source Han Sans {v}")
CJK_VARIANTS = {"zh": "SC", "zh-hant": "TC", "zh-tw": "TC", "zh-hk": "HK", "zh-mo": "HK", "ja": "JP", "ko": "KR"}
# Wide-coverage families tried after the CJK ones (Typst then tries every other font).
OTHER_FAMILIES = ("DejaVu Serif", "Noto Serif", "FreeSerif", "DejaVu Sans", "Noto Sans")
# Below this many documents one process is faster than starting a pool (about 30 ms a
# document against about 0.3 s to start each worker).
SEQUENTIAL_BELOW = 16
BATCHES_PER_WORKER = 4
MAX_BATCH = 50
FONT_HINT = ("install a font that has them, e.g. Debian's fonts-noto-cjk for Chinese, Japanese and Korean or "
             "fonts-noto-core for most other scripts, or put one in a folder listed in [print] fonts in teipress.toml")


def _where(config: Config) -> str | None:
    return str(config.source) if config.source else None


def pdf_standards(config: Config) -> list[str]:
    """The configured PDF standard(s): one name, or several joined by '+' (e.g. 'a-3a+ua-1')."""
    names = [part.strip().lower() for part in str(config.pdf_standard).split("+") if part.strip()]
    unknown = [name for name in names if name not in STANDARDS]
    if not names or unknown:
        raise ConfigError(f"print.standard {config.pdf_standard!r} is not one teipress offers",
                          path=_where(config),
                          hint=f"use one of {', '.join(STANDARDS)} (default a-3b), or e.g. 'a-3a+ua-1'")
    return names


def attaches_source(standards: list[str]) -> bool:
    """Whether the PDF can carry its TEI file (PDF/A-2 and plain PDF/A-4 refuse attachments)."""
    return not any(name in NO_ATTACHMENT for name in standards)


def _config_path(config: Config, value: str) -> Path:
    """A path from the config, relative to the folder holding teipress.toml."""
    path = Path(value).expanduser()
    if not path.is_absolute() and config.source is not None:
        path = config.source.parent / path
    return path


def template_path(config: Config) -> Path:
    """The editor's template when the config names one, else the packaged edition.typ."""
    if config.print_template:
        path = _config_path(config, config.print_template)
        if not path.is_file():
            raise ConfigError(f"print.template {config.print_template!r} is not a file ({path})",
                              path=_where(config),
                              hint="give the path of a .typ file, relative to teipress.toml")
        return path
    return Path(str(resources.files("teipress") / "templates" / "edition.typ"))


def font_folders(config: Config) -> list[Path]:
    folders = [_config_path(config, value) for value in config.fonts]
    for value, folder in zip(config.fonts, folders):
        if not folder.is_dir():
            raise ConfigError(f"print.fonts: {value!r} is not a folder ({folder})",
                              path=_where(config),
                              hint="list folders holding .ttf/.otf/.ttc files, relative to teipress.toml")
    return folders


def check_print_config(config: Config) -> None:
    """Raise ConfigError for a print setting that cannot work, before any worker starts."""
    pdf_standards(config)
    template_path(config)
    font_folders(config)
    if config.paper not in ("a4", "us-letter"):
        raise ConfigError(f"print.paper must be 'a4' or 'us-letter', not {config.paper!r}", path=_where(config))
    if not isinstance(config.line_numbers, int) or config.line_numbers < 0:
        raise ConfigError(f"print.line_numbers must be 0 (numbered paragraphs) or a line interval such as 5, "
                          f"not {config.line_numbers!r}", path=_where(config))


# ---------------------------------------------------------------------------
# languages and fonts


def typst_language(tag: str | None) -> dict | None:
    """An xml:lang value as Typst's lang/region, or None when Typst cannot use it."""
    if not tag:
        return None
    parts = tag.replace("_", "-").split("-")
    lang = parts[0].lower()
    if not re.fullmatch(r"[a-z]{2,3}", lang):
        return None
    region = next((p.upper() for p in parts[1:] if re.fullmatch(r"[A-Za-z]{2}", p)), None)
    return {"lang": lang, "region": region}


def _cjk_variant(tag: str) -> str:
    tag = tag.lower().replace("_", "-")
    for key in (tag, "-".join(tag.split("-")[:2]), tag.split("-")[0]):
        if key in CJK_VARIANTS:
            return CJK_VARIANTS[key]
    return "SC"  # the archive's documents mostly quote Chinese


def font_list(tag: str | None, families: set[str], own: list[str]) -> list[str]:
    """Fonts for text in language tag: the main font, the editor's fonts, then fallbacks by script.

    Chinese, Japanese and Korean text starts with its CJK font, so the digits and Latin
    letters inside it match the ideographs; other text starts with the main font.
    """
    first = _cjk_variant(tag or "")
    variants = [first] + [v for v in ("SC", "TC", "HK", "JP", "KR") if v != first]
    cjk = [pattern.format(v=v) for pattern in CJK_FAMILIES for v in variants]
    if (tag or "").lower().replace("_", "-").split("-")[0] in ("zh", "ja", "ko"):
        wanted = [*own, *cjk, MAIN_FONT, *OTHER_FAMILIES]
    else:
        wanted = [MAIN_FONT, *own, *cjk, *OTHER_FAMILIES]
    seen: list[str] = []
    for family in wanted:
        if family.lower() in families and family not in seen:
            seen.append(family)
    return seen


def _languages_used(node, out: set[str]) -> set[str]:
    """Every xml:lang in the text (sections, foreign phrases), wherever it sits in the blocks."""
    if isinstance(node, dict):
        if isinstance(node.get("lang"), str) and node["lang"]:
            out.add(node["lang"])
        for value in node.values():
            _languages_used(value, out)
    elif isinstance(node, list):
        for value in node:
            _languages_used(value, out)
    return out


# ---------------------------------------------------------------------------
# the data the template reads


def short_title(header: dict, limit: int = 60) -> str:
    """The running head's title: the title when short, else 'Sender to Recipient', else cut."""
    title = header["title"]
    if len(title) <= limit:
        return title
    senders = ", ".join(n["name"] for n in header["senders"] if n["name"] != "Unknown")
    recipients = ", ".join(n["name"] for n in header["recipients"] if n["name"] != "Unknown")
    if senders and recipients and len(senders) + len(recipients) + 4 <= limit:
        return f"{senders} to {recipients}"
    return title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def print_data(root: etree._Element, config: Config, families: set[str], own_fonts: list[str],
               doc_id: str) -> dict:
    """What the template gets: edition.reading(root) plus the print settings."""
    data = reading(root)
    header = data["header"]
    standards = pdf_standards(config)
    languages = {}
    for tag in sorted({header["lang"], *_languages_used(data["body"], set())}):
        language = typst_language(tag)
        if language is not None:
            languages[tag] = {**language, "fonts": font_list(tag, families, own_fonts)}
    names = {lang["ident"]: lang["name"] for lang in header["languages"] if lang.get("ident")}
    data["edition"] = {"title": config.title, "publisher": config.publisher}
    data["print"] = {
        "id": doc_id,
        "paper": config.paper,
        "line_numbers": config.line_numbers,
        "attachment": f"{doc_id}.xml" if attaches_source(standards) else None,
        "standards": standards,
        "short_title": short_title(header),
        "languages": languages,
        "language_names": names,
        "fonts": font_list(header["lang"], families, own_fonts),
        "teipress": __version__,
    }
    return data


def document_date(header: dict, config: Config) -> dt.datetime:
    """The PDF's date: the TEI's conversion date, so the same TEI gives the same bytes."""
    when = header["conversion"]["when"] or ""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}).*", when)
    day = match.group(0)[:10] if match else conversion_date(config)
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------------------
# Typst errors


_MISSING = re.compile(r'the text `"(.+?)"` could not be displayed with font')
_ESCAPE = re.compile(r'\\u\{([0-9a-fA-F]+)\}|\\(.)')
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t"}


def _unescape(text: str) -> str:
    """A Typst string as Typst prints it in a message (\\u{10fffd}, \\", \\\\) back to its characters."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else _ESCAPED.get(m.group(2), m.group(2)),
                       text)


def _report(error: typst.TypstError) -> str:
    """Everything Typst said: the first message and the diagnostics of all errors."""
    message = getattr(error, "message", None) or (error.args[0] if error.args else "")
    diagnostic = getattr(error, "diagnostic", None) or (error.args[1] if len(error.args) > 1 else "")
    return f"{message}\n{diagnostic}"


def missing_characters(error: typst.TypstError) -> list[str]:
    """The characters Typst found no glyph for, in order of appearance, each once."""
    found: list[str] = []
    for text in _MISSING.findall(_report(error)):
        for char in _unescape(text):
            if char not in found and not char.isspace():
                found.append(char)
    return found


def describe_characters(chars: list[str], limit: int = 5) -> str:
    """'3 characters: 火车头 (U+706B CJK UNIFIED IDEOGRAPH-706B, ...)'."""
    names = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in chars[:limit]]
    shown = "".join(chars[:40]) + ("…" if len(chars) > 40 else "")
    count = f"{len(chars)} character" + ("s" if len(chars) != 1 else "")
    return f"{count}: {shown} ({', '.join(names)}{', …' if len(chars) > limit else ''})"


def render_error(error: typst.TypstError, template: Path) -> RenderError:
    chars = missing_characters(error)
    if chars:
        return RenderError(f"no available font has glyphs for {describe_characters(chars)}", hint=FONT_HINT)
    lines = [line.strip() for line in _report(error).splitlines() if line.strip()]
    message = lines[0] if lines else "unknown error"
    where = next((line.lstrip("┌─ ") for line in lines if line.startswith("┌─")), "")
    hints = getattr(error, "hints", None) or []
    return RenderError(f"Typst could not typeset the document: {message}" + (f" (at {where})" if where else ""),
                       hint=f"check the print template {template}" + (f"; {hints[0]}" if hints else ""))


# ---------------------------------------------------------------------------
# the renderer


class PrintRenderer:
    """One Typst compiler with the template and fonts loaded once; renders many documents."""

    def __init__(self, config: Config):
        check_print_config(config)
        self.config = config
        self.standards = pdf_standards(config)
        self.template = template_path(config)
        folders = [str(folder) for folder in font_folders(config)]
        fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True, font_paths=folders)
        self.families = {family.lower() for family in fonts.families()}
        own = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=folders)
        self.own_fonts = sorted(own.families()) if folders else []
        # The template by path: typst 0.15.2 finds a bytes input only on its first compile.
        self.compiler = typst.Compiler(str(self.template), root=str(self.template.parent), font_paths=fonts)

    def typeset(self, root: etree._Element, tei_bytes: bytes) -> bytes:
        """The PDF of one TEI document (root: its parsed tree; tei_bytes: the file to attach)."""
        if root.tag != f"{{{TEI_NS}}}TEI":
            raise InputError(f"not a TEI document (the root element is {etree.QName(root).localname!r})",
                             hint="give TEI P5 files, e.g. the ones 'teipress convert' writes")
        doc_id = root.get(f"{{{XML_NS}}}id") or "document"
        data = print_data(root, self.config, self.families, self.own_fonts, doc_id)
        inputs = {"data": json.dumps(data, ensure_ascii=False, sort_keys=True), "tei": _tei_text(root, tei_bytes)}
        try:
            pdf = self.compiler.compile(format="pdf", sys_inputs=inputs, pdf_standards=self.standards,
                                        timestamp=document_date(data["header"], self.config))
        except typst.TypstError as error:
            raise render_error(error, self.template) from None
        return pdf

    def render(self, root: etree._Element, tei_bytes: bytes, out_path: Path) -> None:
        """Typeset one TEI document and write its PDF to out_path."""
        atomic_write(out_path, self.typeset(root, tei_bytes))


def _tei_text(root: etree._Element, tei_bytes: bytes) -> str:
    """The TEI file as text for the attachment: its own bytes when UTF-8 (always, for files
    teipress writes), else the tree re-serialised as UTF-8 (Typst inputs are strings)."""
    try:
        return tei_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True).decode("utf-8")


# ---------------------------------------------------------------------------
# many documents


def tei_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to their .xml files (sorted)."""
    out = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix == ".xml" and p.is_file()))
        else:
            out.append(path)
    return out


def read_tei(path: Path) -> tuple[etree._Element, bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    if len(data) > MAX_XML_BYTES:
        raise InputError(f"larger than {MAX_XML_BYTES // (1024 * 1024)} MB", path=str(path))
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc.msg}", path=str(path), line=exc.lineno,
                         hint="run 'teipress validate' on it") from None
    return root, data


def output_name(root: etree._Element, path: Path) -> str:
    """The document's id (its xml:id, else the file's stem): it names the PDF."""
    return root.get(f"{{{XML_NS}}}id") or path.stem


def _render_one(renderer: PrintRenderer, path: Path, out_dir: Path) -> tuple[str, str]:
    """(doc_id, 'written' | 'unchanged'); raises TeipressError with the file's path."""
    try:
        root, data = read_tei(path)
        doc_id = output_name(root, path)
        if root.get(f"{{{XML_NS}}}id") is None:
            root.set(f"{{{XML_NS}}}id", doc_id)
        pdf = renderer.typeset(root, data)
    except TeipressError as error:
        error.path = error.path or str(path)
        raise
    target = out_dir / f"{doc_id}.pdf"
    if target.is_file() and target.read_bytes() == pdf:
        return doc_id, "unchanged"
    atomic_write(target, pdf)
    return doc_id, "written"


# One renderer per worker process, made by the pool's initializer.
_WORKER: PrintRenderer | None = None


def _start_worker(config: Config) -> None:
    global _WORKER
    _WORKER = PrintRenderer(config)


def _render_batch(paths: list[Path], out_dir: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    """(path, doc_id, status, error) for each path; errors are returned, not raised."""
    assert _WORKER is not None
    return [_attempt(_WORKER, path, out_dir) for path in paths]


def _attempt(renderer: PrintRenderer, path: Path, out_dir: Path):
    try:
        doc_id, status = _render_one(renderer, path, out_dir)
    except TeipressError as error:
        return str(path), None, None, str(error)
    return str(path), doc_id, status, None


def _batches(items: list, jobs: int) -> list[list]:
    size = max(1, min(MAX_BATCH, math.ceil(len(items) / (jobs * BATCHES_PER_WORKER))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _echo_error(echo: Callable, message: str) -> None:
    if echo is print:
        print(message, file=sys.stderr)
    else:
        echo(message, err=True)


def render_print_files(sources: list[Path], out_dir: Path, config: Config, *, jobs: int | None = None,
                       echo: Callable = print) -> Outcome:
    """Typeset TEI files (or folders of them) into out_dir/<id>.pdf.

    A process pool with one PrintRenderer per worker does the work in batches; a small
    run stays in this process. A document that fails is reported and the others are
    still written. Raises ConfigError before any work when a print setting is unusable.
    """
    check_print_config(config)
    files = tei_files(sources)
    results: list[tuple | None] = [None] * len(files)
    todo: list[int] = []
    seen: dict[str, Path] = {}
    for index, path in enumerate(files):
        name = _peek_id(path) or path.stem
        if name in seen:  # two files, one PDF name: keep the first, refuse the second
            error = InputError(f"has the id {name!r}, which {seen[name]} has already", path=str(path),
                               hint="give each TEI file its own xml:id")
            results[index] = (str(path), None, None, str(error))
            continue
        seen[name] = path
        todo.append(index)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(todo) < SEQUENTIAL_BELOW:
        renderer = PrintRenderer(config) if todo else None
        for index in todo:
            results[index] = _attempt(renderer, files[index], out_dir)
    else:
        # Imported here: a small run (the usual editor's case) starts faster without them.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: forking a process that may already run Typst's threads is not safe.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context,
                                 initializer=_start_worker, initargs=(config,)) as pool:
            batches = _batches(todo, jobs)
            futures = [pool.submit(_render_batch, [files[i] for i in batch], out_dir) for batch in batches]
            for batch, future in zip(batches, futures):
                for index, result in zip(batch, future.result()):
                    results[index] = result
    return _outcome(results, out_dir, echo)


def _peek_id(path: Path) -> str | None:
    """The root's xml:id, read from the start of the file only (None when unreadable)."""
    try:
        for _, element in etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True,
                                          load_dtd=False, huge_tree=False):
            return element.get(f"{{{XML_NS}}}id")
    except (OSError, etree.XMLSyntaxError):
        return None
    return None


def _outcome(results, out_dir: Path, echo: Callable) -> Outcome:
    from teipress.model import Outcome  # here: teipress.build imports the whole converter

    outcome = Outcome()
    for path, doc_id, status, error in results:
        if error is not None:
            _echo_error(echo, error)
            outcome.failed.append((path, error))
            continue
        getattr(outcome, status).append(doc_id)
        echo(f"{path} -> {out_dir / (doc_id + '.pdf')} ({status})")
    return outcome
