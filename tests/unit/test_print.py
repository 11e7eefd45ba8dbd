"""The print edition: what the PDF holds (text, metadata, PDF/A, attachment), fonts, safety."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
import typst
from lxml import etree

from conftest import CORPUS, SEEDS, require, require_tool
from teipress.convert import convert_files
from teipress.config import Config
from teipress.edition import body_blocks, header_fields, how_to_cite, plain_inlines
from teipress.errors import ConfigError, RenderError
from teipress.writers import print as printing
from teipress.writers.print import PrintRenderer, render_print_files
from teipress.xmlio import safe_parser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "print"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
RDF = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
       "dc": "http://purl.org/dc/elements/1.1/"}


# ---------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def renderer() -> PrintRenderer:
    return PrintRenderer(Config())


@pytest.fixture(scope="module")
def seed_tei(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tei")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        convert_files(sorted(SEEDS.glob("*.txt")), folder, Config(), echo=lambda *a, **k: None)
    return next(folder.glob("*.xml"))


def parse(path: Path) -> tuple[etree._Element, bytes]:
    data = path.read_bytes()
    return etree.fromstring(data, safe_parser()), data


def typeset(renderer: PrintRenderer, path: Path, tmp_path: Path) -> pypdf.PdfReader:
    root, data = parse(path)
    out = tmp_path / f"{path.stem}.pdf"
    renderer.render(root, data, out)
    return pypdf.PdfReader(str(out))


def pdf_text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"


def words(text: str) -> list[str]:
    """Words for comparing reading order: line-end hyphenation joined, hyphens dropped, each
    CJK character and each number a word of its own (lines break between any two CJK
    characters; a footnote mark follows its word without a space)."""
    text = re.sub(r"-\s*\n\s*", "", text).replace("-", "")
    return re.findall(rf"[{CJK}]|\d+|[^\W\d{CJK}]+", text)


def in_order(needles: list[str], haystack: list[str]) -> bool:
    """Whether needles occur in haystack in the same order (other words may come between)."""
    found = iter(haystack)
    for index, word in enumerate(needles):
        if not any(word == candidate for candidate in found):
            print(f"not found in order: {word!r} after {needles[max(0, index - 8):index]}")
            return False
    return True


def body_text(root: etree._Element) -> str:
    """The body's words as the editions show them (brackets back, notes left out)."""
    out = []

    def walk(blocks):
        for block in blocks:
            if "c" in block:
                out.append(plain_inlines(block["c"]))
            for key in ("items",):
                for item in block.get(key, []):
                    out.append(plain_inlines(item))
            for row in block.get("rows", []):
                out.extend(plain_inlines(cell) for cell in row)
            walk(block.get("blocks", []))

    walk(body_blocks(root))
    return "\n".join(out)


def xmp(reader: pypdf.PdfReader) -> etree._Element:
    stream = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    return etree.fromstring(stream, safe_parser())


# ---------------------------------------------------------------------------
# settings


def test_pdf_standard_default_is_a3b_with_attachment():
    standards = printing.pdf_standards(Config())
    assert standards == ["a-3b"] and printing.attaches_source(standards)


@pytest.mark.parametrize("value, attaches", [("a-2b", False), ("ua-1", True), ("a-3a+ua-1", True), ("a-4", False)])
def test_pdf_standards_decide_the_attachment(value, attaches):
    assert printing.attaches_source(printing.pdf_standards(Config(pdf_standard=value))) is attaches


@pytest.mark.parametrize("value", ["pdf-x", "1.7", "", "a-3b+nonsense"])
def test_unknown_pdf_standard_is_a_config_error(value):
    with pytest.raises(ConfigError, match="print.standard"):
        printing.pdf_standards(Config(pdf_standard=value))


def test_missing_font_folder_and_template_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not a folder"):
        PrintRenderer(Config(fonts=(str(tmp_path / "no-such-fonts"),)))
    with pytest.raises(ConfigError, match="not a file"):
        PrintRenderer(Config(print_template=str(tmp_path / "none.typ")))


@pytest.mark.parametrize("tag, expected", [
    ("en", {"lang": "en", "region": None}),
    ("zh-Hant-TW", {"lang": "zh", "region": "TW"}),
    ("de_AT", {"lang": "de", "region": "AT"}),
    ("x-klingon", None),
    ("", None),
])
def test_typst_language(tag, expected):
    assert printing.typst_language(tag) == expected


