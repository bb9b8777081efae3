"""Full-text search over cases.

PostgreSQL: the generated, weighted `search_vector` column (migration 0003; title A, summary and
tags/organisation names B, the long texts C) with the `norwegian` Snowball configuration. Every
word of the query must match (AND); a word matches when a lexeme of the case starts with its stem
(inflected forms and the first part of compounds: "sykehjemmet" finds "sykehjem", "multidos" finds
"multidoserobot"), or, for typos and spellings without æ/ø/å, when a word of the title, tags or
organisation names is trigram-similar to it (pg_trgm: "rontgen" finds "røntgen"). Common words
the Norwegian configuration ignores ("og", "i", "på") are left out of the query. Results are
ranked with ts_rank_cd plus a share of the trigram similarity, so a title match ranks above a
summary match above a match in the long texts.

SQLite: every word must appear somewhere in the text fields (case-insensitive substring), ranked
title match above summary match above the rest.
"""

import functools
import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case as Cases
from django.db.models import FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TEXT_FIELDS = ["title", "summary", "problem", "solution", "results", "reuse_guide", "search_extra"]
SNIPPET_FIELDS = ["summary", "problem", "solution", "results", "reuse_guide"]
# Letters and digits; an underscore or any punctuation separates words, as in PostgreSQL's parser.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS = 12
MAX_QUERY_LENGTH = 200
CONSONANTS = set("bcdfghjklmnpqrstvwxz")
# A stem shorter than this matches whole lexemes only: "ki" should not find "kilde" and "kirke".
MIN_PREFIX_LENGTH = 3
# Words shorter than this take no part in trigram matching: their trigrams match almost anything.
MIN_TRIGRAM_LENGTH = 4
# A word matches a text whose pg_trgm word similarity to it reaches this, or "sykehjemmet" would
# find every "hjemmetjeneste". pg_trgm's operators test the connection's
# pg_trgm.word_similarity_threshold, which config/settings.py sets to this value: then the
# trigram index finds the candidates and its recheck decides (see _term_condition).
TRIGRAM_THRESHOLD = 0.5
TRIGRAM_TEXT = "(title || ' ' || search_extra)"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def words_of(query: str) -> list[str]:
    return WORD.findall((query or "")[:MAX_QUERY_LENGTH].replace("\x00", "").lower())[:MAX_WORDS]


@dataclass(frozen=True)
class Term:
    """One word of the query as the database matches it."""

    word: str
    stems: tuple[str, ...] = ()  # PostgreSQL: the stem and its variants

    @property
    def tsquery(self) -> str:
        """This word as tsquery text (for to_tsquery('simple', ...)): its stems, as prefixes
        when they are long enough. Stems are letters and digits only, so quoting is safe."""
        alternatives = [
            f"'{stem}':*" if len(stem) >= MIN_PREFIX_LENGTH else f"'{stem}'" for stem in self.stems
        ]
        return "(" + " | ".join(alternatives) + ")"

    @property
    def fuzzy(self) -> bool:
        return len(self.word) >= MIN_TRIGRAM_LENGTH


@dataclass(frozen=True)
class Search:
    """A parsed query: the text as typed, its words and the terms the database matches.

    `terms` is empty when every word is one the Norwegian configuration ignores ("og", "i"):
    such a query matches nothing rather than everything.
    """

    text: str
    words: list[str]
    terms: tuple[Term, ...] = ()
    roots: tuple[str, ...] = field(default=())

    def __bool__(self):
        return bool(self.words)

    @property
    def tsquery(self) -> str:
        """All terms, every one required: the tsquery text of the whole query."""
        return " & ".join(term.tsquery for term in self.terms)

    @property
    def any_tsquery(self) -> str:
        """Any term: ranks cases that match some words by full text and others by trigrams."""
        return " | ".join(term.tsquery for term in self.terms)

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@functools.lru_cache(maxsize=2048)
def _lexize(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The Norwegian Snowball stems of `words`, in order; an empty tuple for a stop word.

    Cached: a stem depends only on the word and the dictionary, and a search parses the same
    query for its results, its facet counts and its feed.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, ts_lexize('norwegian_stem', w) FROM unnest(%s::text[]) AS w", [list(words)]
        )
        rows = dict(cursor.fetchall())
    return tuple(tuple(rows[word]) if rows.get(word) is not None else (word,) for word in words)


def _variants(stem: str) -> tuple[str, ...]:
    """The stem, and the stem without a doubled final consonant: Norwegian doubles it after a
    short vowel when it inflects (hjem -> hjemmet), and the stemmer keeps the double."""
    variants = [stem]
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] in CONSONANTS:
        variants.append(stem[:-1])
    return tuple(sorted(variants))


