import pytest

from teipress.dates import date_at_end, date_at_start, parse_date


@pytest.mark.parametrize("text, attrs", [
    ("September 9, 1958", {"when": "1958-09-09"}),
    ("Sept. 9 1958", {"when": "1958-09-09"}),
    ("9 September 1958", {"when": "1958-09-09"}),
    ("August 23 [1950]", {"when": "1950-08-23"}),
    ("September 1958", {"when": "1958-09"}),
    ("1958", {"when": "1958"}),
    ("c. 1950", {"when": "1950"}),
    ("1958-09-09", {"when": "1958-09-09"}),
    ("4/XI-56", {"when": "1956-11-04"}),
    ("04.11.1956", {"when": "1956-11-04"}),
    ("September 9-10, 1958", {"from_": "1958-09-09", "to": "1958-09-10"}),
    ("9-10 September 1958", {"from_": "1958-09-09", "to": "1958-09-10"}),
    ("1958-1959", {"from_": "1958", "to": "1959"}),
    ("1950s", {"not_before": "1950", "not_after": "1959"}),
    ("December 30, 1950 - January 2, 1951", {"from_": "1950-12-30", "to": "1951-01-02"}),
    ("December 1951 - January 1952", {"from_": "1951-12", "to": "1952-01"}),
])
def test_parse_date_readings(text, attrs):
    value = parse_date(text)
    assert value is not None and value.text == text
    for key, expected in attrs.items():
        assert getattr(value, key) == expected


@pytest.mark.parametrize("text", ["February 30, 1958", "1958-02-30", "1958-13", "Ciphered Telegram",
                                  "September 10-9, 1958", "31 April 1950", ""])
def test_impossible_or_non_dates_get_no_reading(text):
    assert parse_date(text) is None


def test_year_from_context_only_when_given():
    assert parse_date("October 5") is None
    assert parse_date("October 5", context_year=1950).when == "1950-10-05"


def test_date_at_start_and_end():
    value, rest = date_at_start("8 October 1950   11.20")
    assert value.when == "1950-10-08" and rest.strip() == "11.20"
    before, value = date_at_end("Zhou Enlai August 23 [1950]")
    assert before.strip() == "Zhou Enlai" and value.when == "1950-08-23"
    assert date_at_start("1443 reasons") is None  # a bare number is not a date


@pytest.mark.parametrize("text, when", [
    ("\u017fept. 5, 1958", "1958-09-05"),  # long s
    ("Apr\u0131l 5, 1958", "1958-04-05"),  # dotless i
    ("APR\u0130L 5, 1958", "1958-04-05"),  # dotted capital I
    ("5.\u0130X.1958", "1958-09-05"),  # a Roman month
])
def test_letters_the_patterns_read_as_ascii_give_the_month(text, when):
    # the case-blind patterns match these letters as s, i and k: reading the month must not fail
    assert parse_date(text).when == when