def test_font_list_puts_the_language_variant_of_cjk_first():
    families = {f.lower() for f in ("Libertinus Serif", "Noto Serif CJK SC", "Noto Serif CJK JP",
                                    "Noto Serif CJK TC", "DejaVu Sans")}
    assert printing.font_list("ja", families, [])[:2] == ["Noto Serif CJK JP", "Noto Serif CJK SC"]
    assert printing.font_list("zh-TW", families, [])[0] == "Noto Serif CJK TC"
    assert printing.font_list("ru", families, [])[:2] == ["Libertinus Serif", "Noto Serif CJK SC"]
    assert printing.font_list("en", families, ["My Font"])[1] == "Noto Serif CJK SC"  # absent families dropped
    assert printing.font_list("en", families | {"my font"}, ["My Font"])[1] == "My Font"


def test_short_title_for_the_running_head(seed_tei):
    root, _ = parse(seed_tei)
    header = header_fields(root)
    assert len(header["title"]) > 60
    assert printing.short_title(header) == "CC of the CPSU to CC of the RWP"


def test_the_template_gets_the_shared_reading_model(seed_tei, renderer):
    root, _ = parse(seed_tei)
    data = printing.print_data(root, Config(), renderer.families, [], "x")
    assert data["body"] == body_blocks(root)
    assert data["header"] == header_fields(root)
    assert data["cite"] == how_to_cite(header_fields(root))
    assert data["print"]["attachment"] == "x.xml" and data["print"]["paper"] == "a4"


def test_missing_characters_are_read_from_typst_errors():
    error = typst.TypstError(
        'PDF/A-3b error: the text `"文"` could not be displayed with font `"Libertinus Serif"`',
        'error: PDF/A-3b error: the text `"文"` could not be displayed with font `"Libertinus Serif"`\n'
        'error: PDF/A-3b error: the text `"字 \\u{10fffd}"` could not be displayed with font `"X"`\n', [], [])
    assert printing.missing_characters(error) == ["文", "字", "\U0010FFFD"]
    message = str(printing.render_error(error, Path("edition.typ")))
    assert "U+6587" in message and "fonts-noto-cjk" in message and "[print] fonts" in message


# ---------------------------------------------------------------------------
# the seed's PDF


@pytest.fixture(scope="module")
def seed_pdf(renderer, seed_tei, tmp_path_factory) -> pypdf.PdfReader:
    return typeset(renderer, seed_tei, tmp_path_factory.mktemp("pdf"))


def test_every_body_word_is_in_the_pdf_in_reading_order(seed_pdf, seed_tei):
    root, _ = parse(seed_tei)
    expected = words(body_text(root))
    assert len(expected) > 400
    assert in_order(expected, words(pdf_text(seed_pdf)))


def test_metadata_matches_the_tei(seed_pdf, seed_tei):
    root, _ = parse(seed_tei)
    header = header_fields(root)
    info = seed_pdf.metadata
    assert info.title == header["title"]
    assert info.author == ", ".join(header["authors"])
    assert seed_pdf.trailer["/Root"]["/Lang"] == header["lang"] == "en"
    assert info["/Keywords"] == "letter"
    meta = xmp(seed_pdf)
    assert meta.xpath("//dc:language//rdf:li/text()", namespaces=RDF) == ["en"]
    assert meta.xpath("//dc:title//rdf:li/text()", namespaces=RDF) == [header["title"]]


def test_pdfa_identification_and_output_intent(seed_pdf):
    meta = xmp(seed_pdf)
    assert meta.xpath("string(//pdfaid:part)", namespaces=RDF) == "3"
    assert meta.xpath("string(//pdfaid:conformance)", namespaces=RDF) == "B"
    [intent] = seed_pdf.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent


def test_tagged_with_fonts_embedded(seed_pdf):
    catalog = seed_pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in catalog
    for page in seed_pdf.pages:
        for font in _fonts(page):
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def test_the_tei_is_attached_byte_for_byte(seed_pdf, seed_tei):
    attachments = seed_pdf.attachments
    assert list(attachments) == [f"{seed_tei.stem}.xml"]
    assert attachments[f"{seed_tei.stem}.xml"] == [seed_tei.read_bytes()]
    [spec] = seed_pdf.trailer["/Root"]["/AF"]
    assert spec.get_object()["/AFRelationship"] == "/Source"


def test_bookmarks_running_head_and_page_numbers(seed_pdf, seed_tei):
    root, _ = parse(seed_tei)
    title = header_fields(root)["title"]
    outline = seed_pdf.outline
    assert outline[0].title == title
    assert "Document information" in [item.title for item in outline[1] if not isinstance(item, list)]
    pages = [page.extract_text() for page in seed_pdf.pages]
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, 1):
        assert f"page {number} of {total}" in text
    assert "CC of the CPSU to CC of the RWP" in pages[1] and "September 9, 1958" in pages[1]


