/*
 * Charts for the statistics pages, drawn with Chart.js from the data tables on the page.
 *
 * Progressive enhancement: the page is complete without this script. Each chart is an empty
 * element with data attributes that name its table:
 *
 *   <div class="stats-chart" hidden data-chart="bar|line" data-chart-table="TABLE-ID"
 *        data-chart-series="KEY,KEY" data-chart-horizontal="true" data-chart-unit="%"
 *        data-chart-title="What the chart shows" data-chart-value-axis="Number of cases"
 *        data-chart-category-axis="Sector"
 *        data-chart-label="Chart: ... The numbers are in the table below."></div>
 *
 * The labels are the row headers (<th scope="row">) of the table's body; each series is the
 * column whose header has data-key="KEY" (named in the legend by its data-short-label, if it
 * has one, else by its text), read from the cells' data-value (plain numbers, not localised
 * text). The table stays on the page beside the chart; the canvas is an image
 * whose accessible name says where its numbers are; a long table inside
 * <details data-chart-numbers open> is folded once its chart is drawn. No inline script or
 * style attribute is needed.
 *
 * Readable on a phone and without colour: every chart has its title and the names of both
 * axes; long category labels are broken into lines that fit the chart's width (again when it
 * changes), with the whole label in the tooltip; the second and later series differ from the
 * first by a pattern (bars) or a dash and a point shape (lines), not by colour alone.
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
    token("--ds-color-brand1-base-default", "#d33b45"),
    token("--ds-color-brand3-base-default", "#1f7a4d"),
    token("--ds-color-neutral-base-default", "#4b5563"),
    token("--ds-color-brand2-base-default", "#c9800b"),
  ];
  var surface = token("--ds-color-neutral-background-default", "#ffffff");
  // Series after the first: bars striped, dotted or cross-hatched; lines dashed.
  var patterns = [null, "stripes", "dots", "cross"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var points = ["circle", "triangle", "rect", "rectRot"];
  // An average character of the charts' 12 px font, and of the titles' 15 px bold, to
  // estimate how much text fits.
  var CHARACTER_WIDTH = 6.5;
  var TITLE_CHARACTER_WIDTH = 8.5;
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
      names[header.getAttribute("data-key")] =
        header.getAttribute("data-short-label") || header.textContent.trim();
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

  function pattern(colour, kind) {
    if (!kind) {
      return colour;
    }
    var size = 8;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var pen = tile.getContext("2d");
    pen.fillStyle = surface;
    pen.fillRect(0, 0, size, size);
    pen.strokeStyle = colour;
    pen.fillStyle = colour;
    pen.lineWidth = 2;
    pen.beginPath();
    if (kind === "dots") {
      pen.arc(size / 2, size / 2, 2, 0, 2 * Math.PI);
      pen.fill();
    } else {
      // Diagonal stripes that join across tiles; "cross" adds the other diagonal.
      pen.moveTo(0, size);
      pen.lineTo(size, 0);
      pen.moveTo(-size / 2, size / 2);
      pen.lineTo(size / 2, -size / 2);
      pen.moveTo(size / 2, size * 1.5);
      pen.lineTo(size * 1.5, size / 2);
      if (kind === "cross") {
        pen.moveTo(0, 0);
        pen.lineTo(size, size);
        pen.moveTo(size / 2, -size / 2);
        pen.lineTo(size * 1.5, size / 2);
        pen.moveTo(-size / 2, size / 2);
        pen.lineTo(size / 2, size * 1.5);
      }
      pen.stroke();
    }
    return pen.createPattern(tile, "repeat") || colour;
  }

  // A label broken into lines of at most `width` characters (a longer word keeps its line).
  function wrap(label, width) {
    if (label.length <= width) {
      return label;
    }
    var lines = [];
    var line = "";
    label.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines.length > 1 ? lines : label;
  }

  // How many characters a category label may have per line at a chart width: a horizontal
  // chart gives its labels at most two fifths of the width, a vertical one shares it out
  // between the bars. Months (many labels) are thinned out by Chart.js instead.
  function labelWidth(width, horizontal, count) {
    if (horizontal) {
      return Math.max(10, Math.floor((width * 0.4) / CHARACTER_WIDTH));
    }
    if (count > 12) {
      return Infinity;
    }
    return Math.max(6, Math.floor(width / Math.max(count, 1) / CHARACTER_WIDTH) - 1);
  }

  function titleWidth(width) {
    return Math.max(16, Math.floor(width / TITLE_CHARACTER_WIDTH));
  }

  function wrapAll(labels, width) {
    return labels.map(function (label) {
      return wrap(label, width);
    });
  }

  function lineCount(labels) {
    return labels.reduce(function (most, label) {
      return Math.max(most, Array.isArray(label) ? label.length : 1);
    }, 1);
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
    var title = box.getAttribute("data-chart-title") || "";
    var valueTitle = box.getAttribute("data-chart-value-axis") || "";
    var categoryTitle = box.getAttribute("data-chart-category-axis") || "";
    var count = data.labels.length;
    var labels = wrapAll(data.labels, labelWidth(box.clientWidth, horizontal, count));

    // The box gets a height to fit the bars and their labels (set through the CSSOM, which a
    // content security policy without 'unsafe-inline' allows); the chart fills it.
    var row = Math.max(22 * keys.length, lineCount(labels) * 15 + 8);
    var height = horizontal ? Math.max(200, count * row + 130) : 360;
    box.style.position = "relative";
    box.style.height = height + "px";
    box.style.maxWidth = "48rem";

    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", box.getAttribute("data-chart-label") || "");
    box.appendChild(canvas);
    box.hidden = false;

    var axisTitle = function (text) {
      return { display: Boolean(text), text: text, color: textColour };
    };
    var valueAxis = {
      beginAtZero: true,
      title: axisTitle(valueTitle),
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
      title: axisTitle(categoryTitle),
      // Every label is shown unless there are many (months), which are thinned out. Labels
      // too wide for their slot once broken into lines (a month's name on a phone) are
      // turned, as far as upright, rather than drawn over each other.
      ticks: { color: textColour, autoSkip: count > 12, maxRotation: 90 },
      grid: { display: false },
    };

    foldNumbers(table);
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: data.series.map(function (item, index) {
          var colour = palette[index % palette.length];
          var line = type === "line";
          return {
            label: item.label,
            data: item.data,
            backgroundColor: line ? colour : pattern(colour, patterns[index % patterns.length]),
            borderColor: colour,
            borderWidth: line ? 2 : index ? 1.5 : 0,
            borderDash: line ? dashes[index % dashes.length] : undefined,
            pointStyle: points[index % points.length],
            pointRadius: line ? 3 : undefined,
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
        // Labels are broken into lines anew for the width the chart gets.
        onResize: function (chart, size) {
          chart.data.labels = wrapAll(data.labels, labelWidth(size.width, horizontal, count));
          chart.options.plugins.title.text = wrap(title, titleWidth(size.width));
        },
        plugins: {
          title: {
            display: Boolean(title),
            text: wrap(title, titleWidth(box.clientWidth)),
            color: textColour,
            align: "start",
            font: { size: 15, weight: "bold" },
            padding: { bottom: 12 },
          },
          legend: {
            display: data.series.length > 1,
            align: "start",
            labels: { color: textColour, usePointStyle: type === "line" },
          },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? data.labels[items[0].dataIndex] : "";
              },
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
