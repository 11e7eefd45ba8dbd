"""XPath checks on the header and body of every page shape of the archive."""

from __future__ import annotations

import pytest

from teipress.edition import plain

from conftest import CORPUS, SEEDS, convert_path, require, xp

H = "/tei:TEI/tei:teiHeader"
SENT = f"{H}/tei:profileDesc/tei:correspDesc/tei:correspAction[@type='sent']"
RECEIVED = f"{H}/tei:profileDesc/tei:correspDesc/tei:correspAction[@type='received']"
MS = f"{H}/tei:fileDesc/tei:sourceDesc/tei:msDesc/tei:msIdentifier"


def sample(prefix: str):
    require(CORPUS.is_dir(), f"{CORPUS} is absent")
    [path] = CORPUS.glob(f"{prefix}_*.txt")
    return convert_path(path)


def texts(root, path):
    """Element texts as an edition shows them (editorial brackets back in)."""
    return [plain(e) for e in xp(root, path)]


def test_seed_letter():
    conversion, root = convert_path(sorted(SEEDS.glob("*.txt"))[0])
    assert texts(root, f"{H}/tei:fileDesc/tei:titleStmt/tei:title") == [
        "Letter addressed by the CC of the CPSU to the CC of the RWP on the recall of Soviet advisors from Romania"]
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1958-09-09"
    assert texts(root, f"{SENT}/tei:orgName") == ["CC of the CPSU"]
    assert texts(root, f"{RECEIVED}/tei:orgName") == ["CC of the RWP"]
    assert texts(root, f"{MS}/tei:repository") == ["Central Historical National Archives"]
    assert texts(root, f"{MS}/tei:collection") == ["Fund CC of the RCP - Foreign Relations Section"]
    assert texts(root, f"{MS}/tei:idno") == ["File 6/1955"]
    assert xp(root, f"string({H}//tei:msItem/tei:locus/@from)") == "719"
    assert texts(root, f"{H}//tei:titleStmt/tei:respStmt[starts-with(tei:resp, 'Transl')]/tei:persName") == [
        "Delia Razdolescu"]
    assert xp(root, f"{H}//tei:publicationStmt/tei:idno[@type='record']") == []  # the page gives none
    assert xp(root, "string(//tei:keywords/tei:term[@type='document-type'])") == "letter"
    # the letter's structure
    assert texts(root, "//tei:body/tei:div/tei:opener/tei:salute") == ["Dear Comrades,"]
    assert len(xp(root, "//tei:body/tei:div/tei:p")) == 9
    assert texts(root, "//tei:closer/tei:salute") == ["With communist greetings,"]
    assert texts(root, "//tei:closer/tei:signed") == ["The Central Committee of the CPSU"]
    assert xp(root, "string(//tei:closer/tei:dateline/tei:date/@when)") == "1958-09-09"
    assert xp(root, "//tei:body//tei:p/@xml:id")[0] == f"{conversion.doc.id}-p1"
    assert conversion.doc.shape == "current"


def test_labelled_blocks_telegram_with_furniture():
    conversion, root = sample("001")
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1952-02-03"
    assert texts(root, f"{SENT}/tei:persName") == ["Filippov [Stalin]"]
    assert xp(root, f"string({SENT}/tei:persName/tei:supplied)") == "Stalin"
    assert texts(root, f"{RECEIVED}/tei:persName") == ["Krasovsky", "Mao Zedong"]
    assert texts(root, f"{MS}/tei:repository") == ["APRF"]
    assert texts(root, f"{MS}/tei:altIdentifier/tei:repository") == ["AVPRF", "RGASPI"]
    assert texts(root, f"{H}//tei:publicationStmt/tei:idno[@type='record']") == ["113636"]
    assert xp(root, "string(//tei:sourceDesc/tei:bibl/tei:date[@type='uploaded']/@when)") == "2011-11-20"
    assert xp(root, "string(//tei:keywords/tei:term[@type='document-type'])") == "ciphered telegram"
    assert texts(root, "//tei:opener/tei:seg[@type='priority']") == ["TOP PRIORITY"]
    assert texts(root, "//tei:opener/tei:seg[@type='number']") == ["CIPHERED TELEGRAM No. 709"]
    assert texts(root, "//tei:opener/tei:seg[@type='address']") == ["TO KRASOVSKY"]
    assert texts(root, "//tei:closer/tei:signed") == ["FILIPPOV [Stalin].”"]
    assert texts(root, "//tei:postscript/tei:p") == ["Confirm receipt.", "Telegraph the fulfillment."]
    assert texts(root, "//tei:abstract/tei:p")[0].startswith("Telegram to Mao from Stalin")
    assert conversion.doc.shape == "current-labelled"


