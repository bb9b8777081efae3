"""Full-text search over cases, the same on PostgreSQL and SQLite.

One analyser (cases/search_analysis.py) turns a case's texts into index terms when the case is
written (`store_terms`, called by the services) and a query's words into the terms they look
for: folded æ/ø/å, Norwegian Snowball stems, compound words split into their parts. The terms
of the title, of the summary and the words of other tables (tags, owner and partner names:
search_extra), and of the long texts are kept in three columns, searched
- on PostgreSQL through the generated, weighted `search_vector` (title A, summary B, long texts
  C; migration 0013) and its GIN index,
- on SQLite through the FTS5 table cases_case_fts (one column per weight), which `store_terms`
  keeps current.

Every word of the query must match (AND). A word matches its own stem as a prefix (so
"multidos" finds "multidoserobot" and "sykehjemmet" finds "sykehjem"), and as alternatives (OR):
the parts of a compound the published cases do not have whole ("eldreomsorg" -> eldre and
omsorg), the thesaurus' related terms (cases/search_vocabulary.json), and for a word the
published cases do not have at all, the nearest word they do have ("velferdsteknolgi" ->
"velferdsteknologi"), which the page offers as "Mente du …?". Prefixes start at the start of a
term: "eldre" never finds "foreldre".

Rank: per query word, 1.0 for a match in the title, 0.6 for a thesaurus match in the title, 0.4
in the summary, tags or names, 0.25 for a thesaurus match there, 0.1 in the long texts; summed
over the words. Computed in the same way on both databases, so they order results alike.
"""

import bisect
import functools
import html
import re
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import background
from . import search_analysis as analysis
from .models import Case

# Letters and digits; an underscore or any punctuation separates words, as in PostgreSQL's parser.
WORD = analysis.WORD
SNIPPET_FIELDS = ["summary", "problem", "solution", "results", "reuse_guide"]
MAX_WORDS = 12
MAX_QUERY_LENGTH = 200
# A stem shorter than this matches whole terms only: "ki" should not find "kilde" and "kirke".
MIN_PREFIX_LENGTH = 4
# A word shorter than this is never taken for a typo.
MIN_TYPO_LENGTH = 5
FTS_TABLE = "cases_case_fts"
# Index column -> the weight it has in PostgreSQL's search_vector.
INDEX_COLUMNS = {"search_title": "A", "search_summary": "B", "search_body": "C"}
# What a query word scores: (weight, from the thesaurus) -> score. See the module docstring.
SCORES = [("A", False, 1.0), ("A", True, 0.6), ("B", False, 0.4), ("B", True, 0.25)]
OTHERWISE = 0.1


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def words_of(query: str) -> list[str]:
    return WORD.findall((query or "")[:MAX_QUERY_LENGTH].replace("\x00", "").lower())[:MAX_WORDS]


# Storing ------------------------------------------------------------------------------------


def terms_of(case) -> dict[str, str]:
    """The index columns of a case, from its texts."""
    return {
        "search_title": analysis.index_terms(case.title),
        "search_summary": analysis.index_terms(case.summary, case.search_extra),
        "search_body": analysis.index_terms(
            case.problem, case.solution, case.results, case.reuse_guide
        ),
    }


def store_terms(case) -> None:
    """Bring the case's index columns (and on SQLite its FTS row) up to date with its texts."""
    terms = terms_of(case)
    if any(getattr(case, name) != value for name, value in terms.items()):
        for name, value in terms.items():
            setattr(case, name, value)
        Case.all_objects.filter(pk=case.pk).update(**terms)
        sync_fts([case.pk])
        if case.published_at is not None:
            lexicon_changed()


def sync_fts(ids) -> None:
    """SQLite: copy the index columns of these cases into the FTS table."""
    if is_postgresql() or not ids:
        return
    ids = list(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(INDEX_COLUMNS)}) "
                f"SELECT id, {', '.join(INDEX_COLUMNS)} FROM cases_case WHERE id IN ({marks})",
                chunk,
            )


