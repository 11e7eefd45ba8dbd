from teipress.citations import read_citation, read_translation, sentences


def test_seed_citation():
    reading = read_citation("Central Historical National Archives, Fund CC of the RCP - Foreign Relations "
                            "Section, File 6/1955, pp. 719-720. Translated by Delia Razdolescu.")
    [archive] = reading.archives
    assert archive.repository == "Central Historical National Archives"
    assert archive.collection == "Fund CC of the RCP - Foreign Relations Section"
    assert archive.idno == "File 6/1955"
    assert (archive.locus, archive.locus_from, archive.locus_to) == ("pp. 719-720", "719", "720")
    assert (archive.country, archive.settlement) == ("Romania", "Bucharest")
    assert [n.text for n in reading.translators] == ["Delia Razdolescu"]


def test_russian_fond_opis_delo_list_and_several_archives():
    reading = read_citation("APRF, f. 45, op. 1, d. 342, l. 78; AVPRF, Fond 059a, Opis 5a, Delo 5, Papka 11, "
                            "List 80; and RGASPI, f. 558, op. 11, d. 342, ll. 0078.")
    assert [a.repository for a in reading.archives] == ["APRF", "AVPRF", "RGASPI"]
    first = reading.archives[0]
    assert (first.collection, first.idno, first.locus) == ("f. 45", "op. 1, d. 342", "l. 78")
    assert reading.archives[1].idno == "Opis 5a, Delo 5, Papka 11"
    assert reading.archives[2].locus == "ll. 0078"


def test_translated_for_and_several_translators():
    names, _ = read_translation("Translated for NKIDP by James F. Person.")
    assert [n.text for n in names] == ["James F. Person"]
    names, _ = read_translation("Translated by Jingxia Yang and Douglas Stiffler.")
    assert [n.text for n in names] == ["Jingxia Yang", "Douglas Stiffler"]
    names, language = read_translation("Translated from Russian by Gary Goldberg for CWIHP.")
    assert [n.text for n in names] == ["Gary Goldberg"] and language == "ru"
    names, _ = read_translation("Obtained and translated by Sergey Radchenko.")
    assert [n.text for n in names] == ["Sergey Radchenko"]


def test_printed_source_and_address():
    reading = read_citation(
        "Zhongyang dang'anguan (Central Archives), eds., Jianguo yilai Zhou Enlai wengao, vol. 3 (Beijing: "
        "Zhongyang wenxian chubanshe, 2008), 188. Translated by Jingxia Yang and Douglas Stiffler. "
        "https://digitalarchive.wilsoncenter.org/document/114206 - Share")
    assert reading.archives == [] and len(reading.printed) == 1
    assert reading.url == "https://digitalarchive.wilsoncenter.org/document/114206"
    assert reading.record_id == "114206"
    assert [n.text for n in reading.translators] == ["Jingxia Yang", "Douglas Stiffler"]


def test_sentences_do_not_split_at_initials_or_abbreviations():
    assert sentences("TsAMO RF, fond 5, list 720. Translated for NKIDP by James F. Person.") == [
        "TsAMO RF, fond 5, list 720.", "Translated for NKIDP by James F. Person."]
    assert len(sentences("APRF, f. 45, op. 1, d. 342, l. 78.")) == 1
