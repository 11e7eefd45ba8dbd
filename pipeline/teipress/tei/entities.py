"""Register names in one document: markup with @ref, and the document's own standOff."""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from lxml import etree

from teipress.register import KINDS, Register
from teipress.tei import NS, XML_NS, sub, t

NAME_TAG = {kind: name_tag for kind, (_, name_tag) in KINDS.items()}


@lru_cache(maxsize=4096)
def _entry_template(entry_id: str, element: bytes) -> etree._Element:
    """A register entry as each document's standOff holds it, but for the entry's new
    xml:id: made once per process, copied into each document."""
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
    return entry


class Mentions:
    """The register as one document sees it: finds names, hands out @ref values
    ("#<doc id>-<entry id>"), and remembers which entries the document mentions."""

    def __init__(self, register: Register, doc_id: str):
        self.register = register
        self.doc_id = doc_id
        self.used: set[str] = set()
        self.ambiguous: set[str] = set()
        self._ambiguous = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in register.ambiguous) + r")(?!\w)", re.I)
                           if register.ambiguous else None)

    def ref(self, entry_id: str) -> str:
        self.used.add(entry_id)
        return f"#{self.doc_id}-{entry_id}"

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, element name, @ref) of every register name in text."""
        if self._ambiguous is not None:
            self.ambiguous.update(m.group(0) for m in self._ambiguous.finditer(text))
        return [(start, end, NAME_TAG[self.register.entries[entry].kind], self.ref(entry))
                for start, end, entry in self.register.find(text)]

    def ref_for(self, name: str) -> str | None:
        """The @ref of a whole name (a correspondent), or None."""
        entry = self.register.lookup(name)
        return self.ref(entry) if entry else None


def encode_stand_off(root: etree._Element, mentions: Mentions) -> None:
    """Copy the entries the document mentions into a standOff after the teiHeader."""
    if not mentions.used:
        return
    stand_off = etree.Element(t("standOff"))
    root.find("tei:teiHeader", NS).addnext(stand_off)
    mentioned: dict[str, list[tuple[str, bytes]]] = {}  # list tag -> (entry id, its element), register order
    for entry_id, entry in mentions.register.entries.items():  # register order: stable output
        if entry_id in mentions.used:
            mentioned.setdefault(KINDS[entry.kind][0], []).append((entry_id, entry.element))
    for list_tag in ("listPerson", "listOrg", "listPlace"):
        if list_tag in mentioned:
            # (each list in the document before its entries go in, and each entry's id set
            # once it is in: the entries move between documents once, and a third faster)
            list_element = sub(stand_off, list_tag)
            for entry_id, element in mentioned[list_tag]:
                entry = copy.deepcopy(_entry_template(entry_id, element))
                list_element.append(entry)
                entry.set(f"{{{XML_NS}}}id", f"{mentions.doc_id}-{entry_id}")
