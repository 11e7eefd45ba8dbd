"""The teiHeader: who wrote to whom and when, where the original is, who translated it,
what the archive says about rights, and how this file was made."""

from __future__ import annotations

from functools import lru_cache

from teipress import __version__
from teipress.citations import LANGUAGE_NAMES
from teipress.config import Config
from teipress.model import Archive, Document, Name
from teipress.tei import sub
from teipress.tei.body import date_attrs, mark_cut
from teipress.tei.entities import NAME_TAG, Mentions
from teipress.tei.inline import append_inline, append_names
from teipress.tei.markup import Element, written
from teipress.titles import CORRESPONDENCE_TYPES

EDITORIAL_DECLARATIONS = {
    "normalization": [
        "Whitespace is normalised: no-break spaces and runs of spaces become one space, and "
        "lines holding only whitespace or a no-break space (the archive's paragraph "
        "separators) are not kept.",
        "Correspondents' names in the header drop a leading article or 'Comrade'/'Cde.'; "
        "in the text every name keeps the source's wording.",
    ],
    "quotation": ["Quotation marks and apostrophes are kept as in the source."],
    "segmentation": [
        "Each line of the source is one paragraph, salute, signature or furniture line; "
        "page furniture of the archive's website is set aside and listed in the conversion report.",
    ],
    "interpretation": [
        "Editorial brackets of the source are encoded: '[...]' as gap (reason 'omitted'), "
        "'[illegible]' as gap (reason 'illegible'), other bracketed insertions such as "
        "'Filippov [Stalin]' as supplied, numbered note anchors '[1]' as notes. The editions "
        "print the brackets again.",
        "An e-mail address hidden by the archive's website ('[email protected]') is a gap "
        "(reason 'obfuscated-email').",
    ],
}


def _name(parent: Element, name: Name, mentions: Mentions | None) -> Element:
    """A correspondent or agent; with a register entry it takes the entry's kind and an
    @ref into the document's standOff."""
    entry_id = mentions.register.lookup(name.text) if mentions else None
    kind = mentions.register.entries[entry_id].kind if entry_id else name.kind
    element = sub(parent, NAME_TAG[kind], ref=mentions.ref(entry_id) if entry_id else None)
    append_inline(element, name.text)
    return element


def _title_stmt(file_desc: Element, doc: Document, mentions: Mentions | None) -> None:
    stmt = sub(file_desc, "titleStmt")
    append_names(sub(stmt, "title"), doc.title, mentions)
    for name in doc.senders:
        _name(sub(stmt, "author"), name, mentions)
    for funder in doc.funders:
        sub(stmt, "funder", funder)
    if doc.translators:
        resp = sub(stmt, "respStmt")
        sub(resp, "resp", "Translation" + (f" from {LANGUAGE_NAMES.get(doc.original_language, doc.original_language)}"
                                           if doc.original_language else ""))
        for name in doc.translators:
            _name(resp, name, mentions)
    stmt.children.append(_encoding_resp_stmt())


@lru_cache(maxsize=1)
def _encoding_resp_stmt() -> Element:
    """Who made the TEI, the same in every document: written out once."""
    resp = Element("respStmt")
    sub(resp, "resp", "TEI encoding")
    sub(resp, "name", f"teipress {__version__}", type="software")
    return written(resp, depth=4)  # TEI/teiHeader/fileDesc/titleStmt/respStmt


def _publication_stmt(file_desc: Element, doc: Document, config: Config) -> None:
    stmt = sub(file_desc, "publicationStmt")
    sub(stmt, "publisher", config.publisher)
    sub(stmt, "idno", f"{config.base_url.rstrip('/')}/{doc.id}.html", type="URL")
    if doc.record_id:
        sub(stmt, "idno", doc.record_id, type="record")
    if doc.url:
        sub(stmt, "idno", doc.url, type="URI")
    availability = sub(stmt, "availability")
    if doc.rights:
        licence = sub(availability, "licence")
        for text in doc.rights:
            append_inline(sub(licence, "p"), text)
        if doc.truncated and doc.truncated_in == "rights":
            mark_cut(licence)
    licence = sub(availability, "licence", target=config.licence_url)
    licence.text = f"TEI encoding: {config.licence}"


def _archive_parts(parent: Element, archive: Archive, primary: bool) -> None:
    if archive.country:
        sub(parent, "country", archive.country)
    if archive.settlement:
        sub(parent, "settlement", archive.settlement)
    if archive.repository:
        sub(parent, "repository", archive.repository)
    if archive.collection:
        sub(parent, "collection", archive.collection)
    if archive.idno or not primary:
        sub(parent, "idno", archive.idno or archive.text)


