"""Document -> TEI tree -> bytes."""

from __future__ import annotations

from lxml import etree

from teipress.config import Config
from teipress.model import Document
from teipress.tei import NSMAP, XML_NS, t
from teipress.tei.body import encode_body
from teipress.register import Register
from teipress.tei.entities import Mentions, encode_stand_off
from teipress.tei.header import encode_header


def languages_of(doc: Document) -> list[str]:
    """The text's languages, the main one (English where there is an English version) first."""
    langs = list(dict.fromkeys([d.lang for d in doc.divisions] + doc.languages)) or ["en"]
    if "en" in langs and any(d.lang == "en" for d in doc.divisions):
        langs.remove("en")
        langs.insert(0, "en")
    return langs


def encode(doc: Document, config: Config, when: str, schema_href: str,
           register: Register | None = None) -> etree._ElementTree:
    """The TEI document for doc; when is the conversion date, schema_href the xml-model
    target, register the edition's register of names (tagged with @ref when given)."""
    languages = languages_of(doc)
    mentions = Mentions(register, doc.id) if register else None
    root = etree.Element(t("TEI"), nsmap=NSMAP)
    root.set(f"{{{XML_NS}}}id", doc.id)
    root.set(f"{{{XML_NS}}}lang", languages[0])
    encode_header(root, doc, config, when, languages, mentions)
    encode_body(etree.SubElement(root, t("text")), doc, languages[0], mentions)
    if mentions:
        encode_stand_off(root, mentions)
        for name in sorted(mentions.ambiguous):
            doc.warn("ambiguous-name", f"{name!r} names more than one register entry "
                     f"({', '.join(register.ambiguous.get(name, register.ambiguous.get(name.casefold(), [])))}); "
                     "it is not tagged: add a longer variant to one entry")
    model = etree.ProcessingInstruction(
        "xml-model", f'href="{schema_href}" type="application/xml" schematypens="http://www.w3.org/2001/XMLSchema"')
    root.addprevious(model)
    return etree.ElementTree(root)
