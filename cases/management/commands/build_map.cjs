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
 * over the municipality borders it follows and costs no arcs of its own. Everything here is
 * deterministic (no clock, no randomness, objects built in a fixed order), so the same input
 * gives the same bytes.
 */
"use strict";

const server = require("topojson-server");
const simplify = require("topojson-simplify");
const client = require("topojson-client");

function read(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

function build(input) {
  let topology = server.topology({ municipalities: input.municipalities });
  topology = simplify.presimplify(topology);
  topology = simplify.simplify(topology, simplify.quantile(topology, input.keep));
  topology = client.quantize(topology, input.quantization);

  const byCounty = new Map();
  for (const geometry of topology.objects.municipalities.geometries) {
    const county = geometry.id.slice(0, 2);
    if (!byCounty.has(county)) byCounty.set(county, []);
    byCounty.get(county).push(geometry);
  }
  const counties = input.counties.map((county) => {
    const merged = client.mergeArcs(topology, byCounty.get(county.number) || []);
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
