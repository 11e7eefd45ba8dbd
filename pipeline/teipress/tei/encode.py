"""Document -> TEI tree and bytes."""

from __future__ import annotations

from lxml import etree

from teipress.config import Config
from teipress.model import Document
from teipress.register import Register
from teipress.tei import TEI_NS, sub
from teipress.tei.body import encode_body
from teipress.tei.entities import Mentions, encode_stand_off
from teipress.tei.header import encode_header
from teipress.tei.markup import Element, document


def languages_of(doc: Document) -> list[str]:
    """The text's languages, the main one (English where there is an English version) first."""
    langs = list(dict.fromkeys([d.lang for d in doc.divisions] + doc.languages)) or ["en"]
    if "en" in langs and any(d.lang == "en" for d in doc.divisions):
        langs.remove("en")
        langs.insert(0, "en")
    return langs


def encode_and_serialise(doc: Document, config: Config, when: str, schema_href: str,
                         register: Register | None = None) -> tuple[etree._ElementTree, bytes]:
    """The TEI document for doc, as a tree and as its file's bytes; when is the conversion
    date, schema_href the xml-model target, register the edition's register of names
    (tagged with @ref when given). The encoder writes the text, and the tree is that text
    parsed: the bytes are what xmlio.serialise gives for the tree, without its layout walk."""
    languages = languages_of(doc)
    mentions = Mentions(register, doc.id) if register else None
    root = Element("TEI", {"xmlns": TEI_NS, "xml:id": doc.id, "xml:lang": languages[0]})
    encode_header(root, doc, config, when, languages, mentions)
    encode_body(sub(root, "text"), doc, languages[0], mentions)
    if mentions:
        encode_stand_off(root, mentions)
        for name in sorted(mentions.ambiguous):
            doc.warn("ambiguous-name", f"{name!r} names more than one register entry "
                     f"({', '.join(register.ambiguous.get(name, register.ambiguous.get(name.casefold(), [])))}); "
                     "it is not tagged: add a longer variant to one entry")
    model = f'href="{schema_href}" type="application/xml" schematypens="http://www.w3.org/2001/XMLSchema"'
    return document(root, [("xml-model", model)])
