"""The encoder's working tree: plain Python elements, written out once as the TEI file's
text and parsed once into the lxml tree the validator and the editions read.

An lxml element made from Python costs about twice what libxml2 needs to parse it from
text, and laying out and serialising a built tree walks it twice more. So the encoder
builds these small elements instead, and ``document`` writes them exactly as
``xmlio.serialise`` writes the same tree built with lxml (the same layout: element-only
STRUCTURAL elements indented, mixed content untouched; the same escaping and empty
elements), then parses that text: the bytes are the file's, the tree is the file's tree.
"""

from __future__ import annotations

import re

from lxml import etree

from teipress.xmlio import STRUCTURAL

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# What lxml refuses in any string it is given (C0 controls but tab and newlines, U+FFFE, U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML_MESSAGE = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"


class Element:
    """An element under construction, with what lxml's has: a (local) name, attributes
    by their written names (xml:id, from), text, tail and children; len() and [i] give
    the children."""

    __slots__ = ("attrib", "children", "tag", "tail", "text")

    def __init__(self, tag: str, attrib: dict[str, str] | None = None, text: str | None = None):
        self.tag = tag
        self.attrib = attrib
        self.text = text
        self.tail = None
        self.children: list[Element] = []

    def __len__(self) -> int:
        return len(self.children)

    def __getitem__(self, index: int) -> Element:
        return self.children[index]


class Written(Element):
    """An element already written out, laid out for its depth below the root (an entry
    copied from the register, the edition's encodingDesc): made once, placed in any
    number of documents."""

    __slots__ = ("depth", "markup")

    def __init__(self, markup: str, depth: int):
        super().__init__("")
        self.markup = markup
        self.depth = depth


def escape_text(text: str) -> str:
    """Character data as libxml2 writes it."""
    if "&" in text or "<" in text or ">" in text or "\r" in text:  # (seldom: test before replacing)
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def escape_attribute(value: str) -> str:
    """An attribute value as libxml2 writes it (between double quotes)."""
    if "&" in value or "<" in value or ">" in value or '"' in value or "\n" in value or "\r" in value \
            or "\t" in value:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))
    return value


def _write(element: Element, parts: list[str], inner: str | None, empty_texts: list[Element]) -> None:
    """Append element's markup to parts. inner: the indentation of its children were it
    laid out ("\\n" and two spaces a level), None inside content left as it is.
    empty_texts: where to note the elements written as <x></x>, whose empty text libxml2
    does not keep when it parses them."""
    if type(element) is Written:
        if inner is None or len(inner) != 2 * element.depth + 3:
            raise ValueError(f"markup written for depth {element.depth} placed elsewhere")
        parts.append(element.markup)
        return
    tag = element.tag
    start = "<" + tag
    if element.attrib:
        for name, value in element.attrib.items():
            start += f' {name}="{escape_attribute(value)}"'
    children = element.children
    text = element.text
    if not children:
        if text is None:
            parts.append(start + "/>")
        else:  # (an empty string too: lxml keeps an empty text and writes <x></x>)
            parts.append(f"{start}>{escape_text(text)}</{tag}>")
            if not text:
                empty_texts.append(element)
        return
    parts.append(start + ">")
    # the rule of xmlio.layout: element-only STRUCTURAL content is indented, whitespace
    # around its children replaced; anything else is text and stays as it is
    if inner is not None and tag in STRUCTURAL and (not text or text.isspace()):
        for child in children:
            tail = child.tail
            if tail and not tail.isspace():
                break
        else:
            deeper = inner + "  "
            for child in children:
                parts.append(inner)
                _write(child, parts, deeper, empty_texts)
            parts.append(inner[:-2] + "</" + tag + ">")
            return
    if text:
        parts.append(escape_text(text))
    elif text == "":
        empty_texts.append(element)
    for child in children:
        _write(child, parts, None, empty_texts)
        if child.tail:
            parts.append(escape_text(child.tail))
    parts.append("</" + tag + ">")


def written(element: Element, depth: int) -> Element:
    """element written out once, laid out as a child at depth below an indented root (its
    ancestors all indented), to be placed there in any number of documents; element
    itself when it holds an empty text (see _restore_empty_texts)."""
    parts: list[str] = []
    empty_texts: list[Element] = []
    _write(element, parts, "\n" + "  " * (depth + 1), empty_texts)
    return element if empty_texts else Written("".join(parts), depth)


# Our own output, so no limit on text size (a source's paragraph may exceed libxml2's
# 10 MB); still no DTD, entities or network. No ID table: a duplicate xml:id is the
# validator's finding, not a parse error.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                          remove_blank_text=False, collect_ids=False)


def document(root: Element, processing_instructions: list[tuple[str, str]]) -> tuple[etree._ElementTree, bytes]:
    """The lxml tree and the file's bytes of a document: the XML declaration, the
    processing instructions before the root, the root laid out. The bytes are what
    xmlio.serialise gives for the tree."""
    parts = [XML_DECLARATION]
    for target, text in processing_instructions:
        if "?>" in text:
            raise ValueError("PI text must not contain '?>'")
        parts.append(f"\n<?{target} {text}?>" if text else f"\n<?{target}?>")
    parts.append("\n")
    empty_texts: list[Element] = []
    _write(root, parts, "\n  ", empty_texts)
    parts.append("\n")
    text = "".join(parts)
    data = text.encode("utf-8")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    except etree.XMLSyntaxError:
        if _NOT_XML.search(text):  # what lxml says when such a string is set
            raise ValueError(_NOT_XML_MESSAGE) from None
        raise
    if empty_texts:
        _restore_empty_texts(root, tree.getroot())
    return tree, data


def _restore_empty_texts(element: Element, parsed: etree._Element) -> None:
    """Give the parsed elements written as <x></x> their empty text back, as lxml has it
    (so that serialising the tree again gives <x></x>, not <x/>)."""
    if element.text == "" and parsed.text is None:
        parsed.text = ""
    for child, parsed_child in zip(element.children, parsed.iterchildren(etree.Element)):
        if type(child) is not Written:
            _restore_empty_texts(child, parsed_child)
