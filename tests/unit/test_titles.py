import pytest

from teipress.titles import doc_type_of, name_kind, read_title, split_names


@pytest.mark.parametrize("title, doc_type, senders, recipients, via", [
    ("Letter addressed by the CC of the CPSU to the CC of the RWP on the recall of Soviet advisors from Romania",
     "letter", ["CC of the CPSU"], ["CC of the RWP"], []),
    ("Ciphered Telegram No. 709, Filippov [Stalin] to Krasovsky, for Mao Zedong",
     "ciphered telegram", ["Filippov [Stalin]"], ["Krasovsky", "Mao Zedong"], []),
    ("Telegram from Shtykov to USSR Council of Ministers", "telegram", ["Shtykov"], ["USSR Council of Ministers"], []),
    ("Note, V. Grigor’yan to Cde. Stalin", "note", ["V. Grigor’yan"], ["Stalin"], []),
    ("Cable, Zhou Enlai to Ni Zhiliang", "cable", ["Zhou Enlai"], ["Ni Zhiliang"], []),
    ("Cable, N. Firiubin to Soviet Foreign Ministry", "cable", ["N. Firiubin"], ["Soviet Foreign Ministry"], []),
    ("Mao Zedong to Stalin via Kovalev", None, ["Mao Zedong"], ["Stalin"], ["Kovalev"]),
    ("Letter from Kim Il Sung to Stalin and Molotov", "letter", ["Kim Il Sung"], ["Stalin", "Molotov"], []),
    ("Mao Zedong's Letter to Stalin", "letter", ["Mao Zedong"], ["Stalin"], []),
    ("Telegram to Stalin from Mao Zedong on Korea", "telegram", ["Mao Zedong"], ["Stalin"], []),
    ("Instructions to the Soviet Delegation", "instructions", [], ["Soviet Delegation"], []),
    ("Report from the Polish Embassy in Pyongyang to the Ministry of Foreign Affairs of Poland",
     "report", ["Polish Embassy in Pyongyang"], ["Ministry of Foreign Affairs of Poland"], []),
    ("Memorandum of Conversation between Mao Zedong and Kim Il Sung", "record of conversation", [], [], []),
])
def test_read_title(title, doc_type, senders, recipients, via):
    reading = read_title(title)
    assert reading.doc_type == doc_type
    assert [n.text for n in reading.senders] == senders
    assert [n.text for n in reading.recipients] == recipients
    assert [n.text for n in reading.via] == via


def test_name_kinds():
    assert name_kind("CC of the CPSU") == "org"
    assert name_kind("USSR Council of Ministers") == "org"
    assert name_kind("CPSU") == "org"
    assert name_kind("Filippov [Stalin]") == "person"
    assert name_kind("V. Grigor’yan") == "person"


def test_and_inside_an_organisation_name_is_kept():
    assert split_names("Ministry of Trade and Industry") == ["Ministry of Trade and Industry"]
    assert split_names("Stalin, Molotov and Beria") == ["Stalin", "Molotov", "Beria"]


def test_type_field_values():
    assert doc_type_of("Telegram") == "telegram"
    assert doc_type_of("Memorandum of Conversation") == "record of conversation"
    assert doc_type_of("Communiqué") == "communiqué"
