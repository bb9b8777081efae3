/*
 * Maps of Norway's municipalities, drawn with d3-geo and topojson-client from the site's own
 * TopoJSON (static/maps/norge-2024.topo.json, © Kartverket): no tiles, no outside requests.
 *
 * 1. The choropleth of the statistics page (templates/stats/_map.html):
 *      <div data-reuse-map data-topology="URL" data-table="TABLE-ID" data-texts="{JSON}" hidden>
 *    Its numbers are the table's: each <tr data-number="0301"> has cells
 *    <td data-key="MEASURE" data-value="plain number or empty" data-text="as the table says">.
 *    The measure is chosen with the radio buttons named map-measure. Each municipality is a
 *    path with a name and its value; the map is one stop in the tab order, the arrow keys
 *    (and Home, End) move between municipalities, and hover or focus writes the municipality's
 *    figures in the readout. The legend lists the classes; colour is never the only carrier:
 *    the readout, the labels and the table say the numbers.
 *
 * 2. The small map of a case page (templates/cases/_reuse_map.html):
 *      <div data-case-map data-topology="URL" data-places="LIST-ID" hidden>
 *    colours the municipalities of the list's items (<li data-number="0301"
 *    data-role="owner|generation" data-generation="1">) and marks the owner's.
 *
 * The tables sort with buttons in their headers (<table data-sortable>, <th data-sort>).
 * Only attributes are set on SVG elements, never style attributes: the site's CSP allows no
 * inline style.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var language = document.documentElement.lang || "nb";
  var locale = language === "nb" ? "nb-NO" : language;
  // Sequential blues (ColorBrewer), one ramp per number of classes: each class stands out from
  // its neighbours and from zero (white), and the highest is always the darkest.
  var RAMPS = [
    ["#08519c"],
    ["#6baed6", "#08306b"],
    ["#9ecae1", "#3182bd", "#08306b"],
    ["#c6dbef", "#6baed6", "#2171b5", "#08306b"],
    ["#deebf7", "#9ecae1", "#4292c6", "#08519c", "#08306b"],
  ];
  var ZERO = "#ffffff";
  var NONE = "#d9d9d9";
  // The case map: generation 1, 2, 3 and later; the owner.
  var GENERATIONS = ["#08519c", "#4292c6", "#9ecae1"];
  var OWNER = "#c9800b";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return values[key] == null ? "" : String(values[key]);
    });
  }

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function loadTopology(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("map " + response.status);
      return response.json();
    });
  }

  // A projection for Norway (transverse Mercator around 15° E, as UTM zone 33) fitted to the
  // width; the height follows the country's shape.
  function fitted(collection, width) {
    var projection = window.d3.geoTransverseMercator().rotate([-15, -65]);
    projection.fitWidth(width, collection);
    var path = window.d3.geoPath(projection);
    var bounds = path.bounds(collection);
    return { path: path, height: Math.ceil(bounds[1][1]) + 24 };
  }

  function attribution(svg, width, height) {
    var text = element(
      "text",
      {
        x: width - 4,
        y: height - 6,
        "text-anchor": "end",
        // Some 10 px or more wherever the map is scaled to a phone's width.
        "font-size": Math.max(12, Math.round(width / 36)),
        class: "map-attribution",
      },
      svg,
    );
    text.textContent = "© Kartverket";
  }

  function appendLayers(topology, width) {
    var topojson = window.topojson;
    var municipalities = topojson.feature(topology, topology.objects.municipalities);
    var countyBorders = topojson.mesh(topology, topology.objects.counties, function (a, b) {
      return a !== b;
    });
    var outline = topojson.mesh(topology, topology.objects.counties, function (a, b) {
      return a === b;
    });
    var fit = fitted(municipalities, width);
    return { municipalities: municipalities, countyBorders: countyBorders, outline: outline, fit: fit };
  }

  /* ---------- sortable tables ---------- */

  function sortable(table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort]"));
    var collator = new Intl.Collator(locale);
    headers.forEach(function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) button.appendChild(header.firstChild);
      var state = document.createElement("span");
      state.className = "sort-state";
      state.setAttribute("aria-hidden", "true");
      button.appendChild(state);
      header.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) {
          other.removeAttribute("aria-sort");
          other.querySelector(".sort-state").textContent = "";
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        state.textContent = ascending ? " ▲" : " ▼";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = header.getAttribute("data-sort") === "number";
        function key(row) {
          var cell = row.cells[column];
          var raw = cell ? cell.getAttribute("data-value") : null;
          if (numeric) return raw === null || raw === "" ? null : Number(raw);
          return raw === null ? cell.textContent.trim() : raw;
        }
        rows.sort(function (a, b) {
          var x = key(a);
          var y = key(b);
          // Rows without a figure go last, whichever the direction.
          if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
          var order = numeric ? x - y : collator.compare(x, y);
          if (order === 0) order = collator.compare(a.cells[0].textContent, b.cells[0].textContent);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  }

  /* ---------- the choropleth of the statistics page ---------- */

  function readTable(table, measures) {
    var rows = {};
    table.querySelectorAll("tbody tr[data-number]").forEach(function (row) {
      var entry = {
        name: row.cells[0].textContent.trim(),
        county: (row.querySelector('td[data-key="county"]') || {}).textContent || "",
        values: {},
        texts: {},
      };
      measures.forEach(function (measure) {
        var cell = row.querySelector('td[data-key="' + measure + '"]');
        var raw = cell ? cell.getAttribute("data-value") : "";
        entry.values[measure] = raw === "" || raw === null ? null : Number(raw);
        entry.texts[measure] = cell ? cell.getAttribute("data-text") : "";
      });
      rows[row.getAttribute("data-number")] = entry;
    });
    return rows;
  }

  // Up to five classes above zero, at the quantiles of the values above zero, their bounds
  // rounded up (whole numbers for counts, one decimal for rates and percents).
  function classes(values, whole) {
    var positive = values
      .filter(function (v) {
        return v !== null && v > 0;
      })
      .sort(window.d3.ascending);
    if (!positive.length) return [];
    var round = whole
      ? Math.ceil
      : function (v) {
          return Math.ceil(v * 10) / 10;
        };
    var uppers = [0.2, 0.4, 0.6, 0.8, 1].map(function (p) {
      return round(window.d3.quantileSorted(positive, p));
    });
    uppers = uppers.filter(function (upper, index) {
      return index === 0 || upper > uppers[index - 1];
    });
    return uppers.map(function (upper, index) {
      return { lower: index === 0 ? 0 : uppers[index - 1], upper: upper, first: index === 0 };
    });
  }

  function classOf(value, bounds) {
    if (value === null) return -2;
    if (value <= 0) return -1;
    for (var i = 0; i < bounds.length; i++) {
      if (value <= bounds[i].upper) return i;
    }
    return bounds.length - 1;
  }

  function colourOf(index, count) {
    if (index === -2) return NONE;
    if (index === -1) return ZERO;
    return RAMPS[count - 1][index];
  }

  function choropleth(root) {
    var texts = JSON.parse(root.getAttribute("data-texts"));
    var table = document.getElementById(root.getAttribute("data-table"));
    var inputs = Array.prototype.slice.call(root.querySelectorAll('input[name="map-measure"]'));
    var measures = inputs.map(function (input) {
      return input.value;
    });
    var labels = {};
    inputs.forEach(function (input) {
      labels[input.value] = root.querySelector('label[for="' + input.id + '"]').textContent.trim();
    });
    var rows = readTable(table, measures);
    var canvas = root.querySelector("[data-map-canvas]");
    var readout = root.querySelector("[data-map-readout]");
    var legend = root.querySelector("[data-map-legend]");
    var caption = root.querySelector("[data-map-caption]");
    var numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

    loadTopology(root.getAttribute("data-topology"))
      .then(function (topology) {
        var width = 600;
        var layers = appendLayers(topology, width);
        var height = layers.fit.height;
        var svg = element("svg", {
          viewBox: "0 0 " + width + " " + height,
          class: "map-svg",
          role: "group",
        });
        var group = element("g", { class: "map-municipalities" }, svg);
        var features = layers.municipalities.features.slice().sort(function (a, b) {
          return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        });
        var paths = features.map(function (feature, index) {
          var path = element(
            "path",
            {
              d: layers.fit.path(feature),
              class: "map-municipality",
              tabindex: index === 0 ? "0" : "-1",
              role: "img",
              "data-number": feature.id,
            },
            group,
          );
          path.__feature = feature;
          return path;
        });
        element("path", { d: layers.fit.path(layers.countyBorders), class: "map-county-border" }, svg);
        element("path", { d: layers.fit.path(layers.outline), class: "map-outline" }, svg);
        var highlight = element("path", { class: "map-highlight", d: "" }, svg);
        attribution(svg, width, height);
        canvas.appendChild(svg);

        var current = paths[0];
        var measure = measures[0];

        function describe(path) {
          var entry = rows[path.getAttribute("data-number")];
          var name = entry ? entry.name : path.__feature.properties.name;
          var value = entry ? entry.texts[measure] : texts.not_in_registry;
          return { entry: entry, name: name, value: value };
        }

        function show(path) {
          var about = describe(path);
          highlight.setAttribute("d", path.getAttribute("d"));
          readout.textContent = format(texts.readout, {
            name: about.name,
            county: about.entry ? about.entry.county : "",
            measure: labels[measure],
            value: about.value,
          }).replace(" ()", "");
        }

        function paint() {
          var values = Object.keys(rows).map(function (number) {
            return rows[number].values[measure];
          });
          var whole = measure === "cases" || measure === "reuses";
          var bounds = classes(values, whole);
          var unit = measure === "reuse_share" ? " %" : "";
          paths.forEach(function (path) {
            var about = describe(path);
            var value = about.entry ? about.entry.values[measure] : null;
            path.setAttribute("fill", colourOf(classOf(value, bounds), bounds.length));
            path.setAttribute(
              "aria-label",
              format(texts.path_label, { name: about.name, value: about.value }),
            );
          });
          svg.setAttribute("aria-label", format(texts.map_label, { measure: labels[measure] }));
          caption.textContent = format(texts.caption, { measure: labels[measure] });
          legend.textContent = "";
          var title = document.createElement("p");
          title.className = "ds-paragraph reuse-map__legend-title";
          title.id = "map-legend-title";
          title.textContent = format(texts.legend, { measure: labels[measure].toLowerCase() });
          legend.appendChild(title);
          var list = document.createElement("ul");
          list.className = "map-legend";
          list.setAttribute("aria-labelledby", title.id);
          var items = [];
          var shown = paths.map(function (path) {
            var entry = rows[path.getAttribute("data-number")];
            return entry ? entry.values[measure] : null;
          });
          if (shown.indexOf(null) !== -1) {
            items.push({
              colour: NONE,
              text: measure === "reuse_share" ? texts.no_figure_share : texts.no_figure,
            });
          }
          if (shown.indexOf(0) !== -1) items.push({ colour: ZERO, text: texts.zero + unit });
          bounds.forEach(function (bound, index) {
            var lower = whole ? bound.lower + 1 : bound.lower;
            var text;
            if (whole) {
              text =
                lower === bound.upper
                  ? numbers.format(bound.upper)
                  : format(texts.range, { lower: numbers.format(lower), upper: numbers.format(bound.upper) });
            } else {
              text = format(texts.above, {
                lower: numbers.format(bound.lower),
                upper: numbers.format(bound.upper),
              });
            }
            items.push({ colour: colourOf(index, bounds.length), text: text + unit });
          });
          items.forEach(function (item) {
            var li = document.createElement("li");
            var swatch = element("svg", { width: "18", height: "18", "aria-hidden": "true", focusable: "false" }, li);
            element("rect", { x: "0.5", y: "0.5", width: "17", height: "17", fill: item.colour, class: "map-swatch" }, swatch);
            li.appendChild(document.createTextNode(" " + item.text));
            list.appendChild(li);
          });
          legend.appendChild(list);
          if (current && document.activeElement === current) show(current);
        }

        function move(to) {
          if (!to || to === current) return;
          current.setAttribute("tabindex", "-1");
          to.setAttribute("tabindex", "0");
          current = to;
          to.focus();
        }

        group.addEventListener("mouseover", function (event) {
          if (event.target.__feature) show(event.target);
        });
        // Focus listeners on the HTML box, not on the SVG: Chromium makes an SVG element with
        // focus listeners a Tab stop of its own.
        canvas.addEventListener("focusin", function (event) {
          if (!event.target.__feature) return;
          if (event.target !== current) {
            current.setAttribute("tabindex", "-1");
            event.target.setAttribute("tabindex", "0");
            current = event.target;
          }
          show(event.target);
        });
        canvas.addEventListener("focusout", function () {
          highlight.setAttribute("d", "");
        });
        group.addEventListener("click", function (event) {
          if (event.target.__feature) move(event.target);
        });
        group.addEventListener("keydown", function (event) {
          var index = paths.indexOf(current);
          var next = null;
          if (event.key === "ArrowRight" || event.key === "ArrowDown") next = paths[index + 1];
          else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = paths[index - 1];
          else if (event.key === "Home") next = paths[0];
          else if (event.key === "End") next = paths[paths.length - 1];
          else return;
          event.preventDefault();
          move(next);
        });
        inputs.forEach(function (input) {
          input.addEventListener("change", function () {
            if (input.checked) {
              measure = input.value;
              paint();
            }
          });
        });
        var checked = inputs.filter(function (input) {
          return input.checked;
        })[0];
        if (checked) measure = checked.value;
        paint();
        root.hidden = false;
        root.setAttribute("data-drawn", "true");
      })
      .catch(function () {
        // Without the boundaries the table stands alone, as without JavaScript.
        root.hidden = true;
      });
  }

  /* ---------- the small map of a case page ---------- */

  function caseMap(root) {
    var list = document.getElementById(root.getAttribute("data-places"));
    var places = {};
    list.querySelectorAll("li[data-number]").forEach(function (item) {
      var number = item.getAttribute("data-number");
      var role = item.getAttribute("data-role");
      var generation = Number(item.getAttribute("data-generation") || 0);
      var place = places[number] || { owner: false, generation: null };
      if (role === "owner") place.owner = true;
      else if (place.generation === null || generation < place.generation) place.generation = generation;
      places[number] = place;
    });
    loadTopology(root.getAttribute("data-topology"))
      .then(function (topology) {
        var width = 300;
        var layers = appendLayers(topology, width);
        var height = layers.fit.height;
        var svg = element("svg", {
          viewBox: "0 0 " + width + " " + height,
          class: "map-svg map-svg--small",
          role: "img",
          "aria-labelledby": root.getAttribute("data-label"),
        });
        var group = element("g", {}, svg);
        var marks = [];
        layers.municipalities.features.forEach(function (feature) {
          var place = places[feature.id];
          var fill = "#f2f2f2";
          if (place && place.generation !== null) {
            fill = GENERATIONS[Math.min(place.generation, GENERATIONS.length) - 1];
            marks.push({ feature: feature, fill: fill, owner: false });
          }
          if (place && place.owner) {
            fill = OWNER;
            marks.push({ feature: feature, fill: OWNER, owner: true });
          }
          element("path", { d: layers.fit.path(feature), fill: fill, class: "map-municipality" }, group);
        });
        element("path", { d: layers.fit.path(layers.countyBorders), class: "map-county-border" }, svg);
        element("path", { d: layers.fit.path(layers.outline), class: "map-outline" }, svg);
        // Most municipalities are too small to see at this size: a dot marks each place, the
        // owner's larger and drawn last.
        marks
          .sort(function (a, b) {
            return a.owner - b.owner;
          })
          .forEach(function (mark) {
            var centre = layers.fit.path.centroid(mark.feature);
            element(
              "circle",
              {
                cx: centre[0],
                cy: centre[1],
                r: mark.owner ? 6 : 4,
                fill: mark.fill,
                class: mark.owner ? "map-owner-mark" : "map-place-mark",
              },
              svg,
            );
          });
        attribution(svg, width, height);
        root.querySelector("[data-map-canvas]").appendChild(svg);
        root.hidden = false;
        root.setAttribute("data-drawn", "true");
      })
      .catch(function () {
        root.hidden = true;
      });
  }

  function start() {
    var ready = window.d3 && window.d3.geoPath && window.topojson;
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
    if (!ready) return;
    document.querySelectorAll("[data-reuse-map]").forEach(choropleth);
    document.querySelectorAll("[data-case-map]").forEach(caseMap);
  }

  start();
})();
