/*
 * The topology step of `manage.py build_map`: reads {municipalities, counties, metadata,
 * quantization, keep} as JSON on stdin and writes the TopoJSON on stdout.
 *
 * - municipalities: a GeoJSON FeatureCollection, each feature with `id` (the four-digit number)
 *   and `properties.name`;
 * - counties: [{number, name}], the counties the municipalities' first two digits name;
 * - keep: the share of the points kept by the simplification (the points of largest
 *   Visvalingam weight stay);
 * - quantization: the grid the coordinates are snapped to.
 *
 * The counties are merged from their municipalities' arcs, so a county border is drawn exactly
 * over the municipality borders it follows and costs no arcs of its own. The rings are wound as
 * d3-geo draws spherical polygons (outer rings clockwise, holes anticlockwise; GeoJSON files
 * such as Kartverket's wind them the other way, which d3-geo reads as "everything but"), and
 * each shape is checked to be smaller than the whole of Norway. Everything here is
 * deterministic (no clock, no randomness, objects built in a fixed order), so the same input
 * gives the same bytes.
 */
"use strict";

const server = require("topojson-server");
const simplify = require("topojson-simplify");
const client = require("topojson-client");
const geo = require("d3-geo");

// Norway is some 0.0095 steradians: a shape larger than this is wound inside out.
const MAX_AREA = 0.01;

function read(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

// Twice the signed planar area of a ring of arcs in longitude/latitude: negative is clockwise.
function ringArea(topology, ring) {
  const coordinates = client.feature(topology, { type: "Polygon", arcs: [ring] }).geometry
    .coordinates[0];
  let area = 0;
  for (let i = 0; i + 1 < coordinates.length; i++) {
    const [x0, y0] = coordinates[i];
    const [x1, y1] = coordinates[i + 1];
    area += x0 * y1 - x1 * y0;
  }
  return area;
}

function rings(geometry) {
  if (geometry.type === "Polygon") return geometry.arcs;
  if (geometry.type === "MultiPolygon") return geometry.arcs.flat();
  return [];
}

// A shape's planar area: its rings' areas, holes taken away.
function area(topology, geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.arcs || [];
  let total = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      total += (index === 0 ? 1 : -1) * Math.abs(ringArea(topology, ring));
    });
  }
  return total;
}

// Outer rings clockwise, holes anticlockwise: a ring the wrong way round is the same arcs
// in reverse order, each reversed (~index).
function rewind(topology, geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.arcs;
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      if (ringArea(topology, ring) > 0 === (index === 0)) {
        polygon[index] = ring
          .slice()
          .reverse()
          .map((arc) => ~arc);
      }
    });
  }
  const area = geo.geoArea(client.feature(topology, geometry));
  if (!(area > 0 && area < MAX_AREA)) {
    throw new Error(`Shape ${geometry.id} has the area ${area} sr after rewinding.`);
  }
}

function build(input) {
  const presimplified = simplify.presimplify(
    server.topology({ municipalities: input.municipalities }),
  );
  const minWeight = simplify.quantile(presimplified, input.keep);
  let topology = simplify.simplify(presimplified, minWeight);
  // A small island municipality would shrink to nothing: where the simplification took more
  // than half a municipality's area, its largest ring keeps all its points.
  const shrunk = presimplified.objects.municipalities.geometries.filter(
    (geometry) => area(topology, geometry) < 0.5 * area(presimplified, geometry),
  );
  for (const geometry of shrunk) {
    const largest = rings(geometry).reduce((best, ring) =>
      Math.abs(ringArea(presimplified, ring)) > Math.abs(ringArea(presimplified, best))
        ? ring
        : best,
    );
    for (const arc of largest) {
      for (const point of presimplified.arcs[arc < 0 ? ~arc : arc]) point[2] = Infinity;
    }
  }
  if (shrunk.length) topology = simplify.simplify(presimplified, minWeight);
  topology = client.quantize(topology, input.quantization);
  for (const geometry of topology.objects.municipalities.geometries) rewind(topology, geometry);

  const byCounty = new Map();
  for (const geometry of topology.objects.municipalities.geometries) {
    const county = geometry.id.slice(0, 2);
    if (!byCounty.has(county)) byCounty.set(county, []);
    byCounty.get(county).push(geometry);
  }
  const counties = input.counties.map((county) => {
    const merged = client.mergeArcs(topology, byCounty.get(county.number) || []);
    rewind(topology, merged);
    return {
      type: merged.type,
      arcs: merged.arcs,
      id: county.number,
      properties: { name: county.name },
    };
  });
  return {
    type: "Topology",
    metadata: input.metadata,
    bbox: topology.bbox,
    transform: topology.transform,
    objects: {
      municipalities: topology.objects.municipalities,
      counties: { type: "GeometryCollection", geometries: counties },
    },
    arcs: topology.arcs,
  };
}

read(process.stdin)
  .then((text) => {
    process.stdout.write(JSON.stringify(build(JSON.parse(text))));
  })
  .catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
    process.exit(1);
  });
