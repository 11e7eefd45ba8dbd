"""Register names in one document: markup with @ref, and the document's own standOff."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from teipress.register import KINDS, Register
from teipress.tei import NSMAP, TEI_NS, XML_NS, sub, t
from teipress.tei.markup import Element, Written, escape_attribute
from teipress.xmlio import layout

NAME_TAG = {kind: name_tag for kind, (_, name_tag) in KINDS.items()}


# the xml:id an entry's markup is written with, replaced by each document's own
_ID_PLACEHOLDER = "teipress-entry-id"


@lru_cache(maxsize=4096)
def _entry_markup(entry_id: str, element: bytes, list_tag: str) -> str:
    """A register entry as each document's standOff holds it, laid out in its place, with
    _ID_PLACEHOLDER for its xml:id: written once per process, copied into each document.

    lxml writes it inside a stand-in TEI/standOff/list (the same namespace context and
    depth as in a document), so its namespaces and layout are what a document's tree gives.
    """
    entry = etree.fromstring(element)
    for inner in entry.iter():
        inner.attrib.pop(f"{{{XML_NS}}}id", None)
    # the register's id, after the names and idnos (TEI wants them before notes or links)
    register_idno = etree.Element(t("idno"), type="register")
    register_idno.text = entry_id
    heads = [i for i, child in enumerate(entry)
             if isinstance(child.tag, str) and etree.QName(child).localname in ("persName", "orgName",
                                                                                "placeName", "idno")]
    entry.insert(heads[-1] + 1 if heads else len(entry), register_idno)
    root = etree.Element(t("TEI"), nsmap=NSMAP)
    etree.SubElement(etree.SubElement(root, t("standOff")), t(list_tag)).append(entry)
    entry.set(f"{{{XML_NS}}}id", _ID_PLACEHOLDER)  # (set once in the tree: the last attribute)
    layout(root)
    text = etree.tostring(root, encoding="unicode")
    before = f'<TEI xmlns="{TEI_NS}">\n  <standOff>\n    <{list_tag}>\n      '
    after = f"\n    </{list_tag}>\n  </standOff>\n</TEI>"
    if not (text.startswith(before) and text.endswith(after)):
        raise ValueError(f"unexpected markup of the register entry {entry_id!r}")
    return text[len(before):-len(after)]


class Mentions:
    """The register as one document sees it: finds names, hands out @ref values
    ("#<doc id>-<entry id>"), and remembers which entries the document mentions."""

    def __init__(self, register: Register, doc_id: str):
        self.register = register
        self.doc_id = doc_id
        self.used: set[str] = set()
        self.ambiguous: set[str] = set()

    def ref(self, entry_id: str) -> str:
        self.used.add(entry_id)
        return f"#{self.doc_id}-{entry_id}"

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, element name, @ref) of every register name in text."""
        self.ambiguous.update(self.register.ambiguous_in(text))
        return [(start, end, NAME_TAG[self.register.entries[entry].kind], self.ref(entry))
                for start, end, entry in self.register.find(text)]

    def ref_for(self, name: str) -> str | None:
        """The @ref of a whole name (a correspondent), or None."""
        entry = self.register.lookup(name)
        return self.ref(entry) if entry else None


def encode_stand_off(root: Element, mentions: Mentions) -> None:
    """Copy the entries the document mentions into a standOff after the teiHeader."""
    if not mentions.used:
        return
    stand_off = Element("standOff")
    header_at = next(i for i, child in enumerate(root.children) if child.tag == "teiHeader")
    root.children.insert(header_at + 1, stand_off)
    mentioned: dict[str, list[tuple[str, bytes]]] = {}  # list tag -> (entry id, its element), register order
    for entry_id, entry in mentions.register.entries.items():  # register order: stable output
        if entry_id in mentions.used:
            mentioned.setdefault(KINDS[entry.kind][0], []).append((entry_id, entry.element))
    placeholder = f' xml:id="{_ID_PLACEHOLDER}"'
    for list_tag in ("listPerson", "listOrg", "listPlace"):
        if list_tag in mentioned:
            list_element = sub(stand_off, list_tag)
            for entry_id, element in mentioned[list_tag]:
                own_id = f' xml:id="{escape_attribute(f"{mentions.doc_id}-{entry_id}")}"'
                markup = _entry_markup(entry_id, element, list_tag).replace(placeholder, own_id, 1)
                list_element.children.append(Written(markup, depth=3))  # TEI/standOff/list/entry