def test_unlabelled_block_with_funder_and_summary():
    conversion, root = sample("003")
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1950-10-08"
    assert texts(root, f"{SENT}/tei:persName") == ["Shtykov"]
    assert texts(root, f"{RECEIVED}/tei:orgName") == ["USSR Council of Ministers"]
    assert texts(root, f"{MS}/tei:repository") == ["TsAMO RF"]
    assert texts(root, f"{MS}/tei:collection") == ["fond 5"]
    assert texts(root, f"{MS}/tei:idno") == ["opis 918795, delo 121"]
    assert texts(root, f"{H}//tei:msItem/tei:locus") == ["list 720"]
    assert texts(root, f"{H}//tei:respStmt[starts-with(tei:resp, 'Transl')]/tei:persName") == ["James F. Person"]
    assert texts(root, f"{H}//tei:titleStmt/tei:funder") == ["Leon Levy Foundation"]
    assert texts(root, "//tei:abstract/tei:p")[0].startswith("Telegram from the Ambassador of the USSR")
    assert xp(root, "string(//tei:opener/tei:dateline/tei:date/@when)") == "1950-10-08"
    assert len(xp(root, "//tei:body//tei:p")) == 6


def test_compact_page_with_related_summary_first():
    conversion, root = sample("010")
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1949-11-01"
    assert texts(root, f"{SENT}/tei:persName") == ["V. Grigor’yan"]
    assert texts(root, f"{RECEIVED}/tei:persName") == ["Stalin"]
    assert xp(root, f"{H}//tei:msDesc") == []  # no source citation on this page
    assert texts(root, "//tei:abstract/tei:p")[0].startswith("Grigor'yan attaches")
    first = conversion.report["set_aside"][0]
    assert first["line"] == 1 and first["rule"] == "text-before-date-line"
    assert conversion.doc.shape == "compact"


def test_bilingual_partial_cable():
    conversion, root = sample("025")
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1950-10-05"
    assert texts(root, f"{SENT}/tei:persName") == ["Zhou Enlai"]
    assert texts(root, f"{RECEIVED}/tei:persName") == ["Ni Zhiliang"]
    original, translation = xp(root, "//tei:body/tei:div")
    assert original.get("subtype") == "original" and xp(original, "string(@xml:lang)") == "zh"
    assert translation.get("subtype") == "translation" and xp(translation, "string(@xml:lang)") == "en"
    assert len(xp(original, ".//tei:note")) == 4  # [1]..[4] placed at their anchors
    assert xp(root, "//tei:licence//tei:gap[@reason='truncated']")  # cut inside the rights statement
    assert texts(root, "//tei:notesStmt/tei:relatedItem/tei:bibl/tei:title") == [
        "Telegram from Zhou Enlai to Ni Zhiliang"]
    assert conversion.doc.truncated
    assert any(i.rule == "source-truncated" for i in conversion.doc.issues)


def test_old_site_page():
    conversion, root = sample("030")
    assert texts(root, f"{H}/tei:fileDesc/tei:titleStmt/tei:title") == ["Telegram from Zhou Enlai to Ni Zhiliang"]
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1950-08-23"
    assert texts(root, f"{H}//tei:publicationStmt/tei:idno[@type='record']") == ["114206"]
    assert texts(root, f"{H}//tei:publicationStmt/tei:idno[@type='URI']") == [
        "https://digitalarchive.wilsoncenter.org/document/114206"]
    assert len(xp(root, "//tei:sourceDesc/tei:bibl[@type='printed']")) == 1
    assert texts(root, f"{H}//tei:respStmt[starts-with(tei:resp, 'Transl')]/tei:persName") == [
        "Jingxia Yang", "Douglas Stiffler"]
    assert texts(root, "//tei:abstract/tei:p")[0].startswith("North Korea requests train locomotives")
    assert texts(root, "//tei:opener/tei:salute") == ["Ambassador Ni [Zhiliang]:"]
    assert texts(root, "//tei:closer/tei:signed") == ["Zhou Enlai"]
    assert xp(root, "string(//tei:closer/tei:dateline/tei:date/@when)") == "1950-08-23"
    assert conversion.doc.shape == "old-site"


def test_partial_cable_with_classification_furniture():
    conversion, root = sample("044")
    assert xp(root, f"string({SENT}/tei:date/@when)") == "1956-11-04"
    assert texts(root, f"{SENT}/tei:persName") == ["N. Firiubin"]
    assert texts(root, f"{RECEIVED}/tei:orgName") == ["Soviet Foreign Ministry"]
    assert texts(root, "//tei:opener/tei:seg[@type='classification']") == ["Strictly secret", "Copying is forbidden"]
    assert texts(root, "//tei:body/tei:div/tei:head") == ["Cable, N. Firiubin to Soviet Foreign Ministry 4 November 1956"]
    assert texts(root, "//tei:closer/tei:signed") == ["N. FIRIUBIN"]
    assert xp(root, "//tei:abstract/tei:p/tei:gap[@reason='truncated']")  # the summary is cut off
    assert len(xp(root, "//tei:body//tei:p")) == 4


@pytest.mark.parametrize("prefix", ["001", "003", "010", "025", "030", "044"])
def test_every_sample_has_title_date_and_text(prefix):
    conversion, root = sample(prefix)
    assert xp(root, f"string({H}/tei:fileDesc/tei:titleStmt/tei:title)")
    assert xp(root, f"{SENT}/tei:date/@when")
    assert xp(root, "//tei:body//tei:p")
