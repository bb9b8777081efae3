"""The statement: every figure in one pass over the data.

The figures come from one SQL statement, whose CTEs do the work that many figures share once:

  facts       the filtered published cases (ORM-built, so the filters and the time zone are
              the same as everywhere else);
  adoptions   the alive adoptions, by organisations that are not deleted, of those cases;
  activities  the spread activities that count (about a published case, or about none);
  per_case    facts with each case's number of adoptions and days to its first adoption,
              the adoptions aggregated once per case and joined;
  per_owner, per_owner_and_workplace, per_owner_and_term
              per_case summed per owner (and workplace type, or term), with the owner's
              attributes: every breakdown is a small GROUP BY over these, and owners are
              counted by counting rows instead of counting distinct values over the cases;
  case_terms  each case's sectors and innovation types as a bit mask, for the Bass series;
  top_spreaders  the organisations whose cases most others adopted.

Each figure is a `_Section`: a SELECT over those CTEs with named text and number columns. The
statement is the UNION ALL of the sections, padded to the same columns and tagged with the
section's name; `rows` hands each section its rows back as dicts. The number of rows is
bounded by the vocabularies, the counties and the months, never by the cases.
"""

import re
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..models import Adoption, Case, CaseTerm, Organisation, SpreadActivity
from ..vocabularies import Origin
from .groups import ADOPTER_BUCKETS, LAG_BUCKETS, TERM_BREAKDOWNS, term_codes

TOP_SPREADERS = 10

OWNER_BREAKDOWNS = ["employee_band", "size_class", "centrality_class", "region"]

# Adopters per case are counted exactly up to this number in the statement; only when the
# median lies above it (a platform where most cases have many adopters) does one more query
# find it.
EXACT_ADOPTER_COUNTS = 20


def adoption_date():
    """`adopted_on`, or the (Norwegian) day the record was made when no date was given."""
    return Coalesce("adopted_on", TruncDate("created_at", tzinfo=timezone.get_default_timezone()))


@dataclass(frozen=True)
class _Section:
    """One figure's part of the statement: `SELECT <texts>, <numbers> <source>`.

    `texts` and `numbers` are (name, SQL expression) pairs; `source` is the FROM clause with
    any WHERE and GROUP BY. Sections take no parameters: the codes in them are the site's own
    constants (see `_literal`)."""

    name: str
    texts: list[tuple[str, str]]
    numbers: list[tuple[str, str]]
    source: str


def _literal(value) -> str:
    """A constant of the site's own (a code, a section name, a whole number) as SQL."""
    if isinstance(value, int):
        return str(int(value))
    if not re.fullmatch(r"[\w:+-]*", value):
        raise ValueError(f"Not a code: {value!r}")
    return f"'{value}'"


def _month_start(connection, date_sql: str) -> str:
    """The month of a date, in SQL, as something to group by (see `_month_label`)."""
    if connection.vendor == "postgresql":
        # Timestamps without a time zone: no time zone arithmetic per row.
        return f"CAST(date_trunc('month', CAST({date_sql} AS timestamp)) AS date)"
    return f"strftime('%%Y-%%m', {date_sql})"


def _month_label(connection, month_sql: str) -> str:
    """A `_month_start` as "YYYY-MM": formatted once per group, not once per row."""
    if connection.vendor == "postgresql":
        return f"to_char({month_sql}, 'YYYY-MM')"
    return month_sql


