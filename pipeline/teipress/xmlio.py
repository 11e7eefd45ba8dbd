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


# the same names in any namespace, as lxml's tag filter takes them
_STRUCTURAL_TAGS = tuple("{*}" + name for name in sorted(STRUCTURAL))


def layout(root: etree._Element) -> None:
    """Indent the element-only parts of a tree, two spaces a level.

    An element is indented when it is STRUCTURAL, has children, holds no text but
    whitespace (its own or its children's tails), and is root or sits in an indented
    element. lxml's tag filter finds the candidates in document order, parents first,
    so Python sees only them and their children, never the running text.
    """
    # indented element -> the indentation of its children (the dict keeps the elements'
    # proxies alive, so getparent() hands back the very keys)
    inner_of: dict[etree._Element, str] = {}
    for element in root.iter(_STRUCTURAL_TAGS):
        if element is root:
            inner, outer = "\n  ", "\n"
        else:
            outer = inner_of.get(element.getparent())
            if outer is None:  # inside mixed content, or under an element left as it is
                continue
            inner = outer + "  "
        children = list(element)
        if not children:
            continue
        text = element.text
        if text and not text.isspace():
            continue  # mixed content: its whitespace is text
        for child in children:
            tail = child.tail
            if tail and not tail.isspace():
                break
        else:
            # (a tree parsed from a file is laid out already: only changes are written)
            if text != inner:
                element.text = inner
            *others, last = children
            for child in others:
                if child.tail != inner:
                    child.tail = inner
            if last.tail != outer:  # (the last child's tail leads to the end tag)
                last.tail = outer
            inner_of[element] = inner


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


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write to a temporary name beside path, then rename: readers see old or new, never half.

    No fsync: a killed process leaves the old file or the new one; only a power cut could
    lose the latest write, and the next build redoes it. The temporary name is made of the
    process and thread ids, not drawn at random (mkstemp costs twice as much): no two
    writers share it, and one a killed process left is truncated or swept away
    (build._clean_temporaries). Plain string paths and os calls: a build writes several
    files a document, and pathlib objects and buffered file objects cost more than the
    system calls.
    """
    target = os.fspath(path)
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, _WRITE_FLAGS, 0o644)
    except FileNotFoundError:
        try:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, _WRITE_FLAGS, 0o644)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write the file: {exc.strerror}", path=str(Path(target))) from None


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW


def write_all(fd: int, data: bytes) -> None:
    """Write all of data to an open file descriptor."""
    written = os.write(fd, data)
    if written < len(data):  # (a regular file takes it all at once, save on a full disk)
        view = memoryview(data)
        while written < len(data):
            written += os.write(fd, view[written:])


def _cannot_write(path: str, exc: OSError) -> OutputError:
    return OutputError(f"cannot write here: {exc.strerror}", path=str(Path(path).parent),
                       hint="choose a writable output folder with -o")