def _source_desc(file_desc: Element, doc: Document) -> None:
    source = sub(file_desc, "sourceDesc")
    if doc.archives:
        ms = sub(source, "msDesc")
        ident = sub(ms, "msIdentifier")
        _archive_parts(ident, doc.archives[0], primary=True)
        alt_ids = []
        for k, archive in enumerate(doc.archives[1:], start=2):
            alt_ids.append(f"{doc.id}-source{k}")
            _archive_parts(sub(ident, "altIdentifier", xml_id=alt_ids[-1], type="copy"), archive, primary=False)
        loci = [(a, None if k == 0 else f"#{alt_ids[k - 1]}") for k, a in enumerate(doc.archives) if a.locus]
        if loci:
            item = sub(sub(ms, "msContents"), "msItem")
            for archive, corresp in loci:
                sub(item, "locus", archive.locus, from_=archive.locus_from, to=archive.locus_to, corresp=corresp)
            sub(item, "title", doc.title)  # TEI wants the item named, not only located
            if doc.original_language:
                sub(item, "textLang", LANGUAGE_NAMES.get(doc.original_language, doc.original_language),
                    mainLang=doc.original_language)
    for printed in doc.printed_sources:
        sub(source, "bibl", printed, type="printed")
    if doc.citation:
        citation = sub(source, "bibl", doc.citation, type="citation")
        if doc.truncated and doc.truncated_in == "citation":
            mark_cut(citation)
    if doc.reader == "wilson" or doc.record_id or doc.url or doc.uploaded:
        digital = sub(source, "bibl", type="digital-archive")
        sub(digital, "title", doc.title)
        if doc.reader == "wilson":
            digital[-1].tail = ", "
            sub(digital, "publisher", "Wilson Center Digital Archive")
        if doc.record_id:
            sub(digital, "idno", doc.record_id, type="record")
        if doc.url:
            sub(digital, "ref", doc.url, target=doc.url)
        if doc.uploaded:
            sub(digital, "date", doc.uploaded.text, type="uploaded", **date_attrs(doc.uploaded))
    if not len(source):  # an editor's transcription that names no source: the document itself
        sub(sub(source, "bibl", type="transcription"), "title", doc.title)


def _encoding_desc(header: Element, config: Config) -> None:
    # the same in every document of an edition: written out once
    header.children.append(_encoding_desc_of(config.project))


@lru_cache(maxsize=8)
def _encoding_desc_of(project: str) -> Element:
    desc = Element("encodingDesc")
    sub(sub(desc, "projectDesc"), "p", project)
    decl = sub(desc, "editorialDecl")
    for part, paragraphs in EDITORIAL_DECLARATIONS.items():
        element = sub(decl, part)
        for text in paragraphs:
            sub(element, "p", text)
    return written(desc, depth=2)  # TEI/teiHeader/encodingDesc


def _corresp_desc(profile: Element, doc: Document, mentions: Mentions | None) -> None:
    correspondence = doc.senders or doc.recipients or (doc.doc_type in CORRESPONDENCE_TYPES)
    if not correspondence:
        return
    desc = sub(profile, "correspDesc")
    sent = sub(desc, "correspAction", type="sent")
    for name in doc.senders or [Name("Unknown")]:
        _name(sent, name, mentions)
    if doc.place_sent:
        sub(sent, "placeName", doc.place_sent)
    if doc.date and doc.date.iso:
        date = sub(sent, "date", **date_attrs(doc.date))
        append_inline(date, doc.date.text)
    if doc.via:
        transmitted = sub(desc, "correspAction", type="transmitted")
        for name in doc.via:
            _name(transmitted, name, mentions)
    received = sub(desc, "correspAction", type="received")
    for name in doc.recipients or [Name("Unknown")]:
        _name(received, name, mentions)


def _profile_desc(header: Element, doc: Document, languages: list[str], mentions: Mentions | None) -> None:
    profile = sub(header, "profileDesc")
    if doc.date:  # every document's date, correspondence or not
        creation = sub(profile, "creation")
        append_inline(sub(creation, "date", **date_attrs(doc.date)), doc.date.text)
    _corresp_desc(profile, doc, mentions)
    if doc.summary:
        abstract = sub(profile, "abstract")
        append_inline(sub(abstract, "p"), doc.summary, None, mentions)
        if doc.truncated and doc.truncated_in == "summary":
            mark_cut(abstract)
    usage = sub(profile, "langUsage")
    for code in languages:
        sub(usage, "language", LANGUAGE_NAMES.get(code, code), ident=code)
    keywords = sub(sub(profile, "textClass"), "keywords")
    sub(keywords, "term", doc.doc_type or "document", type="document-type")
    if doc.type_label:
        sub(keywords, "term", doc.type_label, type="archive-type")
    for kind, terms in doc.keywords.items():
        for term in terms:
            sub(keywords, "term", term, type=kind)


def _revision_desc(header: Element, doc: Document, when: str) -> None:
    change = sub(sub(header, "revisionDesc"), "change", when=when, type="conversion")
    change.text = "Converted to TEI by "
    sub(change, "name", "teipress", type="software").tail = " "
    sub(change, "num", __version__, type="version").tail = " from "
    sub(change, "idno", doc.source_name, type="source-file").tail = " (SHA-256 "
    sub(change, "idno", doc.source_sha256, type="sha256").tail = (
        f"), read as {doc.shape or doc.reader} by the {doc.reader} reader"
        + ("; the source is cut off part-way." if doc.truncated else ".")
    )


def encode_header(root: Element, doc: Document, config: Config, when: str, languages: list[str],
                  mentions: Mentions | None = None) -> None:
    header = sub(root, "teiHeader")
    file_desc = sub(header, "fileDesc")
    _title_stmt(file_desc, doc, mentions)
    _publication_stmt(file_desc, doc, config)
    if doc.related:
        notes = sub(file_desc, "notesStmt")
        for date, title in doc.related:
            bibl = sub(sub(notes, "relatedItem", type="related"), "bibl")
            if date:
                sub(bibl, "date", date.text, **date_attrs(date)).tail = " "
            sub(bibl, "title", title)
    _source_desc(file_desc, doc)
    _encoding_desc(header, config)
    _profile_desc(header, doc, languages, mentions)
    _revision_desc(header, doc, when)
