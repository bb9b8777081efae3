"""The figures as the dashboard's tables: each table is shown on the page (charts are drawn
from the tables by static/js/charts.js when JavaScript runs) and downloads as CSV with the same
filters (cases/views/stats.py). Shares are shown as "51,0 % (51 av 100)" and exported as three
columns: percent, numerator and denominator.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    Channel,
    InnovationType,
    Origin,
    Sector,
)
from .figures import share
from .groups import BREAKDOWNS, TERM_BREAKDOWNS


@dataclass
class Column:
    key: str
    label: str
    # label: the row's header cell; month: a row header that is a month ("2023-05", shown as
    # "mai 2023", exported as it is); code: CSV only; int, decimal (to `places`), share (a
    # figures.share dict), survey (a published survey figure), interval ([low, high] or None,
    # to `places`), text.
    kind: str = "int"
    places: int = 1
    # A shorter name for a chart's legend, where a long one would be cut off on a phone.
    short: str = ""


@dataclass
class Chart:
    type: str  # "bar" or "line"
    series: list[str]
    horizontal: bool = False
    unit: str = ""  # "%" when the series are percentages
    # What the chart shows, drawn above it, and the names of its axes: the values' (how many
    # of what, or percent) and the categories' (what the bars or points are).
    title: str = ""
    value_axis: str = ""
    category_axis: str = ""

    @property
    def series_keys(self) -> str:
        return ",".join(self.series)


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[Column]
    rows: list[list]
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)
    more_charts: list[Chart] = field(default_factory=list)
    # A long table is folded away under its chart once a script has drawn the chart.
    collapse: bool = False

    @property
    def visible_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind != "code"]

    @property
    def html_rows(self) -> list[list[tuple[Column, object]]]:
        """Rows as (column, value) pairs, without the CSV-only columns."""
        return [
            [(c, v) for c, v in zip(self.columns, row, strict=True) if c.kind != "code"]
            for row in self.rows
        ]

    @property
    def has_suppressed(self) -> bool:
        """Whether a share of the table is not shown for its small base (its footnote)."""
        return any(
            isinstance(value, dict) and value.get("suppressed")
            for row in self.rows
            for value in row
        )

    @property
    def charts(self) -> list[Chart]:
        charts = ([self.chart] if self.chart else []) + self.more_charts
        header = next((c.label for c in self.columns if c.kind in ("label", "month")), "")
        for chart in charts:
            chart.title = chart.title or self.caption
            chart.category_axis = chart.category_axis or header
            if not chart.value_axis:
                chart.value_axis = _("Percent") if chart.unit == "%" else _("Number")
        return charts

    def narrowed(self, keys: list[str]) -> "Table":
        """The same table with only the columns `keys` (in the table's order), for a page
        that shows the main figures and links to the full table (the CSV has every column)."""
        chosen = [i for i, column in enumerate(self.columns) if column.key in keys]
        return Table(
            self.slug,
            self.caption,
            [self.columns[i] for i in chosen],
            [[row[i] for i in chosen] for row in self.rows],
            chart=self.chart,
            notes=self.notes,
            more_charts=self.more_charts,
            collapse=self.collapse,
        )


BREAKDOWN_TITLES = {
    "sector": gettext_lazy("By sector"),
    "innovation_type": gettext_lazy("By innovation type"),
    "workplace_type": gettext_lazy("By workplace type"),
    "employee_band": gettext_lazy("By number of employees (workplaces)"),
    "size_class": gettext_lazy("By municipality size"),
    "centrality_class": gettext_lazy("By centrality class"),
    "region": gettext_lazy("By region"),
    "county": gettext_lazy("By county"),
}
# The breakdowns whose rows are vocabulary codes (the counties' rows come from the database).
VOCABULARIES = {name: vocabulary for name, vocabulary in BREAKDOWNS.items() if vocabulary}
# What the rows of each breakdown are, for the axis of its chart.
BREAKDOWN_DIMENSIONS = {
    "sector": gettext_lazy("Sector"),
    "innovation_type": gettext_lazy("Innovation type"),
    "workplace_type": gettext_lazy("Workplace type"),
    "employee_band": gettext_lazy("Number of employees (workplaces)"),
    "size_class": gettext_lazy("Municipality size"),
    "centrality_class": gettext_lazy("Centrality class"),
    "region": gettext_lazy("Region"),
    "county": gettext_lazy("County"),
}
BUCKET_LABELS = {
    "0": gettext_lazy("No adopters"),
    "1": gettext_lazy("1 adopter"),
    "2-4": gettext_lazy("2–4 adopters"),
    "5-9": gettext_lazy("5–9 adopters"),
    "10+": gettext_lazy("10 or more adopters"),
}
LAG_LABELS = {
    "before-publication": gettext_lazy("Adopted before it was published here"),
    "within-3-months": gettext_lazy("Within 3 months"),
    "3-12-months": gettext_lazy("3 to 12 months"),
    "over-a-year": gettext_lazy("More than a year"),
}
COMPARISON_LABELS = {
    "introduced": gettext_lazy("Workplaces that introduced an innovation in the last two years"),
    "origin-first": gettext_lazy("Innovations that were the first of their kind"),
    "origin-adapted": gettext_lazy("Innovations inspired by others but substantially adapted"),
    "origin-copied": gettext_lazy("Innovations largely copied from others"),
    "active-spreaders": gettext_lazy("Actively spread an innovation to others"),
    "main-channels": gettext_lazy("Main channels for learning of others' innovations"),
}


def label(choices, code) -> str:
    if code is None or code == "":
        return _("Not stated")
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def _metric_columns() -> list[Column]:
    return [
        Column("cases", _("Cases")),
        Column("first", _("First of its kind (of known origin)"), "share"),
        Column("adapted", _("Adapted (of known origin)"), "share"),
        Column("copied", _("Copied (of known origin)"), "share"),
        Column("adoptions", _("Adoptions")),
        Column("adopters_per_case", _("Adopters per case"), "decimal", places=2),
        Column("reused", _("Cases reused at least once"), "share"),
        Column("active_spreaders", _("Owners who actively spread"), "share"),
    ]


def _metric_values(metrics: dict) -> list:
    shares = metrics["origin"]["shares_of_known"]
    return [
        metrics["cases"],
        shares["first"],
        shares["adapted"],
        shares["copied"],
        metrics["adoptions"],
        metrics["adopters_per_case"],
        metrics["reused"],
        metrics["active_spreaders"],
    ]


def _code_and_label(first_label, key: str = "code") -> list[Column]:
    """The leading columns of most tables: the row's code (CSV only) and its label."""
    return [Column(key, _("Code"), "code"), Column("label", first_label, "label")]


def _share_table(slug, caption, first_label, rows, choices, *, chart=None) -> Table:
    """A table of one share per code (adoptions by channel, by mode ...)."""
    columns = [
        *_code_and_label(first_label),
        Column("count", _("Number"), "int"),
        Column("share", _("Share"), "share"),
    ]
    body = [[row["code"], label(choices, row["code"]), row["numerator"], row] for row in rows]
    return Table(slug, caption, columns, body, chart=chart)


def build_tables(result: dict) -> dict[str, Table]:
    """Every table of the dashboard, by slug (the slug names the CSV download too)."""
    tables = [
        _comparison_table(result["comparison"]),
        _origin_table(result["cases"]),
        _adopters_table(result["reuse"]),
        _spreaders_table(result["spreaders"]),
        *_adoption_tables(result["adoptions"], result["spreaders"]),
        *(_breakdown_table(name, rows) for name, rows in result["breakdowns"].items()),
        _monthly_table(result["monthly"]),
        _lag_table(result["time_to_first_adoption"]),
        _top_spreaders_table(result["top_spreaders"]),
        *_bass_tables(result["bass"]),
    ]
    return {table.slug: table for table in tables}


def _comparison_table(comparison: dict) -> Table:
    """The surveys' published figures beside the platform's."""
    sources = comparison["sources"]
    rows = []
    for row in comparison["rows"]:
        survey = row["survey"]
        platform = row["platform"]
        if row["key"] == "main-channels":
            survey_text = ", ".join(label(Channel, code) for code in survey.get("ks", []))
            platform_text = ", ".join(
                f"{label(Channel, item['code'])} ({_share_text(item)})" for item in platform
            )
            rows.append(
                [
                    row["key"],
                    str(COMPARISON_LABELS[row["key"]]),
                    {"text": survey_text},
                    None,
                    {
                        "text": platform_text or "–",
                        "suppressed": any(item["suppressed"] for item in platform),
                    },
                ]
            )
            continue
        rows.append(
            [
                row["key"],
                str(COMPARISON_LABELS[row["key"]]),
                {"percent": survey.get("ks")} if "ks" in survey else None,
                {"percent": survey.get("coi")} if "coi" in survey else None,
                platform,
            ]
        )
    return Table(
        "comparison",
        _("Reported in surveys and recorded on this platform"),
        [
            *_code_and_label(_("Figure"), key="key"),
            Column(
                "ks",
                _("Reported in a survey: Norway (%s)") % survey_name(sources["ks"]),
                "survey",
                short=_("Survey in Norway (KS %(year)s)") % {"year": sources["ks"]["year"]},
            ),
            Column(
                "coi",
                _("Reported in a survey: Denmark (%s)") % survey_name(sources["coi"]),
                "survey",
            ),
            Column("platform", _("Recorded on this platform"), "share"),
        ],
        rows,
        chart=Chart(
            "bar",
            ["ks", "platform"],
            horizontal=True,
            unit="%",
            title=_("The survey in Norway and this platform, in percent"),
        ),
        notes=[
            _(
                "Survey figures are shares of workplaces (or of their latest innovation) "
                "that answered the survey. Platform figures are shares of the cases and "
                "organisations recorded here, which are not a sample of all workplaces."
            ),
            _(
                "The platform cannot say how many workplaces introduced an innovation: it "
                "only sees the organisations that publish."
            ),
        ],
    )


def _origin_table(cases: dict) -> Table:
    """The origin mix of the published cases."""
    origin = cases["origin"]
    total = cases["total"]
    rows = []
    for code in Origin.values:
        known_share = origin["shares_of_known"].get(code)
        all_share = share(origin["counts"][code], total)
        rows.append([code, label(Origin, code), origin["counts"][code], all_share, known_share])
    return Table(
        "origin",
        _("Origin of the published cases"),
        [
            *_code_and_label(_("Origin")),
            Column("count", _("Cases")),
            Column("share_all", _("Share of all cases"), "share"),
            Column("share_known", _("Share of cases with known origin"), "share"),
        ],
        rows,
        chart=Chart("bar", ["count"], horizontal=True, value_axis=_("Number of cases")),
    )


def _adopters_table(reuse: dict) -> Table:
    """Reuse: the cases by number of adopters."""
    return Table(
        "adopters-per-case",
        _("Published cases by number of adopters"),
        [
            *_code_and_label(_("Adopters")),
            Column("count", _("Cases")),
            Column("share", _("Share of cases"), "share"),
        ],
        [
            [row["bucket"], str(BUCKET_LABELS[row["bucket"]]), row["numerator"], row]
            for row in reuse["distribution"]
        ],
        chart=Chart("bar", ["count"], value_axis=_("Number of cases")),
    )


def _spreaders_table(spreaders: dict) -> Table:
    """The owners that actively spread, and those with a case reused."""
    return Table(
        "spreaders",
        _("Organisations that own published cases"),
        [
            *_code_and_label(_("Figure"), key="key"),
            Column("share", _("Share of owners"), "share"),
        ],
        [
            [
                "active",
                _("Recorded at least one spreading activity"),
                spreaders["active"],
            ],
            ["adopted", _("Had a case reused at least once"), spreaders["adopted"]],
        ],
    )


def _adoption_tables(adoptions: dict, spreaders: dict) -> list[Table]:
    """Adoptions by channel, mode and status; the owners' spreading activities by channel."""
    return [
        _share_table(
            "channels",
            _("Adoptions by how the adopter learned of the case"),
            _("Channel"),
            adoptions["by_channel"],
            Channel,
            chart=Chart(
                "bar",
                ["count"],
                horizontal=True,
                title=_("Adoptions by channel"),
                value_axis=_("Number of adoptions"),
            ),
        ),
        _share_table(
            "spread-channels",
            _("Spreading activities of the owners by channel"),
            _("Channel"),
            spreaders["activities"]["by_channel"],
            Channel,
        ),
        _share_table(
            "adoption-modes", _("Adoptions by mode"), _("Mode"), adoptions["by_mode"], AdoptionMode
        ),
        _share_table(
            "adoption-status",
            _("Adoptions by status"),
            _("Status"),
            adoptions["by_status"],
            AdoptionStatus,
        ),
    ]


def _breakdown_table(name: str, rows: list[dict]) -> Table:
    """The metrics per value of one breakdown (`groups.BREAKDOWNS`)."""
    body = []
    for row in rows:
        if name == "county":
            text = (row.get("name") or row["code"]) if row["code"] else _("Not stated")
        else:
            text = label(VOCABULARIES[name], row["code"])
        body.append([row["code"], text, *_metric_values(row)])
    return Table(
        f"breakdown-{name.replace('_', '-')}",
        str(BREAKDOWN_TITLES[name]),
        [
            *_code_and_label(str(BREAKDOWN_DIMENSIONS[name])),
            *_metric_columns(),
        ],
        body,
        chart=Chart(
            "bar",
            ["cases", "adoptions"],
            horizontal=True,
            title=_("Cases and adoptions %(breakdown)s")
            % {"breakdown": str(BREAKDOWN_TITLES[name]).lower()},
            value_axis=_("Number of cases and of adoptions"),
        ),
        notes=[
            _(
                "A case with several values (sectors, innovation types) is counted "
                "under each of them, so the rows can add up to more than the total."
            )
        ]
        if name in TERM_BREAKDOWNS
        else [],
    )


def _monthly_table(monthly: dict) -> Table:
    """New cases and adoptions per month, and the adoptions so far."""
    return Table(
        "monthly",
        _("New cases and adoptions per month"),
        [
            Column("month", _("Month"), "month"),
            Column("cases", _("New cases")),
            Column("adoptions", _("Adoptions")),
            Column("cumulative_adoptions", _("Adoptions so far")),
        ],
        [
            [row["month"], row["cases"], row["adoptions"], row["cumulative_adoptions"]]
            for row in monthly["months"]
        ],
        chart=Chart(
            "bar", ["cases", "adoptions"], value_axis=_("Number of cases and of adoptions")
        ),
        more_charts=[
            Chart(
                "line",
                ["cumulative_adoptions"],
                title=_("Adoptions so far, month by month"),
                value_axis=_("Adoptions so far"),
            )
        ],
        collapse=True,
    )


def _lag_table(lag: dict) -> Table:
    """The time from publication to the first adoption."""
    return Table(
        "time-to-first-adoption",
        _("Time from publication to the first adoption"),
        [
            *_code_and_label(_("Time")),
            Column("share", _("Share of reused cases"), "share"),
        ],
        [[row["code"], str(LAG_LABELS[row["code"]]), row] for row in lag["buckets"]],
    )


def _top_spreaders_table(top_spreaders: list[dict]) -> Table:
    """The organisations whose cases most others reused."""
    return Table(
        "top-spreaders",
        _("Organisations whose cases most others reused"),
        [
            Column("id", _("Id"), "code"),
            Column("label", _("Organisation"), "label"),
            Column("adopters", _("Organisations that reused their cases")),
            Column("cases", _("Cases reused")),
            Column("municipalities", _("Municipalities reached")),
            Column("counties", _("Counties reached")),
        ],
        [
            [
                row["organisation"]["id"],
                {
                    "text": row["organisation"]["name"],
                    "url": reverse(
                        "organisation-detail", kwargs={"slug": row["organisation"]["slug"]}
                    ),
                },
                row["adopters"],
                row["cases"],
                row["municipalities"],
                row["counties"],
            ]
            for row in top_spreaders
        ],
        chart=Chart(
            "bar",
            ["adopters"],
            horizontal=True,
            value_axis=_("Organisations that reused their cases"),
        ),
    )


def _bass_tables(fits: dict) -> list[Table]:
    """The Bass fits per group, and the curve of all the cases when it could be fitted."""
    groups = [("all", _("All cases in the selection"), fits["all"])]
    for name, choices in (("sector", Sector), ("innovation_type", InnovationType)):
        for fit in fits[name]:
            groups.append((f"{name}:{fit['code']}", label(choices, fit["code"]), fit))
    tables = [
        Table(
            "bass",
            _("Bass model fitted to adoptions per month"),
            [
                *_code_and_label(_("Group"), key="key"),
                Column("months", _("Months")),
                Column("adoptions", _("Adoptions")),
                Column("p", _("Innovation coefficient p (per year)"), "decimal", places=4),
                Column("p_interval", _("p, 95 % interval"), "interval", places=4),
                Column("q", _("Imitation coefficient q (per year)"), "decimal", places=4),
                Column("q_interval", _("q, 95 % interval"), "interval", places=4),
                Column("m", _("Market potential m (adopters)"), "decimal", places=1),
                Column("m_interval", _("m, 95 % interval"), "interval", places=1),
                Column("identifiable", _("Identifiable"), "text"),
                Column("r_squared", _("R² (cumulative)"), "decimal", places=3),
                Column("rmse", _("RMSE (adoptions)"), "decimal", places=2),
                Column("note", _("Note"), "text"),
            ],
            [
                [
                    key,
                    text,
                    fit["months"],
                    fit["adoptions"],
                    fit.get("p_per_year"),
                    fit.get("p_interval"),
                    fit.get("q_per_year"),
                    fit.get("q_interval"),
                    fit.get("m"),
                    fit.get("m_interval"),
                    _identifiable_text(fit),
                    fit.get("r_squared"),
                    fit.get("rmse"),
                    _bass_note(fit),
                ]
                for key, text, fit in groups
            ],
        )
    ]
    overall = fits["all"]
    if overall["status"] == "ok":
        months = _months_from(overall["start"], overall["months"])
        tables.append(
            Table(
                "bass-curve",
                _("Adoptions so far: recorded and as the Bass model fits them"),
                [
                    Column("month", _("Month"), "month"),
                    Column("observed", _("Recorded")),
                    Column("fitted", _("Bass model"), "decimal", places=1),
                ],
                [
                    [month, observed, fitted]
                    for month, observed, fitted in zip(
                        months, overall["observed"], overall["fitted"], strict=True
                    )
                ],
                chart=Chart("line", ["observed", "fitted"], value_axis=_("Adoptions so far")),
                collapse=True,
            )
        )
    return tables


def _bass_note(fit: dict) -> str:
    if fit["status"] == "too-few-data":
        return _(
            "Too few data: a fit needs at least %(months)s months and %(adoptions)s adoptions."
        ) % {"months": fit["min_months"], "adoptions": fit["min_adoptions"]}
    if fit["status"] == "no-fit":
        return _("The model could not be fitted to these data.")
    if fit["m_at_bound"]:
        return _(
            "Not identifiable: the market potential is not determined by the data yet "
            "(diffusion is still in its early phase); m is a lower bound at best."
        )
    if not fit["identifiable"]:
        return _(
            "Not identifiable: the curve is still far from saturation, and other values of "
            "p, q and m fit the data as well (an interval is as wide as its estimate). Do not "
            "read the parameters."
        )
    return ""


def _identifiable_text(fit: dict) -> str:
    if fit["status"] != "ok":
        return ""
    return _("Yes") if fit["identifiable"] else _("No")


def _months_from(start: str, count: int) -> list[str]:
    year, month = (int(part) for part in start.split("-"))
    months = []
    for _i in range(count):
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


def survey_name(source: dict) -> str:
    """A survey as its figures should be cited: name, edition, and how many answered."""
    return _("%(name)s %(year)s, %(sample)s workplaces answered") % {
        "name": source["name"],
        "year": source["year"],
        "sample": number_format(source["sample"], force_grouping=True),
    }


def _share_text(item: dict) -> str:
    """A share in words: "51,0 %", or "3 av 7 ¹" when it is not shown for its small base."""
    if item.get("suppressed"):
        counts = _("%(n)s of %(d)s") % {"n": item["numerator"], "d": item["denominator"]}
        return f"{counts}\u00a0¹"
    if item.get("percent") is None:
        return "–"
    return f"{number_format(item['percent'], 1)}\u00a0%"