def parse(query: str) -> Search:
    words = words_of(query)
    text = (query or "")[:MAX_QUERY_LENGTH].replace("\x00", "")
    if not words:
        return Search(text=text, words=[])
    if not is_postgresql():
        return Search(
            text=text,
            words=words,
            terms=tuple(Term(word=word) for word in dict.fromkeys(words)),
            roots=tuple(dict.fromkeys(words)),
        )
    terms: list[Term] = []
    roots: list[str] = []
    unique = tuple(dict.fromkeys(words))
    for word, lexemes in zip(unique, _lexize(unique), strict=True):
        if not lexemes:
            continue  # a stop word: not in any search vector
        stems = _variants(lexemes[0])
        terms.append(Term(word=word, stems=stems))
        roots.extend(stem for stem in stems if len(stem) >= MIN_PREFIX_LENGTH)
        if len(lexemes[0]) < MIN_PREFIX_LENGTH:
            roots.append(word)
    return Search(text=text, words=words, terms=tuple(terms), roots=tuple(dict.fromkeys(roots)))


def _connection_threshold() -> float | None:
    """The pg_trgm.word_similarity_threshold the connection's options set (config/settings.py),
    if they set one."""
    options = connection.settings_dict.get("OPTIONS", {}).get("options", "")
    found = re.search(r"pg_trgm\.word_similarity_threshold\s*=\s*([0-9.]+)", options)
    return float(found.group(1)) if found else None


def _term_condition(term: Term) -> tuple[str, list]:
    """One word as a condition on a case row: its stems in the search vector, or (for words
    long enough) a trigram-similar word in the title, tags and names.

    The trigram test is written `text %> word` (`word <% text` with its sides swapped), the
    form the trigram index serves, so that the similarity is computed once per candidate row,
    as the index's recheck. When the connection's threshold is TRIGRAM_THRESHOLD that test is
    the whole condition; otherwise the stricter similarity is asked for as well, at the price
    of computing it again.
    """
    sql = "search_vector @@ to_tsquery('simple', %s)"
    params: list = [term.tsquery]
    if term.fuzzy:
        trigram = f"{TRIGRAM_TEXT} %%> %s"
        params.append(term.word)
        if _connection_threshold() != TRIGRAM_THRESHOLD:
            trigram += f" AND word_similarity(%s, {TRIGRAM_TEXT}) >= {TRIGRAM_THRESHOLD}"
            params.append(term.word)
        sql = f"({sql} OR ({trigram}))"
    return sql, params


def matching_ids(search: Search, *, text_rank: bool = False) -> tuple[str, list]:
    """SQL for the ids of every case (of any status) that contains every word of `search`,
    and with `text_rank` their full-text rank (the first part of `rank_parts`) as
    `text_rank`. PostgreSQL only; `search` must have terms.

    One scan: the database combines the GIN indexes per word (BitmapOr of the search vector's
    and the trigrams') and across words (BitmapAnd), and reads only the rows they name. The
    full-text test comes first in each word's OR: a row it finds needs no trigram similarity.
    """
    conditions, params = [], []
    for term in search.terms:
        sql, term_params = _term_condition(term)
        conditions.append(sql)
        params += term_params
    selected = "id"
    if text_rank:
        rank_sql, rank_params, _similarity, _similarity_params = rank_parts(search)
        selected += f", {rank_sql} AS text_rank"
        params = rank_params + params
    return f"SELECT {selected} FROM cases_case WHERE " + " AND ".join(conditions), params


def rank_parts(search: Search, table: str = "cases_case") -> tuple[str, list, str, list]:
    """The two parts of a case's rank (PostgreSQL): full-text rank, and the trigram similarity
    of the whole query to the title, tags and names. rank = first + 0.5 * second; the second
    lies in [0, 1], which lets a page be ranked without computing it for every match."""
    return (
        f"ts_rank_cd({table}.search_vector, to_tsquery('simple', %s))",
        [search.any_tsquery],
        f"word_similarity(%s, {table}.title || ' ' || {table}.search_extra)",
        [search.phrase],
    )


def apply(queryset: QuerySet, search: Search) -> QuerySet:
    """Narrow a Case queryset to the matches of `search`, annotated with `rank`."""
    if not search:
        return queryset
    if not search.terms:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if is_postgresql():
        # A self-contained id subquery: it stays valid when Django nests the queryset in
        # another query (facet counts) and renames the outer table.
        ids_sql, ids_params = matching_ids(search)
        # Ranking reads the outer row, so it is only for the top-level query (ordering a page).
        text_rank, text_params, similarity, similarity_params = rank_parts(search)
        rank = RawSQL(
            f"{text_rank} + 0.5 * {similarity}",
            [*text_params, *similarity_params],
            output_field=FloatField(),
        )
        return queryset.filter(pk__in=RawSQL(ids_sql, ids_params)).annotate(rank=rank)
    condition = Q()
    title_hit, summary_hit = Q(), Q()
    for term in search.terms:
        any_field = Q()
        for name in TEXT_FIELDS:
            any_field |= Q(**{f"{name}__icontains": term.word})
        condition &= any_field
        title_hit |= Q(title__icontains=term.word)
        summary_hit |= Q(summary__icontains=term.word)
    return queryset.filter(condition).annotate(
        rank=Cases(
            When(title_hit, then=Value(1.0)),
            When(summary_hit, then=Value(0.75)),
            default=Value(0.5),
            output_field=FloatField(),
        )
    )


