"""Document -> TEI. The only place that knows TEI element names for building."""

from __future__ import annotations

from lxml import etree

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
# the names in the xml namespace as lxml takes them
_XML_ATTRIBUTES = {"xml:id": f"{{{XML_NS}}}id", "xml:lang": f"{{{XML_NS}}}lang"}


def sub(parent: Element | etree._Element, name: str, text: str | None = None,
        **attrs: str | None) -> Element | etree._Element:
    """A TEI child element with text and the attributes that are not None.

    Attribute names: xml_id -> xml:id, xml_lang -> xml:lang, from_ -> from.
    The child is of parent's kind: an element of the encoder's tree (teipress.tei.markup),
    or of an lxml tree (tools and tests use the encoder's helpers on those).
    """
    attrib = None
    if attrs:
        attrib = {}
        for key, value in attrs.items():
            if value is not None:
                attrib[_ATTRIBUTE_NAMES.get(key) or key.rstrip("_")] = value
    if type(parent) is Element:
        element = Element(name, attrib, text)
        parent.children.append(element)
        return element
    element = etree.SubElement(parent, f"{{{TEI_NS}}}{name}")
    for key, value in (attrib or {}).items():
        element.set(_XML_ATTRIBUTES.get(key, key), value)
    if text is not None:
        element.text = text
    return element