def test_document_information_section(seed_pdf, seed_tei):
    root, _ = parse(seed_tei)
    header = header_fields(root)
    text = re.sub(r"\s+", " ", pdf_text(seed_pdf))
    info = text[text.index("Document information"):]
    for value in ("Central Historical National Archives", "Fund CC of the RCP - Foreign Relations Section",
                  "File 6/1955", "pp. 719-720", "Delia Razdolescu", header["conversion"]["sha256"],
                  "teipress " + header["conversion"]["version"], "How to cite"):
        assert value in info, value
    assert re.sub(r"\s+", "", how_to_cite(header)) in re.sub(r"\s+", "", info)


def test_qpdf_finds_no_errors(seed_tei, renderer, tmp_path):
    qpdf = require_tool("qpdf")
    root, data = parse(seed_tei)
    renderer.render(root, data, tmp_path / "seed.pdf")
    result = subprocess.run([qpdf, "--check", str(tmp_path / "seed.pdf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_same_input_gives_the_same_bytes(seed_tei):
    root, data = parse(seed_tei)
    first = PrintRenderer(Config()).typeset(root, data)
    second = PrintRenderer(Config()).typeset(*parse(seed_tei))
    assert first == second


# ---------------------------------------------------------------------------
# hostile and multilingual letters


def test_typst_syntax_in_a_letter_prints_as_written(renderer, tmp_path):
    reader = typeset(renderer, FIXTURES / "specials.xml", tmp_path)
    text = pdf_text(reader)
    for literal in ('Hash #eval("1 + 1") and #panic("boom") must print as written.',
                    "Brackets [like these] and *stars* and _underscores_ and `backticks` stay.",
                    r"Math $a + b$ and a backslash \ and \n and \\ and <label> and @ref and // slashes.",
                    '#include "/etc/passwd" ; #read("/etc/passwd") done.',
                    "Dear #strong[Bob] and $x^2$,", "#sys.inputs.tei",
                    "Letter #1 from [X] to *Y* with $math$ and \\backslashes"):
        assert literal in text, literal
    assert "root:" not in text and "<TEI" not in text  # nothing was read or expanded
    assert reader.metadata.title == "Letter #1 from [X] to *Y* with $math$ and \\backslashes"
    assert reader.metadata.author == "#set text(red) [Mallory]"


def test_cyrillic_letter(renderer, tmp_path):
    reader = typeset(renderer, FIXTURES / "cyrillic.xml", tmp_path)
    root, _ = parse(FIXTURES / "cyrillic.xml")
    assert in_order(words(body_text(root)), words(pdf_text(reader)))
    assert "ФИЛИППОВ [Сталин]" in pdf_text(reader)
    assert reader.trailer["/Root"]["/Lang"] == "ru"
    assert reader.metadata.title == "Шифртелеграмма Филиппова Мао Цзэдуну"


def _has_cjk_font(renderer: PrintRenderer) -> bool:
    return any(name in renderer.families for name in ("noto serif cjk sc", "noto sans cjk sc",
                                                       "source han serif sc", "source han sans sc"))


def test_chinese_quoting_letter_prints_with_real_glyphs(renderer, tmp_path):
    sample = sorted(CORPUS.glob("025_*.txt"))
    require(bool(sample), f"{CORPUS} has no sample 025 (the shared corpus)")
    require(_has_cjk_font(renderer), "no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    convert_files(sample, tmp_path / "tei", Config(), echo=lambda *a, **k: None)
    [tei] = (tmp_path / "tei").glob("*.xml")
    reader = typeset(renderer, tei, tmp_path)
    text = pdf_text(reader)
    root, _ = parse(tei)
    assert in_order(words(body_text(root)), words(text))
    for phrase in ("关于收集朝鲜战场双方情况事给倪志亮的电报", "周恩来", "Zhou Enlai", "Ambassador Ni [Zhiliang]:"):
        assert phrase in text
    # the notes are footnotes with their own text
    assert "指中国驻朝鲜大使倪志亮" in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in _fonts(page)}
    assert any("CJK" in name for name in fonts), fonts


def _fonts(page) -> list:
    resources = page["/Resources"]
    return [f.get_object() for f in resources.get("/Font", {}).values()]


def test_characters_no_font_has_fail_that_document_only(tmp_path):
    text = (FIXTURES / "cyrillic.xml").read_text("utf-8")
    bad = tmp_path / "in" / "bad.xml"
    bad.parent.mkdir()
    bad.write_text(text.replace('xml:id="cyrillic"', 'xml:id="bad"').replace("Мы получили", "Мы \U0010FFFD получили"),
                   "utf-8")
    good = tmp_path / "in" / "good.xml"
    good.write_text(text.replace('xml:id="cyrillic"', 'xml:id="good"'), "utf-8")
    messages = []
    outcome = render_print_files([tmp_path / "in"], tmp_path / "out", Config(), jobs=1,
                                 echo=lambda message, err=False: messages.append(message))
    assert outcome.written == ["good"] and [path for path, _ in outcome.failed] == [str(bad)]
    [message] = [m for m in messages if "render error" in m]
    assert message.startswith(f"{bad}: render error: no available font has glyphs for 1 character")
    assert "U+10FFFD" in message and "fonts-noto" in message
    assert (tmp_path / "out" / "good.pdf").exists() and not (tmp_path / "out" / "bad.pdf").exists()


# ---------------------------------------------------------------------------
# every block and inline kind of the reading model


@pytest.fixture(scope="module")
def all_kinds(renderer, tmp_path_factory) -> str:
    require(_has_cjk_font(renderer), "no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    reader = typeset(renderer, FIXTURES / "all-kinds.xml", tmp_path_factory.mktemp("all"))
    return pdf_text(reader)


def test_every_kind_of_block_prints(all_kinds):
    root, _ = parse(FIXTURES / "all-kinds.xml")
    assert in_order(words(body_text(root)), words(all_kinds))
    for piece in ("Record of the conversation", "Top secret", "1. Fifty locomotives.", "• Pilots cannot be sent.",
                  "Locomotives 50", "We cannot help with air force pilots.", "Original (German)",
                  "Der Botschafter traf den Minister"):
        assert piece in all_kinds, piece


def test_every_kind_of_inline_prints(all_kinds):
    flat = re.sub(r"\s+", " ", all_kinds)
    for piece in ("[the Soviet] government*.", "*The note itself is not in the file.", "[...]", "illegible[?]", "[illegible]", "received", "fifty", "sixty",
                  "[p. 2]", "the report", "a hostile link", "On Railways", "full steam ahead", "segment",
                  "Lokomotive", "火车头"):
        assert piece in flat, piece
    assert "recieved" not in flat  # a choice shows its correction


def test_only_safe_links_become_link_annotations(renderer, tmp_path):
    reader = typeset(renderer, FIXTURES / "all-kinds.xml", tmp_path) if _has_cjk_font(renderer) else None
    require(reader is not None, "no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    uris = [annot.get_object()["/A"].get("/URI") for page in reader.pages for annot in page.get("/Annots", [])
            if annot.get_object().get("/A")]
    assert "https://example.org/report" in uris
    assert not any("javascript" in str(uri) for uri in uris)


# ---------------------------------------------------------------------------
# configuration


def test_a2b_has_no_attachment(seed_tei, tmp_path):
    reader = typeset(PrintRenderer(Config(pdf_standard="a-2b")), seed_tei, tmp_path)
    assert not list(reader.attachments)
    meta = xmp(reader)
    assert meta.xpath("string(//pdfaid:part)", namespaces=RDF) == "2"


def test_us_letter_and_line_numbers(seed_tei, tmp_path):
    reader = typeset(PrintRenderer(Config(paper="us-letter", line_numbers=5)), seed_tei, tmp_path)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    pdftotext = require_tool("pdftotext")  # pypdf skips the margin numbers
    first = subprocess.run([pdftotext, "-l", "1", str(tmp_path / f"{seed_tei.stem}.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    numbers = [int(n) for n in re.findall(r"^(\d+)$", first, flags=re.M)]
    assert numbers[:4] == [5, 10, 15, 20]  # margin numbers every five lines, no paragraph numbers
    root, _ = parse(seed_tei)
    assert in_order(words(body_text(root)), words(pdf_text(reader)))


def test_an_editors_own_template(seed_tei, tmp_path):
    template = tmp_path / "mine.typ"
    template.write_text(
        '#let data = json(bytes(sys.inputs.data))\n'
        '#set document(title: data.header.title)\n'
        '#set text(font: data.print.fonts)\n'
        '= My edition\n'
        '#data.header.title\n', "utf-8")
    (tmp_path / "teipress.toml").write_text('[print]\ntemplate = "mine.typ"\n', "utf-8")
    from teipress.config import load_config

    reader = typeset(PrintRenderer(load_config(tmp_path)), seed_tei, tmp_path)
    assert "My edition" in pdf_text(reader)


def test_a_broken_template_is_a_render_error(seed_tei, tmp_path):
    template = tmp_path / "broken.typ"
    template.write_text("#let x = (\n", "utf-8")
    root, data = parse(seed_tei)
    with pytest.raises(RenderError, match="Typst could not typeset"):
        PrintRenderer(Config(print_template=str(template))).typeset(root, data)
