"""XML in and out: a parser that is safe on hostile input, layout that never touches
running text, and atomic writes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from lxml import etree

from teipress.errors import OutputError

MAX_XML_BYTES = 32 * 1024 * 1024

# Elements whose content is only other elements: the only ones the layout may indent.
# Mixed content (p, bibl, title, names, dates ...) is never touched, so the text of a
# document is the same before and after layout.
STRUCTURAL = {
    "TEI", "teiHeader", "fileDesc", "titleStmt", "publicationStmt", "availability", "notesStmt",
    "relatedItem", "sourceDesc", "msDesc", "msIdentifier", "altIdentifier", "msContents", "msItem",
    "encodingDesc", "projectDesc", "editorialDecl", "normalization", "quotation", "segmentation",
    "interpretation", "profileDesc", "correspDesc", "correspAction", "abstract", "langUsage",
    "textClass", "keywords", "revisionDesc", "text", "body", "div", "opener", "closer", "postscript",
    "list", "respStmt", "licence", "author", "standOff", "listPerson", "listOrg", "listPlace",
    "person", "org", "place", "listBibl", "classDecl", "taxonomy", "category", "creation",
}


def safe_parser(**options) -> etree.XMLParser:
    """No DTD loading, no entity expansion, no network; huge trees refused."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_blank_text=False, **options)


def _indent(element: etree._Element, level: int) -> None:
    if not len(element):
        return
    tag = element.tag
    local = tag.rpartition("}")[2] if isinstance(tag, str) else ""
    if local not in STRUCTURAL or (element.text or "").strip() or any((c.tail or "").strip() for c in element):
        return  # mixed content: its whitespace is text
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        child.tail = inner
        _indent(child, level + 1)
    child.tail = "\n" + "  " * level


def layout(root: etree._Element) -> None:
    """Indent the element-only parts of a tree, two spaces a level."""
    _indent(root, 0)


def serialise(tree: etree._ElementTree) -> bytes:
    """UTF-8 bytes with an XML declaration; the same tree always gives the same bytes."""
    root = tree.getroot()
    layout(root)
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>']
    node = root.getprevious()
    leading = []
    while node is not None:  # processing instructions and comments before the root
        leading.insert(0, etree.tostring(node, encoding="UTF-8").strip())
        node = node.getprevious()
    parts += leading
    parts.append(etree.tostring(root, encoding="UTF-8"))
    return b"\n".join(parts) + b"\n"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name beside path, then rename: readers see old or new, never half.

    No fsync: a killed process leaves the old file or the new one; only a power cut could
    lose the latest write, and the next build redoes it. The temporary name is made of the
    process and thread ids, not drawn at random (mkstemp costs twice as much): no two
    writers share it, and one a killed process left is truncated or swept away
    (build._clean_temporaries).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write the file: {exc.strerror}", path=str(path)) from None


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write here: {exc.strerror}", path=str(path.parent),
                       hint="choose a writable output folder with -o")
