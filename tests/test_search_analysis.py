"""The Norwegian text analyser of search (cases/search_analysis.py) and its vocabulary file."""

import json

import pytest

from cases import search_analysis as analysis


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Lærling", "larling"),
        ("laerling", "larling"),
        ("larling", "larling"),
        ("Røntgen", "rontgen"),
        ("roentgen", "rontgen"),
        ("på", "pa"),
        ("paa", "pa"),
        ("Ålesund", "alesund"),
        ("kafé", "kafe"),
    ],
)
def test_folding_makes_spellings_of_ae_oe_aa_one(typed, folded):
    assert analysis.fold(typed) == folded


@pytest.mark.parametrize(
    ("forms", "stem"),
    [
        (["barnehage", "barnehager", "barnehagene"], "barnehag"),
        (["sykehjem", "sykehjemmet", "sykehjemmene"], "sykehjem"),
        (["skole", "skolen", "skolene"], "skol"),
    ],
)
def test_inflections_share_a_stem(forms, stem):
    assert {analysis.stem(analysis.fold(form)) for form in forms} == {stem}


def test_compounds_are_split_into_known_parts():
    assert analysis.word_terms("eldreomsorg") == ("eldreomsorg", "eldr", "omsorg")
    assert analysis.word_terms("hjemmetjenesten") == ("hjemmetjenest", "hjem", "tjenest")
    # A linking s: velferd-s-teknologi.
    assert analysis.word_terms("velferdsteknologi") == (
        "velferdsteknologi",
        "velferd",
        "teknologi",
    )


def test_foreldre_is_not_split_into_for_and_eldre():
    assert analysis.word_terms("foreldrene") == ("foreldr",)
    assert analysis.word_terms("besteforeldre") == ("besteforeldr",)
    assert "eldr" not in analysis.index_terms("Foreldrene og besteforeldrene kom.").split()


def test_common_words_are_not_terms():
    assert analysis.index_terms("og i på for") == ""
    assert analysis.index_terms("Skole og bibliotek") == "skol bibliotek"


def test_a_long_run_of_letters_is_not_searched_for_parts():
    word = "eldre" * 2_000
    assert analysis.word_terms(word) == (analysis.stem(word),)


def test_index_terms_are_each_once_in_order():
    assert analysis.index_terms("Skolen", "skolene og Skole") == "skol"


def test_the_vocabulary_file_is_valid_and_sensible():
    data = json.loads(analysis.VOCABULARY_FILE.read_text(encoding="utf-8"))
    vocabulary = analysis.read_vocabulary(data)
    assert 30 <= len(data["thesaurus"]) <= 80
    # Each term of a concept is one word, and each appears in one concept only.
    terms = [analysis.fold(term) for concept in data["thesaurus"] for term in concept["terms"]]
    assert len(terms) == len(set(terms))
    for concept in data["thesaurus"]:
        assert set(concept) <= {"terms", "related"}
        assert all(isinstance(word, str) and word.strip() for word in concept["related"])
    # No stop word is a term, a part or a related word.
    words = [w for concept in data["thesaurus"] for w in [*concept["terms"], *concept["related"]]]
    for word in [*words, *data["parts"]]:
        assert analysis.fold(word) not in vocabulary.stop_words, word
    assert len(data["stop_words"]) == len(set(data["stop_words"]))
    # The concepts the search page's help promises.
    related = vocabulary.thesaurus["eldreomsorg"]
    assert ("hjemmetjenest",) in related
    assert ("sykehjem",) in related
    assert ("hels", "omsorg") in related
    assert {("skol",), ("barnehag",)} <= set(vocabulary.thesaurus["oppvekst"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ({"stop_words": [], "parts": []}, "thesaurus"),
        ({"stop_words": [], "parts": [], "thesaurus": [{"related": ["x"]}]}, "entry 1"),
        ({"stop_words": ["og"], "parts": [], "thesaurus": [{"terms": ["og"]}]}, "entry 1"),
        ({"stop_words": [], "parts": [], "thesaurus": [{"terms": ["to ord"]}]}, "one word"),
    ],
)
def test_a_malformed_vocabulary_is_refused_with_a_reason(data, message):
    with pytest.raises(ValueError, match=message):
        analysis.read_vocabulary(data)
