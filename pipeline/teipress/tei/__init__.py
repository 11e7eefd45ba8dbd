"""Document -> TEI. The only place that knows TEI element names for building."""

from __future__ import annotations

from lxml import etree

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: TEI_NS}
NS = {"tei": TEI_NS}


def t(name: str) -> str:
    """Clark name of a TEI element."""
    return f"{{{TEI_NS}}}{name}"


# the attribute names sub() takes that are not the attribute's own name
_XML_ATTRIBUTES = {"xml_id": f"{{{XML_NS}}}id", "xml_lang": f"{{{XML_NS}}}lang"}


def sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str | None) -> etree._Element:
    """A TEI child element with text and the attributes that are not None.

    Attribute names: xml_id -> xml:id, xml_lang -> xml:lang, from_ -> from.
    """
    element = etree.SubElement(parent, f"{{{TEI_NS}}}{name}")
    for key, value in attrs.items():
        if value is not None:
            element.set(_XML_ATTRIBUTES.get(key) or key.rstrip("_"), value)
    if text is not None:
        element.text = text
    return element