def _days_between(connection, later: str, earlier: str) -> str:
    """Whole days from one date to another, in SQL."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _compiled(queryset, connection) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _facts(cases):
    """One row per filtered published case, with what the figures group it by."""
    return cases.order_by().values(
        "origin",
        "workplace_type",
        case_id=F("pk"),
        owner=F("organisation"),
        published_on=TruncDate("published_at", tzinfo=timezone.get_default_timezone()),
    )


def _adoption_rows(cases):
    """One row per adoption that counts: alive, by an organisation that is not deleted, of one
    of the filtered (so published) cases."""
    return (
        Adoption.objects.filter(
            organisation__deleted_at__isnull=True, case__in=cases.order_by().values("pk")
        )
        .order_by()
        .values(
            "case_id",
            "mode",
            "channel",
            "status",
            adopter=F("organisation"),
            source=F("source_organisation"),
            adopted=adoption_date(),
        )
    )


def _counted_activities():
    """Spread activities that count: about a published case, or about no one case."""
    return (
        SpreadActivity.objects.filter(
            Q(case__isnull=True) | Q(case__in=Case.objects.published().order_by().values("pk"))
        )
        .order_by()
        .values("organisation_id", "channel")
    )


# Per case, summed per owner (and workplace type or term) in the per_owner CTEs.
def _case_counts() -> str:
    origins = [
        f"COUNT(*) FILTER (WHERE origin = {_literal(origin)}) AS origin_{i}"
        for i, origin in enumerate(Origin.values)
    ]
    return ", ".join(
        [
            "COUNT(*) AS n_cases",
            "SUM(n) AS n_adoptions",
            "COUNT(*) FILTER (WHERE n > 0) AS n_reused",
            *origins,
        ]
    )


# The metrics of `figures._metrics`, over rows of one of the per_owner CTEs (one row per owner).
OWNER_METRICS = [
    ("n_cases", "SUM(n_cases)"),
    ("n_adoptions", "SUM(n_adoptions)"),
    ("n_reused", "SUM(n_reused)"),
    ("n_owners", "COUNT(*)"),
    ("n_active", "COUNT(*) FILTER (WHERE spreads = 1)"),
    ("n_adopted_owners", "COUNT(*) FILTER (WHERE n_reused > 0)"),
    *[(f"n_origin_{origin}", f"SUM(origin_{i})") for i, origin in enumerate(Origin.values)],
]

# The sector and innovation type codes; a case's set of them is a bit mask (bit i: TERM_CODES[i]).
TERM_CODES = [
    (vocabulary, code) for name, vocabulary in TERM_BREAKDOWNS.items() for code in term_codes(name)
]


def _ctes(cases, connection) -> tuple[list[tuple[str, str]], list]:
    quote = connection.ops.quote_name
    terms = quote(CaseTerm._meta.db_table)
    organisations = quote(Organisation._meta.db_table)
    term_vocabularies = ", ".join(_literal(v) for v in TERM_BREAKDOWNS.values())
    spreads = "CASE WHEN owner IN (SELECT organisation_id FROM activities) THEN 1 ELSE 0 END"
    counts = _case_counts()
    params: list = []
    compiled = {}
    for name, queryset in (
        ("facts", _facts(cases)),
        ("adoptions", _adoption_rows(cases)),
        ("activities", _counted_activities()),
    ):
        compiled[name], sql_params = _compiled(queryset, connection)
        params += sql_params
    days = _days_between(connection, "counted.first_on", "facts.published_on")
    term_bits = ", ".join(
        f"({_literal(vocabulary)}, {_literal(code)}, {_literal(1 << i)})"
        for i, (vocabulary, code) in enumerate(TERM_CODES)
    )
    ctes = [
        ("facts", compiled["facts"]),
        (
            "adoptions",
            f"SELECT adoption.*, {_month_start(connection, 'adoption.adopted')} AS month "
            f"FROM ({compiled['adoptions']}) AS adoption",
        ),
        ("activities", compiled["activities"]),
        (
            "per_case",
            f"SELECT facts.*, COALESCE(counted.n, 0) AS n, {days} AS lag FROM facts "
            "LEFT JOIN (SELECT case_id, COUNT(*) AS n, MIN(adopted) AS first_on "
            "FROM adoptions GROUP BY case_id) AS counted ON counted.case_id = facts.case_id",
        ),
        # The owner's attributes are joined to one row per owner, not carried per case.
        (
            "per_owner",
            f"SELECT counted.*, {spreads} AS spreads, owner_row.employee_band, "
            "owner_row.size_class, owner_row.centrality_class, owner_row.region, "
            "county.number AS county_number, county.name AS county_name "
            f"FROM (SELECT owner, {counts} FROM per_case GROUP BY owner) AS counted "
            f"JOIN {organisations} AS owner_row ON owner_row.id = counted.owner "
            f"LEFT JOIN {organisations} AS county ON county.id = owner_row.county_id",
        ),
        (
            "per_owner_and_workplace",
            f"SELECT owner, workplace_type, {spreads} AS spreads, {counts} FROM per_case "
            "GROUP BY owner, workplace_type",
        ),
        (
            "per_owner_and_term",
            f"SELECT term.vocabulary, term.code, owner, {spreads} AS spreads, {counts} "
            f"FROM per_case JOIN {terms} AS term ON term.case_id = per_case.case_id "
            f"WHERE term.vocabulary IN ({term_vocabularies}) "
            "GROUP BY term.vocabulary, term.code, owner",
        ),
        # Which sectors and innovation types each case has, as a bit mask (see TERM_CODES),
        # so that the adoptions are counted per code and month in one pass over them.
        ("term_bits(vocabulary, code, bit)", f"VALUES {term_bits}"),
        (
            "case_terms",
            f"SELECT term.case_id, SUM(term_bits.bit) AS mask FROM facts "
            f"JOIN {terms} AS term ON term.case_id = facts.case_id "
            "JOIN term_bits ON term_bits.vocabulary = term.vocabulary "
            f"AND term_bits.code = term.code WHERE term.vocabulary IN ({term_vocabularies}) "
            "GROUP BY term.case_id",
        ),
        # Top spreaders: ranked by distinct adopters; the distinct counts that need the
        # adopters' places only for the few on top (see the "top-spreaders" section).
        (
            "top_spreaders",
            "SELECT ranked.source, organisation.name, organisation.slug, organisation.kind, "
            "ranked.adopters, ranked.adoptions, ROW_NUMBER() OVER (ORDER BY ranked.adopters DESC, "
            "ranked.adoptions DESC, organisation.name) AS position "
            "FROM (SELECT source, COUNT(DISTINCT adopter) AS adopters, COUNT(*) AS adoptions "
            f"FROM adoptions GROUP BY source) AS ranked JOIN {organisations} AS organisation "
            "ON organisation.id = ranked.source AND organisation.deleted_at IS NULL "
            f"ORDER BY position LIMIT {_literal(TOP_SPREADERS)}",
        ),
    ]
    return ctes, params


def _sections(connection) -> list[_Section]:
    organisations = connection.ops.quote_name(Organisation._meta.db_table)
    sections = [_Section("total", [], OWNER_METRICS, "FROM per_owner")]

    # Breakdowns: "group" (and "name" for counties) and the metrics.
    for name, vocabulary in TERM_BREAKDOWNS.items():
        sections.append(
            _Section(
                f"breakdown:{name}",
                [("group", "code")],
                OWNER_METRICS,
                f"FROM per_owner_and_term WHERE vocabulary = {_literal(vocabulary)} GROUP BY code",
            )
        )
    sections.append(
        _Section(
            "breakdown:workplace_type",
            [("group", "workplace_type")],
            OWNER_METRICS,
            "FROM per_owner_and_workplace GROUP BY workplace_type",
        )
    )
    for name in OWNER_BREAKDOWNS:
        sections.append(
            _Section(
                f"breakdown:{name}",
                [("group", f"CAST({name} AS TEXT)")],
                OWNER_METRICS,
                f"FROM per_owner GROUP BY {name}",
            )
        )
    sections.append(
        _Section(
            "breakdown:county",
            [("group", "county_number"), ("name", "county_name")],
            OWNER_METRICS,
            "FROM per_owner GROUP BY county_number, county_name",
        )
    )

    # Adopters per case: exact up to EXACT_ADOPTER_COUNTS (more above it), and the buckets.
    exact = EXACT_ADOPTER_COUNTS
    capped = f"CASE WHEN n > {_literal(exact)} THEN {_literal(exact + 1)} ELSE n END"
    bucket = _bucket_sql("n", ADOPTER_BUCKETS)
    sections.append(
        _Section(
            "adopters",
            [("bucket", bucket)],
            [("adopters", capped), ("cases", "COUNT(*)")],
            f"FROM per_case GROUP BY {capped}, {bucket}",
        )
    )

    # Days from publication to the first adoption, over the adopted cases.
    lag_bucket = _bucket_sql("lag", LAG_BUCKETS)
    sections.append(
        _Section(
            "lag",
            [("bucket", lag_bucket)],
            [
                ("cases", "COUNT(*)"),
                ("days", "SUM(lag) FILTER (WHERE lag >= 0)"),
                ("timed", "COUNT(*) FILTER (WHERE lag >= 0)"),
            ],
            f"FROM per_case WHERE n > 0 GROUP BY {lag_bucket}",
        )
    )

    # Per month, with the running totals (a window over the grouped months).
    published = _month_start(connection, "published_on")
    for name, source, month in (
        ("new-cases", "facts", published),
        ("new-adoptions", "adoptions", "month"),
    ):
        sections.append(
            _Section(
                name,
                [("month", _month_label(connection, month))],
                [("count", "COUNT(*)"), ("cumulative", f"SUM(COUNT(*)) OVER (ORDER BY {month})")],
                f"FROM {source} GROUP BY {month}",
            )
        )

    # Adoptions by mode, channel and status: counted together, added up per list in Python.
    sections.append(
        _Section(
            "adoption-kinds",
            [("mode", "mode"), ("channel", "channel"), ("status", "status")],
            [("count", "COUNT(*)")],
            "FROM adoptions GROUP BY mode, channel, status",
        )
    )

    # Adoptions per month of the cases of each sector and innovation type (the Bass fits):
    # counted per month and set of codes, then spread over the codes in the set.
    sections.append(
        _Section(
            "bass",
            [
                ("vocabulary", "term_bits.vocabulary"),
                ("code", "term_bits.code"),
                ("month", _month_label(connection, "grouped.month")),
            ],
            [("count", "SUM(grouped.n)")],
            "FROM (SELECT adoptions.month, case_terms.mask, COUNT(*) AS n FROM adoptions "
            "JOIN case_terms ON case_terms.case_id = adoptions.case_id "
            "GROUP BY adoptions.month, case_terms.mask) AS grouped "
            "JOIN term_bits ON (grouped.mask & term_bits.bit) <> 0 "
            "GROUP BY term_bits.vocabulary, term_bits.code, grouped.month",
        )
    )

    sections.append(
        _Section(
            "top-spreaders",
            [("name", "top.name"), ("slug", "top.slug"), ("kind", "top.kind")],
            [
                ("position", "top.position"),
                ("id", "top.source"),
                ("adopters", "top.adopters"),
                ("adoptions", "top.adoptions"),
                ("cases", "COUNT(DISTINCT adoptions.case_id)"),
                ("municipalities", "COUNT(DISTINCT adopter.municipality_id)"),
                ("counties", "COUNT(DISTINCT adopter.county_id)"),
            ],
            "FROM top_spreaders AS top JOIN adoptions ON adoptions.source = top.source "
            f"JOIN {organisations} AS adopter ON adopter.id = adoptions.adopter "
            "GROUP BY top.position, top.source, top.name, top.slug, top.kind, top.adopters, "
            "top.adoptions",
        )
    )

    # The owners' spread activities by channel.
    sections.append(
        _Section(
            "spread-channels",
            [("code", "channel")],
            [("count", "COUNT(*)")],
            "FROM activities WHERE organisation_id IN (SELECT owner FROM facts) GROUP BY channel",
        )
    )
    return sections


def _bucket_sql(column: str, buckets) -> str:
    """CASE expression naming the bucket (code, lowest or None, highest or None) of a value."""
    whens = []
    for code, low, high in buckets:
        if low is None:
            condition = f"{column} <= {_literal(high)}"
        elif high is None:
            condition = f"{column} >= {_literal(low)}"
        else:
            condition = f"{column} BETWEEN {_literal(low)} AND {_literal(high)}"
        whens.append(f"WHEN {condition} THEN {_literal(code)}")
    return f"CASE {' '.join(whens)} END"


def _statement(cases, connection) -> tuple[str, list, list[_Section], int]:
    """The statement's SQL and parameters, its sections, and how many text columns they share."""
    ctes, params = _ctes(cases, connection)
    sections = _sections(connection)
    width_texts = max(len(section.texts) for section in sections)
    width_numbers = max(len(section.numbers) for section in sections)
    selects = []
    for section in sections:
        texts = [sql for _name, sql in section.texts]
        texts += ["CAST(NULL AS TEXT)"] * (width_texts - len(texts))
        numbers = [sql for _name, sql in section.numbers]
        numbers += ["CAST(NULL AS BIGINT)"] * (width_numbers - len(numbers))
        columns = ", ".join([_literal(section.name), *texts, *numbers])
        selects.append(f"SELECT {columns} {section.source}")
    sql = (
        "WITH "
        + ",\n".join(f"{name} AS ({body})" for name, body in ctes)
        + "\n"
        + "\nUNION ALL\n".join(selects)
    )
    return sql, params, sections, width_texts


def rows(cases, using: str) -> dict[str, list[dict]]:
    """Run the statement: {section name: [row as {column name: value}]}."""
    connection = connections[using]
    sql, params, sections, width_texts = _statement(cases, connection)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if postgresql:
            # The statement reads whole tables: hash joins are always the right plan, and a
            # row estimate gone wrong (stale statistics after a bulk load) must not turn a
            # join of two CTEs into a nested loop over 100 000 x 300 000 rows.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
        if postgresql:
            # As it was, for the rest of an enclosing transaction.
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    by_name = {section.name: section for section in sections}
    result: dict[str, list[dict]] = {section.name: [] for section in sections}
    for row in fetched:
        section = by_name[row[0]]
        texts = row[1 : 1 + width_texts]
        numbers = row[1 + width_texts :]
        item = {name: value for (name, _sql), value in zip(section.texts, texts, strict=False)}
        for (name, _sql), value in zip(section.numbers, numbers, strict=False):
            # Sums come back as decimals on PostgreSQL; every figure here is a whole number.
            item[name] = None if value is None else int(value)
        result[section.name].append(item)
    return result
