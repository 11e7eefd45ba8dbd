"""Document -> TEI. The only place that knows TEI element names for building."""

from __future__ import annotations

from teipress.tei.markup import Element

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: TEI_NS}
NS = {"tei": TEI_NS}


def t(name: str) -> str:
    """Clark name of a TEI element."""
    return f"{{{TEI_NS}}}{name}"


# the attribute names sub() takes that are not the attribute's own name
_ATTRIBUTE_NAMES = {"xml_id": "xml:id", "xml_lang": "xml:lang", "from_": "from"}


def sub(parent: Element, name: str, text: str | None = None, **attrs: str | None) -> Element:
    """A TEI child element of the encoder's tree (teipress.tei.markup) with text and the
    attributes that are not None.

    Attribute names: xml_id -> xml:id, xml_lang -> xml:lang, from_ -> from.
    """
    attrib = None
    if attrs:
        attrib = {}
        for key, value in attrs.items():
            if value is not None:
                attrib[_ATTRIBUTE_NAMES.get(key) or key.rstrip("_")] = value
    element = Element(name, attrib, text)
    parent.children.append(element)
    return element
