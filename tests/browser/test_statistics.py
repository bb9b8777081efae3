"""The two statistics pages in a real browser, on the demo data, at a phone's width and a
desktop's: no axe-core violation once the charts are drawn, and every chart readable: a title
and named axes, category labels, legend and title within the chart, months named in the
interface language, and the series told apart by more than colour."""

import re

import pytest

from .checks import axe_violations

pytestmark = pytest.mark.browser

PAGES = ("/statistikk/", "/statistikk/metode/")
WIDTHS = (375, 1280)

# Every drawn chart, as Chart.js laid it out: its title, axis titles, the widest line of each
# category label against the room its axis has, the legend entries against the chart's width,
# and how each series is drawn (a pattern or a dash besides its colour).
CHARTS_JS = """
() => [...document.querySelectorAll(".stats-chart canvas")].map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  const horizontal = chart.options.indexAxis === "y";
  const category = horizontal ? chart.scales.y : chart.scales.x;
  const value = horizontal ? chart.scales.x : chart.scales.y;
  const ctx = chart.ctx;
  ctx.save();
  ctx.font = window.Chart.helpers.toFont(category.options.ticks.font).string;
  const lines = category.ticks
    .map((tick) => category.getLabelForValue(tick.value))
    .flatMap((label) => (Array.isArray(label) ? label : [label]));
  const widest = Math.max(0, ...lines.map((line) => ctx.measureText(line).width));
  ctx.restore();
  const title = chart.options.plugins.title;
  const legend = chart.legend.legendHitBoxes || [];
  return {
    table: canvas.parentElement.getAttribute("data-chart-table"),
    type: chart.config.type,
    horizontal,
    title: [].concat(title.display ? title.text : []).join(" "),
    titleFits: chart.titleBlock ? chart.titleBlock.width <= chart.width + 1 : false,
    valueAxis: value.options.title.display ? value.options.title.text : "",
    categoryAxis: category.options.title.display ? category.options.title.text : "",
    widestLabel: widest,
    labelRoom: horizontal ? category.width : chart.width,
    legendFits: legend.every((box) => box.left >= 0 && box.left + box.width <= chart.width + 1),
    labels: chart.data.labels.map((label) => [].concat(label).join(" ")),
    marked: chart.data.datasets.map((dataset, index) =>
      index === 0 ||
      (chart.config.type === "line"
        ? (dataset.borderDash || []).length > 0
        : dataset.backgroundColor instanceof CanvasPattern)
    ),
  };
})
"""

MONTH = {
    "nb": re.compile(
        r"^(januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)"
        r" \d{4}$"
    ),
    "en": re.compile(
        r"^(January|February|March|April|May|June|July|August|September|October|November"
        r"|December) \d{4}$"
    ),
}


def open_statistics(open_page, path, *, lang, width):
    page = open_page(lang=lang, width=width, height=900, shared=True)
    response = page.goto(path)
    assert response.status == 200
    # Every chart the page asks for is drawn (the script runs after the page has loaded).
    page.wait_for_function(
        "() => document.querySelectorAll('.stats-chart').length > 0 && "
        "[...document.querySelectorAll('.stats-chart')].every((box) => box.querySelector('canvas'))"
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_statistics_pages_have_no_axe_violations(open_page, demo, path, width):
    for lang in ("nb", "en"):
        page = open_statistics(open_page, path, lang=lang, width=width)
        assert axe_violations(page) == [], (path, lang, width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_every_chart_is_readable(open_page, demo, path, width):
    for lang in ("nb", "en"):
        page = open_statistics(open_page, path, lang=lang, width=width)
        charts = page.evaluate(CHARTS_JS)
        assert charts
        for chart in charts:
            where = (path, lang, width, chart["table"])
            assert chart["title"], where
            assert chart["titleFits"], where
            assert chart["valueAxis"], where
            assert chart["categoryAxis"], where
            assert chart["widestLabel"] <= chart["labelRoom"] + 1, (where, chart)
            assert chart["legendFits"], where
            assert all(chart["marked"]), where
        monthly = [chart for chart in charts if chart["table"] == "table-monthly"]
        assert monthly, (path, lang)
        for chart in monthly:
            assert all(MONTH[lang].match(label) for label in chart["labels"]), chart["labels"]