# Highlighting -------------------------------------------------------------------------------
#
# What a page shows of a result must cost what a short excerpt costs, whatever an author wrote
# (a run of 49,000 letters in a link's address made a backtracking pattern take 14 s). So:
# - a snippet reads at most SCAN_LIMIT characters of each text;
# - the Markdown patterns below stop at the next bracket, parenthesis or line end and never
#   give back what they consumed (possessive quantifiers), so each character is read a bounded
#   number of times;
# - the first match is found by one pass over the words (WORD), each tested for containing a
#   root with `in`: no pattern built from the query, nothing to backtrack;
# - words are marked only inside the excerpt that is shown.

# How much of one text a snippet reads; a text whose first match lies further in gives way to
# the next text, then to the start of the summary.
SCAN_LIMIT = 10_000

MARKDOWN_NOISE = [
    # Links and images: their text. The text stops at the next bracket, the address at the
    # next parenthesis; one whose address runs past the end of what was read keeps its text.
    (re.compile(r"!?\[([^\[\]]*+)\]\([^()]*+(?:\)|\Z)"), r"\1"),
    (re.compile(r"<[^<>]*+>"), " "),  # raw HTML never reaches a page; not the snippet either
    (
        re.compile(r"(?m)^[ \t]{0,3}+(?:#{1,6}+[ \t]++|>[ \t]?+|[-*+][ \t]++|\d++[.)][ \t]++)"),
        "",
    ),  # block markers
    (re.compile(r"\*\*|__|\*|`++|~~"), ""),  # emphasis and code markers
    (re.compile(r"(?m)^[ \t]*+\|?+(?:[ \t]*+:?+-{3,}+:?+[ \t]*+\|)++[ \t]*+$"), " "),  # rules
    (re.compile(r"\|"), " "),
]


def plain(text: str) -> str:
    """Markdown as one line of plain text, cheaply: enough for a snippet, not for a page.
    Linear in the length of `text` (see above); callers pass at most SCAN_LIMIT characters."""
    text = text or ""
    for pattern, replacement in MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return " ".join(html.unescape(text).split())


def _roots(search: Search) -> tuple[str, ...]:
    """The lower-case roots a word must contain to be marked (two letters or more)."""
    return tuple(sorted({root.lower() for root in search.roots if len(root) >= 2}))


def _is_match(word: str, roots: tuple[str, ...]) -> bool:
    lowered = word.lower()
    return any(root in lowered for root in roots)


def _first_match(text: str, roots: tuple[str, ...]) -> re.Match | None:
    """The first word of `text` that contains a root, in one pass over its words."""
    if roots:
        for word in WORD.finditer(text):
            if _is_match(word.group(), roots):
                return word
    return None


def _marked(text: str, roots: tuple[str, ...]) -> str:
    """`text` escaped, with every word that contains a root in <mark>."""
    pieces: list[str] = []
    position = 0
    for word in WORD.finditer(text) if roots else ():
        if _is_match(word.group(), roots):
            pieces.append(escape(text[position : word.start()]))
            pieces.append(f"<mark>{escape(word.group())}</mark>")
            position = word.end()
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def highlight(text: str, search: Search, *, length: int = 240) -> SafeString:
    """An escaped excerpt of `text` around the first match, with the matching words in <mark>.

    Reads at most SCAN_LIMIT characters of `text`. The excerpt starts and ends at word
    boundaries; "…" shows where text was left out.
    """
    full_length = len(text or "")
    text = " ".join((text or "")[:SCAN_LIMIT].split())
    if not text:
        return mark_safe("")
    roots = _roots(search)
    first = _first_match(text, roots)
    start = 0
    if first and first.end() > length * 2 // 3:
        start = max(0, first.start() - length // 3)
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    excerpt = text[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) or full_length > SCAN_LIMIT else ""
    return mark_safe(prefix + _marked(excerpt, roots) + suffix)  # noqa: S308 - all escaped


def highlight_title(title: str, search: Search) -> SafeString:
    """The whole title, escaped, with the matching words in <mark>."""
    return mark_safe(_marked(title or "", _roots(search)))  # noqa: S308 - all escaped


def snippet(case, search: Search, *, length: int = 240) -> SafeString:
    """The excerpt of a case that shows why it matched: from the first of summary, problem,
    solution, results and reuse guide that contains a query word (as plain text) within its
    first SCAN_LIMIT characters, else the start of the summary."""
    roots = _roots(search)
    for name in SNIPPET_FIELDS:
        raw = (getattr(case, name, "") or "")[:SCAN_LIMIT]
        if _first_match(raw, roots):
            text = raw if name == "summary" else plain(raw)
            if _first_match(text, roots):
                return highlight(text, search, length=length)
    return highlight(
        case.summary or plain((case.problem or "")[:SCAN_LIMIT]), search, length=length
    )