def rebuild(batch_size: int = 500) -> int:
    """Recompute every case's index columns (and SQLite's FTS table); the number of cases."""
    count = 0
    last = 0
    while True:
        batch = list(Case.all_objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            break
        for case in batch:
            for name, value in terms_of(case).items():
                setattr(case, name, value)
        Case.all_objects.bulk_update(batch, list(INDEX_COLUMNS))
        sync_fts([case.pk for case in batch])
        count += len(batch)
        last = batch[-1].pk
    lexicon_changed()
    return count


# The words of the published cases ------------------------------------------------------------

# The lexicon wanted: a new version with every change of the published cases' words.
LEXICON_VERSION_KEY = "search:lexicon-version"
# The version of the newest lexicon built (under `_lexicon_key(version)`), served while the one
# wanted is built, and the lock on building it.
LEXICON_BUILT_KEY = "search:lexicon-built"
LEXICON_LOCK = "search:lexicon:lock"
# Longer than building ever takes (seconds at 100,000 cases): a process that dies while
# building delays the next build by this much at most.
LEXICON_LOCK_SECONDS = 300
# How long a process keeps a lexicon without asking whether it changed; a change made through
# the services is seen at the next search (lexicon_changed).
LEXICON_SECONDS = 600
# How long the cache keeps a built lexicon: building reads every published case (seconds at
# 100,000), so only a change (a new version) or a day without one builds it again.
LEXICON_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The words of the published cases' titles, summaries, tags and names: what a query word
    is compared with for compounds and typos, and what "Mente du" may suggest."""

    stems: tuple[str, ...] = ()  # sorted: the index terms of those words
    surfaces: dict[str, tuple[str, int]] = field(default_factory=dict)  # folded -> (word, cases)
    folded: tuple[str, ...] = ()

    def has_prefix(self, prefix: str) -> bool:
        """Whether some term of the published cases starts with `prefix`."""
        position = bisect.bisect_left(self.stems, prefix)
        return position < len(self.stems) and self.stems[position].startswith(prefix)

    def has(self, term: str) -> bool:
        position = bisect.bisect_left(self.stems, term)
        return position < len(self.stems) and self.stems[position] == term

    def correct(self, folded: str) -> str | None:
        """The published word nearest to a folded word not found: one edit away for a short
        word, two for a word of eight letters or more; the same first letter; the most used
        one of the nearest."""
        limit = 1 if len(folded) < 8 else 2
        found = process.extract(
            folded, self.folded, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
        )
        candidates = [
            (distance, -self.surfaces[word][1], word)
            for word, distance, _index in found
            if word[0] == folded[0] and word != folded
        ]
        return self.surfaces[min(candidates)[2]][0] if candidates else None


def _build_lexicon() -> Lexicon:
    counts: dict[str, int] = {}
    published = Case.objects.published()
    if is_postgresql():
        sql, params = published.values("title", "summary", "search_extra").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w, COUNT(*) FROM (" + sql + ") c CROSS JOIN LATERAL unnest("
                "tsvector_to_array(to_tsvector('simple', c.title || ' ' || c.summary || ' ' || "
                "c.search_extra))) AS w GROUP BY w",
                params,
            )
            counts = dict(cursor.fetchall())
    else:
        # SQLite (the demo): the same words, counted here.
        for texts in published.values_list("title", "summary", "search_extra").iterator():
            for word in set(analysis.words(" ".join(texts).lower())):
                counts[word] = counts.get(word, 0) + 1
    surfaces: dict[str, tuple[str, int]] = {}
    stems: set[str] = set()
    for word, number in counts.items():
        if len(word) < 3 or not word.isalpha():
            continue
        folded = analysis.fold(word)
        if folded not in surfaces or surfaces[folded][1] < number:
            surfaces[folded] = (word, number)
        stems.update(analysis.word_terms(word))
    return Lexicon(stems=tuple(sorted(stems)), surfaces=surfaces, folded=tuple(surfaces))


_memo: dict[str, tuple[str, float, Lexicon]] = {}


def lexicon() -> Lexicon | None:
    """The words of the published cases, or None while no lexicon has been built yet."""
    return _current()[1]


def _current() -> tuple[str, Lexicon | None]:
    """The lexicon and its version, built once per change of the published cases (see
    lexicon_changed) and kept in the cache and in the process.

    After a change the lexicon built before is used while one process builds the new one
    outside the request (cases/background.py): a search is never slower for it. With none
    built at all (a new cache) the build is started the same way and searches go without
    the lexicon until it exists: every word is taken as it is typed, with no typo
    corrections and no compound splitting (version "").
    """
    version = cache.get(LEXICON_VERSION_KEY)
    remembered = _memo.get("lexicon")
    if version is None:
        # An emptied cache says nothing changed: this process's lexicon stays, until it is
        # LEXICON_SECONDS old or another change is made.
        version = remembered[0] if remembered else uuid.uuid4().hex
        cache.set(LEXICON_VERSION_KEY, version, None)
    now = time.monotonic()
    if remembered and remembered[0] == version and now - remembered[1] < LEXICON_SECONDS:
        return version, remembered[2]
    built = _built(version)
    if built is None:
        background.refresh(LEXICON_LOCK, _build_and_store, lock_seconds=LEXICON_LOCK_SECONDS)
        # Built by now when the work ran inline; otherwise the one this process has, or the
        # newest built before (fetched from the cache only when the process has none).
        built = _built(version) or (
            (remembered[0], remembered[2]) if remembered else _newest_built()
        )
    if built is None:
        return "", None
    if not remembered or remembered[0] != built[0]:
        # Parses of another lexicon are of no more use: let it go.
        _parse.cache_clear()
    _memo["lexicon"] = (built[0], now, built[1])
    return built


def _lexicon_key(version: str) -> str:
    return f"search:lexicon:{version}"


def _built(version: str) -> tuple[str, Lexicon] | None:
    built = cache.get(_lexicon_key(version))
    return None if built is None else (version, built)


def _newest_built() -> tuple[str, Lexicon] | None:
    version = cache.get(LEXICON_BUILT_KEY)
    return None if version is None else _built(version)


def _build_and_store() -> None:
    """Build the lexicon of the published cases as they are now, under the version wanted
    when it started (a change meanwhile asks for another build)."""
    version = cache.get(LEXICON_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(LEXICON_VERSION_KEY, version, None)
    cache.set(_lexicon_key(version), _build_lexicon(), LEXICON_CACHE_SECONDS)
    cache.set(LEXICON_BUILT_KEY, version, LEXICON_CACHE_SECONDS)


def warm_lexicon() -> None:
    """Build the lexicon now unless another process is building it (after loading data)."""
    token = background.acquire(LEXICON_LOCK, LEXICON_LOCK_SECONDS)
    if token is None:
        return
    try:
        _build_and_store()
    finally:
        background.release(LEXICON_LOCK, token)


def lexicon_changed() -> None:
    """The published cases' words may have changed: the next search uses the lexicon it has
    and starts building the new one."""
    _new_lexicon_version()
    # A build that starts before the change is committed reads the words without it: once
    # committed, ask for another.
    transaction.on_commit(_new_lexicon_version)


def _new_lexicon_version() -> None:
    cache.set(LEXICON_VERSION_KEY, uuid.uuid4().hex, None)


# Parsing ------------------------------------------------------------------------------------

Alternative = tuple[str, ...]  # stems that must all be found


@dataclass(frozen=True)
class Term:
    """One word of the query: the alternatives that find it (any one will do), those the
    thesaurus adds, and the published word it was taken to be a typo of, if any."""

    word: str
    alternatives: tuple[Alternative, ...] = ()
    related: tuple[Alternative, ...] = ()
    correction: str = ""

    def tsquery(self, weight: str = "", *, related: bool | None = None) -> str:
        """PostgreSQL tsquery text (for to_tsquery('simple', ...)): the alternatives, or only
        the thesaurus' (related=True) or only the word's own (False), restricted to a weight.
        Stems are letters and digits only, so quoting is safe."""
        return (
            "("
            + " | ".join(
                "(" + " & ".join(f"'{s}':{_prefix(s)}{weight}" for s in alternative) + ")"
                for alternative in self._chosen(related)
            )
            + ")"
        )

    def fts(self, column: str = "", *, related: bool | None = None) -> str:
        """The same as an FTS5 query, restricted to one column."""
        expression = (
            "("
            + " OR ".join(
                "(" + " AND ".join(f'"{s}"{_prefix(s)}' for s in alternative) + ")"
                for alternative in self._chosen(related)
            )
            + ")"
        )
        return f"{column} : {expression}" if column else expression

    def _chosen(self, related: bool | None) -> tuple[Alternative, ...]:
        if related is None:
            return self.alternatives + self.related
        return self.related if related else self.alternatives


def _prefix(stem: str) -> str:
    return "*" if len(stem) >= MIN_PREFIX_LENGTH else ""


@dataclass(frozen=True)
class Search:
    """A parsed query: the text as typed, its words and the terms the database matches.

    `terms` is empty when every word is a common one ("og", "i"): such a query matches
    nothing rather than everything. `suggestion` is the query with typos corrected, if any.
    """

    text: str
    words: list[str]
    terms: tuple[Term, ...] = ()
    roots: tuple[str, ...] = field(default=())
    suggestion: str = ""

    def __bool__(self):
        return bool(self.words)

    @property
    def tsquery(self) -> str:
        """All terms, every one required: the tsquery text of the whole query."""
        return " & ".join(term.tsquery() for term in self.terms)

    @property
    def fts(self) -> str:
        return " AND ".join(term.fts() for term in self.terms)

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


def parse(query: str) -> Search:
    text = (query or "")[:MAX_QUERY_LENGTH].replace("\x00", "")
    words = words_of(query)
    if not words:
        return Search(text=text, words=[])
    version, lexicon = _current()
    return _parse(text, tuple(words), version, lexicon)


@functools.lru_cache(maxsize=1024)
def _parse(text: str, words: tuple[str, ...], version: str, lexicon: Lexicon | None) -> Search:
    """Cached per lexicon version: a search parses the same query for its results, its facet
    counts and its feed. Without a lexicon every word is taken as it is typed."""
    vocabulary = analysis.vocabulary()
    terms: list[Term] = []
    corrections: dict[str, str] = {}
    for word in dict.fromkeys(words):
        folded = analysis.fold(word)
        if folded in vocabulary.stop_words:
            continue
        stem = analysis.stem(folded)
        alternatives: list[Alternative] = [(stem,)]
        correction = ""
        if lexicon is not None and not lexicon.has_prefix(stem):
            parts = analysis.split_compound(
                folded, lambda s: s in vocabulary.part_stems or lexicon.has(s)
            )
            if parts:
                alternatives.append(parts)
            elif len(folded) >= MIN_TYPO_LENGTH and stem not in vocabulary.thesaurus:
                correction = lexicon.correct(folded) or ""
                if correction:
                    corrections[word] = correction
                    alternatives.append((analysis.stem(analysis.fold(correction)),))
        related = tuple(
            alternative
            for alternative in vocabulary.thesaurus.get(stem, ())
            if alternative not in alternatives
        )
        terms.append(Term(word, tuple(alternatives), related, correction))
    roots = tuple(dict.fromkeys(s for t in terms for a in t.alternatives + t.related for s in a))
    suggestion = ""
    if corrections:
        suggestion = " ".join(corrections.get(word, word) for word in words)
    return Search(
        text=text, words=list(words), terms=tuple(terms), roots=roots, suggestion=suggestion
    )


# Matching -----------------------------------------------------------------------------------


def _rank_sql(search: Search, table: str) -> tuple[str, list]:
    """The rank of a matching row of `table` (see the module docstring)."""
    parts, params = [], []
    for term in search.terms:
        whens = []
        for weight, related, score in SCORES:
            if related and not term.related:
                continue
            if is_postgresql():
                # A matching row has every word somewhere: where not in the title or the
                # summary, in the long texts. So the rank reads only their narrow vector.
                whens.append(f"WHEN {table}.search_head @@ to_tsquery('simple', %s) THEN {score}")
                params.append(term.tsquery(weight, related=related))
            else:
                column = next(c for c, w in INDEX_COLUMNS.items() if w == weight)
                whens.append(
                    f"WHEN EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                    f"AND {FTS_TABLE}.rowid = {table}.id) THEN {score}"
                )
                params.append(term.fts(column, related=related))
        parts.append(f"(CASE {' '.join(whens)} ELSE {OTHERWISE} END)")
    return " + ".join(parts) or "0", params


# PostgreSQL: the condition that a row matches a query, planned with the GIN index (see
# `plan_with_index`).
MATCH_SQL = "search_vector @@ to_tsquery('simple', %s)"
NO_TABLE_SCAN = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"


def match_condition(search: Search) -> tuple[str, list]:
    """PostgreSQL: the condition on a cases_case row that it matches every word of `search`
    (served by the search vector's GIN index)."""
    return MATCH_SQL, [search.tsquery]


def plan_with_index(execute, sql, params, many, context):
    """PostgreSQL: a statement that matches the search vector is planned with its GIN index,
    never by testing the match on the rows of a scan.

    The vector is kept beside the row (TOAST, migration 0019), and the planner does not count
    what fetching it costs: for a word found in a third of 100,000 cases it chose to read
    every case's vector (450 ms) over the index and the matching rows (115 ms); for a page of
    a rare word in title order it walked the title index, testing each case it met, until it
    had the page (up to a second). So neither table scans nor plain index scans are planned.

    Installed on every PostgreSQL connection (cases/apps.py); the setting lasts for the one
    statement. Outside a transaction it is sent in the same query string, which PostgreSQL
    runs as one transaction (so a transaction pooler cannot part them); inside one it is put
    back once the statement has run. A server-side cursor's statement is planned as usual.
    """
    cursor = getattr(context["cursor"], "cursor", None)
    if many or MATCH_SQL not in sql or getattr(cursor, "name", None):
        return execute(sql, params, many, context)
    result = execute(f"{NO_TABLE_SCAN}; {sql}", params, many, context)
    connection = context["connection"]
    if not connection.get_autocommit():
        # Unlogged, on a cursor of its own: the statement's rows stay to be fetched.
        with connection.connection.cursor() as own:
            own.execute(
                "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT"
            )
    return result


def install_planning(sender, connection, **kwargs) -> None:
    """connection_created receiver: `plan_with_index` on each new PostgreSQL connection."""
    if connection.vendor == "postgresql" and plan_with_index not in connection.execute_wrappers:
        # First, so that a wrapper added for a while (connection.execute_wrapper) is the one
        # taken away after it.
        connection.execute_wrappers.insert(0, plan_with_index)


def rank_sql(search: Search, table: str) -> tuple[str, list]:
    """The rank of a matching row of `table` (see the module docstring)."""
    return _rank_sql(search, table)


def matching_ids(search: Search, *, text_rank: bool = False) -> tuple[str, list]:
    """SQL for the ids of every case (of any status) that matches every word of `search`,
    and with `text_rank` their rank as `text_rank`. `search` must have terms.

    PostgreSQL: one scan of the search vector's GIN index. SQLite: the FTS5 table.
    """
    selected, params = "id", list[object]()
    if text_rank:
        rank_sql, params = _rank_sql(search, "cases_case")
        selected += f", {rank_sql} AS text_rank"
    if is_postgresql():
        return (
            f"SELECT {selected} FROM cases_case WHERE {MATCH_SQL}",
            [*params, search.tsquery],
        )
    return (
        f"SELECT {selected} FROM cases_case WHERE id IN "
        f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
        [*params, search.fts],
    )


def apply(queryset: QuerySet, search: Search) -> QuerySet:
    """Narrow a Case queryset to the matches of `search`, annotated with `rank`."""
    if not search:
        return queryset
    if not search.terms:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if is_postgresql():
        # A condition on the row itself rather than an id subquery, so that the matches are
        # read once (one scan, not a join of two); unqualified, it stays valid when Django
        # nests the queryset in another query and renames the table.
        matches = queryset.filter(RawSQL(*match_condition(search), output_field=BooleanField()))
    else:
        # A self-contained id subquery: it stays valid when Django nests the queryset.
        ids_sql, ids_params = matching_ids(search)
        matches = queryset.filter(pk__in=RawSQL(ids_sql, ids_params))
    # Ranking reads the outer row, so it is only for the top-level query (ordering a page).
    rank_sql, rank_params = _rank_sql(search, Case._meta.db_table)
    return matches.annotate(rank=RawSQL(rank_sql, rank_params, output_field=FloatField()))


# Highlighting -------------------------------------------------------------------------------
#
# What a page shows of a result must cost what a short excerpt costs, whatever an author wrote
# (a run of 49,000 letters in a link's address made a backtracking pattern take 14 s). So:
# - a snippet reads at most SCAN_LIMIT characters of each text;
# - the Markdown patterns below stop at the next bracket, parenthesis or line end and never
#   give back what they consumed (possessive quantifiers), so each character is read a bounded
#   number of times;
# - the first match is found by one pass over the words (WORD), each analysed (cached) and its
#   terms compared with the roots: no pattern built from the query, nothing to backtrack;
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
    """The folded stems a word's terms must start with to be marked (two letters or more)."""
    return tuple(sorted({analysis.fold(root) for root in search.roots if len(root) >= 2}))


@functools.lru_cache(maxsize=65536)
def _match_terms(word: str) -> tuple[str, ...]:
    """What a word of a text is compared with: its index terms and the word folded."""
    return (*analysis.word_terms(word), analysis.fold(word))


def _is_match(word: str, roots: tuple[str, ...]) -> bool:
    """Whether the word's index terms (its stem and its parts) match a root as the database
    matches them: from their start, and whole for a root shorter than MIN_PREFIX_LENGTH."""
    return any(
        term == root or (len(root) >= MIN_PREFIX_LENGTH and term.startswith(root))
        for term in _match_terms(word)
        for root in roots
    )


def _may_match(text: str, roots: tuple[str, ...]) -> bool:
    """False when no word of `text` can match: a word's terms (its stem, a prefix of the word
    folded, and its parts' stems) are all found in the folded word, so a root found nowhere
    in the folded text matches no word of it. Most texts of a result are told apart so,
    without analysing their words one by one."""
    folded = analysis.fold(text)
    return any(root in folded for root in roots)


def _first_match(text: str, roots: tuple[str, ...]) -> re.Match | None:
    """The first word of `text` that contains a root, in one pass over its words."""
    if roots and _may_match(text, roots):
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
