"""The text analyser of search: the same steps turn a case's text into index terms and a query's
words into the terms they look for, on PostgreSQL and SQLite alike.

A word is
- folded: lower case, æ and ae -> a, ø and oe -> o, å and aa -> a, other accents dropped, so that
  "lærling", "laerling" and "larling" are one word, as are "røntgen", "roentgen" and "rontgen";
- stemmed with the Norwegian Snowball stemmer ("barnehager" and "barnehage" -> "barnehag"), and a
  doubled final consonant made single ("sykehjemmene" -> "sykehjem", as "sykehjem");
- split, when it is a compound of two known words, into those words as well
  ("eldreomsorg" -> eldre + omsorg, "hjemmetjenesten" -> hjemme + tjeneste). The parts must each
  have MIN_PART letters or more, which keeps "foreldre" whole: it is not "for" + "eldre".
Common words (cases/search_vocabulary.json's stop words) are left out.

Pure Python and no database: cases/search.py decides how the terms are stored and matched.
"""

import functools
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer

VOCABULARY_FILE = Path(__file__).with_name("search_vocabulary.json")
# Letters and digits; an underscore or any punctuation separates words.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# The shortest part of a compound word; also the shortest word looked up as a typo.
MIN_PART = 4
# A longer "word" (a run of letters in an address, say) is not looked at for parts.
MAX_COMPOUND = 40
CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")
LETTERS = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ß": "ss"})
# Spellings of æ, ø and å without them, after LETTERS: folded the same way.
DIGRAPHS = re.compile(r"ae|oe|aa")
DIGRAPH_FOLDS = {"ae": "a", "oe": "o", "aa": "a"}


def fold(word: str) -> str:
    """`word` in lower case with æ, ø, å and their spellings ae, oe, aa folded, and other
    accents dropped: "Lærling" -> "larling", "laerling" -> "larling", "Røntgen" -> "rontgen"."""
    lowered = word.lower().translate(LETTERS)
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return DIGRAPHS.sub(lambda m: DIGRAPH_FOLDS[m.group()], lowered)


_local = threading.local()


@functools.lru_cache(maxsize=65536)
def stem(folded: str) -> str:
    """The Norwegian Snowball stem of a folded word, a doubled final consonant made single
    (Norwegian doubles it after a short vowel as the word inflects: hjem -> hjemmet)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # a stemmer keeps state while it works: one per thread
        stemmer = _local.stemmer = snowballstemmer.stemmer("norwegian")
    result = stemmer.stemWord(folded) or folded
    if len(result) > 3 and result[-1] == result[-2] and result[-1] in CONSONANTS:
        result = result[:-1]
    return result


def words(text: str) -> list[str]:
    """The words of `text` as written (letters and digits)."""
    return WORD.findall(text or "")


@dataclass(frozen=True)
class Vocabulary:
    stop_words: frozenset[str]  # folded
    part_stems: frozenset[str]  # stems of the words compounds are split into
    # The stem of a thesaurus term -> the alternatives it brings, each a tuple of stems that
    # must all be found ("helse og omsorg" -> ("hels", "omsorg")).
    thesaurus: dict[str, tuple[tuple[str, ...], ...]]


def phrase_stems(phrase: str, stop_words: Iterable[str]) -> tuple[str, ...]:
    """The stems of the words of a phrase, common words left out."""
    stops = set(stop_words)
    return tuple(stem(f) for w in words(phrase) if (f := fold(w)) not in stops)


def read_vocabulary(data: dict) -> Vocabulary:
    """The vocabulary of a parsed search_vocabulary.json; ValueError if it is malformed."""
    if not isinstance(data, dict):
        raise ValueError("The search vocabulary must be a JSON object.")
    for key in ("stop_words", "parts", "thesaurus"):
        if not isinstance(data.get(key), list):
            raise ValueError(f"The search vocabulary needs a list '{key}'.")
    stop_words = frozenset(fold(w) for w in data["stop_words"])
    part_stems = {stem(fold(w)) for w in data["parts"]}
    thesaurus: dict[str, list[tuple[str, ...]]] = {}
    for number, concept in enumerate(data["thesaurus"], start=1):
        terms, related = concept.get("terms"), concept.get("related", [])
        if not terms or not isinstance(terms, list) or not isinstance(related, list):
            raise ValueError(f"Thesaurus entry {number} needs a list of terms.")
        alternatives = []
        for phrase in [*terms, *related]:
            if not isinstance(phrase, str) or not (stems := phrase_stems(phrase, stop_words)):
                raise ValueError(f"Thesaurus entry {number} has an empty or common word.")
            alternatives.append(stems)
            if len(stems) == 1:
                part_stems.add(stems[0])
        for term in terms:
            stems = phrase_stems(term, stop_words)
            if len(stems) != 1:
                raise ValueError(f"Thesaurus entry {number}: a term is one word ({term!r}).")
            known = thesaurus.setdefault(stems[0], [])
            known.extend(a for a in alternatives if a != stems and a not in known)
    return Vocabulary(
        stop_words=stop_words,
        part_stems=frozenset(part_stems),
        thesaurus={key: tuple(value) for key, value in thesaurus.items()},
    )


@functools.cache
def vocabulary() -> Vocabulary:
    return read_vocabulary(json.loads(VOCABULARY_FILE.read_text(encoding="utf-8")))


def split_compound(folded: str, known: Callable[[str], bool]) -> tuple[str, str] | None:
    """The two parts of a folded compound word, as stems, if both are `known` stems; the
    split with the longest known last part. A first part may end in a linking s or e
    (velferds-teknologi, barne-hage)."""
    for position in range(MIN_PART, len(folded) - MIN_PART + 1):
        head, tail = folded[:position], folded[position:]
        tail_stem = stem(tail)
        if not known(tail_stem):
            continue
        head_stem = stem(head)
        if known(head_stem):
            return head_stem, tail_stem
        if head[-1] in "se" and len(head) > MIN_PART and known(stem(head[:-1])):
            return stem(head[:-1]), tail_stem
    return None


def index_terms(*texts: str) -> str:
    """The index terms of texts, space-separated, each once (see `word_terms`)."""
    terms: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            terms.update(dict.fromkeys(word_terms(word)))
    return " ".join(terms)


@functools.lru_cache(maxsize=65536)
def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one word: its stem and, for a compound of known parts, the parts'
    stems; none for a common word."""
    vocab = vocabulary()
    folded = fold(word)
    if folded in vocab.stop_words:
        return ()
    terms = [stem(folded)]
    if 2 * MIN_PART <= len(folded) <= MAX_COMPOUND:
        parts = split_compound(folded, vocab.part_stems.__contains__)
        if parts:
            terms.extend(part for part in parts if part not in terms)
    return tuple(terms)
