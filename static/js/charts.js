/*
 * Charts for the statistics pages, drawn with Chart.js from the data tables on the page.
 *
 * Progressive enhancement: the page is complete without this script. Each chart is an empty
 * element with data attributes that name its table:
 *
 *   <div class="stats-chart" hidden data-chart="bar|line" data-chart-table="TABLE-ID"
 *        data-chart-series="KEY,KEY" data-chart-horizontal="true" data-chart-unit="%"
 *        data-chart-label="Chart: ... The numbers are in the table below."></div>
 *
 * The labels are the row headers (<th scope="row">) of the table's body; each series is the
 * column whose header has data-key="KEY", read from the cells' data-value (plain numbers,
 * not localised text). The table stays on the page beside the chart; the canvas is an image
 * whose accessible name says where its numbers are; a long table inside
 * <details data-chart-numbers open> is folded once its chart is drawn. No inline script or
 * style attribute is needed.
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }

  var styles = getComputedStyle(document.documentElement);

  function token(name, fallback) {
    var value = styles.getPropertyValue(name).trim();
    return value || fallback;
  }

  var palette = [
    token("--ds-color-accent-base-default", "#0062ba"),
    token("--ds-color-brand2-base-default", "#c9800b"),
    token("--ds-color-brand1-base-default", "#d33b45"),
    token("--ds-color-brand3-base-default", "#1f7a4d"),
    token("--ds-color-neutral-base-default", "#4b5563"),
  ];
  var textColour = token("--ds-color-neutral-text-default", "#1e2b3c");
  var gridColour = token("--ds-color-neutral-border-subtle", "#d4d8dd");
  var language = document.documentElement.lang || "nb";
  var numbers = new Intl.NumberFormat(language === "nb" ? "nb-NO" : language, {
    maximumFractionDigits: 2,
  });
  var reducedMotion =
    window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function readTable(table, keys) {
    var names = {};
    table.querySelectorAll("thead th[data-key]").forEach(function (header) {
      names[header.getAttribute("data-key")] = header.textContent.trim();
    });
    var labels = [];
    var series = keys.map(function (key) {
      return { key: key, label: names[key] || key, data: [] };
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var values = series.map(function (item) {
        var cell = row.querySelector('td[data-key="' + item.key + '"]');
        var raw = cell ? cell.getAttribute("data-value") : null;
        return raw === null || raw === "" ? null : Number(raw);
      });
      // A row with no number in any series (a text-only row) has nothing to draw.
      if (
        values.every(function (value) {
          return value === null;
        })
      ) {
        return;
      }
      var header = row.querySelector('th[scope="row"]');
      labels.push(header ? header.textContent.trim() : "");
      values.forEach(function (value, index) {
        series[index].data.push(value);
      });
    });
    return { labels: labels, series: series };
  }

  function format(value, unit) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return "–";
    }
    return numbers.format(value) + (unit ? "\u00a0" + unit : "");
  }

  function draw(box) {
    var table = document.getElementById(box.getAttribute("data-chart-table"));
    if (!table) {
      return;
    }
    var keys = (box.getAttribute("data-chart-series") || "").split(",").filter(Boolean);
    var data = readTable(table, keys);
    if (!data.labels.length || !keys.length) {
      return;
    }
    var type = box.getAttribute("data-chart") === "line" ? "line" : "bar";
    var horizontal = box.getAttribute("data-chart-horizontal") === "true";
    var unit = box.getAttribute("data-chart-unit") || "";

    // The box gets a height to fit the bars (set through the CSSOM, which a content security
    // policy without 'unsafe-inline' allows); the chart fills it.
    var height = horizontal ? Math.max(160, data.labels.length * 22 * keys.length + 80) : 320;
    box.style.position = "relative";
    box.style.height = height + "px";
    box.style.maxWidth = "48rem";

    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", box.getAttribute("data-chart-label") || "");
    box.appendChild(canvas);
    box.hidden = false;

    var valueAxis = {
      beginAtZero: true,
      ticks: {
        color: textColour,
        precision: unit ? undefined : 0,
        callback: function (value) {
          return format(value, unit);
        },
      },
      grid: { color: gridColour },
    };
    var labelAxis = {
      // Every label is shown unless there are many (months), which are thinned out.
      ticks: { color: textColour, autoSkip: data.labels.length > 12, maxRotation: 0 },
      grid: { display: false },
    };

    foldNumbers(table);
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (item, index) {
          var colour = palette[index % palette.length];
          return {
            label: item.label,
            data: item.data,
            backgroundColor: colour,
            borderColor: colour,
            borderWidth: type === "line" ? 2 : 0,
            pointRadius: type === "line" ? 2 : undefined,
            spanGaps: true,
          };
        }),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion ? false : undefined,
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: {
          legend: {
            display: data.series.length > 1,
            labels: { color: textColour },
          },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + ": " + format(value, unit);
              },
            },
          },
        },
      },
    });
  }

  // A long table inside <details data-chart-numbers open> stays open without JavaScript;
  // once its chart is drawn it is folded away, one click from the chart.
  function foldNumbers(table) {
    var details = table.closest("details[data-chart-numbers]");
    if (details) {
      details.open = false;
    }
  }

  function drawAll() {
    document.querySelectorAll("[data-chart][data-chart-table]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
