// The spread map (templates/maps/spread_map.html): draws the network with Cytoscape.js, over the
// outline of the south of England or laid out by its links, and moves it month by month.
//
// Everything it needs comes from the page: data-* attributes on #spread-map (the API address and
// query, the projection, the stage and link styles, all from tracker/maps) and the JSON API
// (GET /api/v1/network). The canvas is not accessible, so the tables after the map carry the same
// content, and this module keeps them in step with the month shown. After each draw it writes
// data-node-count (organisations drawn), data-colours (ODS code → stage), data-drawn-as-of and
// data-label-px (the labels' size on screen) on the figure, for tests and for anyone reading the
// page's state.
//
// The CSP allows no inline script or style: Cytoscape styles its elements through the CSSOM
// (allowed), and the one <style> element it would inject is pre-empted below.
import cytoscape from "./vendor/cytoscape/cytoscape.esm.min.js";

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];
const NOT_STARTED = "none";
const PLAY_STEP_MS = 900;
const INPUT_DELAY_MS = 150;
const FONT = "Arial, sans-serif";
// On the geographic map, labels and circles keep this size on screen however narrow the map is
// drawn (at a desktop width they are drawn at least this size anyway); below NARROW_PX wide, labels
// carry the ODS code only (the network is in the tables and the details).
const LABEL_PX = 12;
const CIRCLE_PX = 12;
const NARROW_PX = 600; // the NHS.UK frontend's fallback stack, as the page uses

// Cytoscape adds <style id="__________cytoscape_stylesheet"> with one rule unless an element with
// that id exists. The CSP would refuse it (and log an error); app.css positions the container.
function preemptCytoscapeStylesheet() {
  const id = "__________cytoscape_stylesheet";
  if (!document.getElementById(id)) {
    const marker = document.createElement("template");
    marker.id = id;
    document.head.append(marker);
  }
}

function readJson(element, name) {
  return JSON.parse(element.dataset[name]);
}

// Months ------------------------------------------------------------------------------------------

function monthIndex(iso) {
  const [year, month] = iso.split("-").map(Number);
  return year * 12 + (month - 1);
}

function monthLabel(index) {
  return `${MONTHS[index % 12]} ${Math.floor(index / 12)}`;
}

function monthEnd(index) {
  const year = Math.floor(index / 12);
  const month = index % 12; // 0-based
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${year}-${String(month + 1).padStart(2, "0")}-${String(last).padStart(2, "0")}`;
}

// Placing organisations: the same rules as tracker/maps/svg.py (place_organisations) --------------

function byOds(a, b) {
  const ka = `${a.ods ?? ""}\u0000${a.id}`;
  const kb = `${b.ods ?? ""}\u0000${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function project(p, lon, lat) {
  return { x: p.padding + (lon - p.west) * p.kx, y: p.padding + (p.north - lat) * p.ky };
}

function placeOrganisations(organisations, p) {
  const places = new Map();
  const unplaced = [];
  for (const node of organisations) {
    if (node.lat === null || node.lat === undefined || node.lon === null || node.lon === undefined) {
      unplaced.push(node);
    } else {
      const key = `${Number(node.lat).toFixed(4)},${Number(node.lon).toFixed(4)}`;
      if (!places.has(key)) places.set(key, []);
      places.get(key).push(node);
    }
  }
  const positions = new Map();
  for (const group of places.values()) {
    group.sort(byOds);
    const centre = project(p, Number(group[0].lon), Number(group[0].lat));
    group.forEach((node, k) => {
      positions.set(node.id, { x: centre.x + (k - (group.length - 1) / 2) * p.spacing, y: centre.y });
    });
  }
  unplaced.sort(byOds).forEach((node, k) => {
    const start = p.padding + p.spacing / 2;
    positions.set(node.id, { x: start + k * p.spacing, y: start });
  });
  return positions;
}

// Words -------------------------------------------------------------------------------------------

function percent(value) {
  return value === null || value === undefined ? "Not known" : `${Math.round(value * 100)}%`;
}

function yesNo(value) {
  return value ? "Yes" : "No";
}

const CATEGORY_LABELS = {
  early_adopter: "Early adopter",
  early_majority: "Early majority",
  late_majority: "Late majority",
  laggard: "Laggard",
  not_yet: "Not yet",
};

function categoryLabel(category) {
  if (!category) return "Not known";
  return CATEGORY_LABELS[category] ?? category.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

function stageKey(stage, stages) {
  return stage && stages[stage] ? stage : NOT_STARTED;
}

function byName(a, b) {
  const ka = (a.name ?? "").toLowerCase();
  const kb = (b.name ?? "").toLowerCase();
  return ka < kb ? -1 : ka > kb ? 1 : byOds(a, b);
}

// DOM helpers (textContent only: nothing from the API is parsed as HTML) ---------------------------

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function cell(heading, ...content) {
  const td = el("td", "nhsuk-table__cell");
  const label = el("span", "nhsuk-table-responsive__heading", `${heading} `);
  label.setAttribute("aria-hidden", "true");
  const body = el("span", "app-table__content"); // one block beside the heading when rows stack
  body.append(...content);
  td.append(label, body);
  return td;
}

function tag(style) {
  return el("strong", `nhsuk-tag nhsuk-tag--${style.tag}`, style.label);
}

// The map -----------------------------------------------------------------------------------------

class SpreadMap {
  constructor(figure) {
    this.figure = figure;
    this.api = figure.dataset.api;
    this.query = readJson(figure, "query");
    this.asOf = figure.dataset.asOf;
    this.layout = figure.dataset.layout;
    this.projection = readJson(figure, "projection");
    this.stages = readJson(figure, "stages");
    this.links = readJson(figure, "links");
    this.organisationUrl = figure.dataset.organisationUrl;
    this.placeholder = figure.dataset.organisationPlaceholder;
    this.firstMonth = Math.min(monthIndex(figure.dataset.start), monthIndex(this.asOf));

    this.live = figure.querySelector(".app-map__live");
    this.canvas = figure.querySelector("#spread-map-canvas");
    this.range = figure.querySelector("#spread-map-month");
    this.monthOutput = figure.querySelector("#spread-map-month-label");
    this.playButton = figure.querySelector("#spread-map-play");
    this.announcer = figure.querySelector("#spread-map-announce");
    this.error = figure.querySelector("#spread-map-error");
    this.detail = figure.querySelector("#spread-map-detail");
    this.organisationRows = document.querySelector("#spread-map-organisations tbody");
    this.linkTable = document.querySelector("#spread-map-links");
    this.noLinks = document.querySelector("#spread-map-no-links");

    this.nodes = new Map(); // id → payload node, for the month drawn
    this.networkNames = new Map();
    this.request = null;
    this.inputTimer = null;
    this.playTimer = null;
    this.playing = false;
    this.highlighted = null;
  }

  start() {
    this.useServerSvg();
    this.live.hidden = false;
    preemptCytoscapeStylesheet();
    this.cy = cytoscape({
      container: this.canvas,
      elements: [],
      style: this.stylesheet(),
      layout: { name: "preset" },
      // The geographic map must stay aligned with its outline, and wheel zoom would trap the
      // page's scrolling: the view is fitted by this module, not by the reader.
      userZoomingEnabled: false,
      userPanningEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
    });
    this.cy.on("mouseover", "node.organisation", (event) => {
      this.canvas.classList.add("app-map__canvas--pointer");
      this.show(event.target.id(), "map");
    });
    this.cy.on("mouseout", "node.organisation", () => {
      this.canvas.classList.remove("app-map__canvas--pointer");
      this.unhighlight();
    });
    this.cy.on("tap", "node.organisation", (event) => {
      window.location.assign(this.organisationUrl.replace(this.placeholder, encodeURIComponent(event.target.data("ods"))));
    });
    new ResizeObserver(() => this.fit()).observe(this.canvas);

    this.range.addEventListener("input", () => this.monthChosen(false));
    this.range.addEventListener("change", () => this.monthChosen(true));
    this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    for (const type of ["focusin", "mouseover"]) {
      this.organisationRows.addEventListener(type, (event) => {
        const row = event.target.closest("tr[data-ods]");
        if (row) this.show(row.dataset.ods, "table");
      });
    }
    this.organisationRows.addEventListener("focusout", () => this.unhighlight());
    this.organisationRows.addEventListener("mouseleave", () => this.unhighlight());

    this.load(this.asOf, false);
  }

  // The server's SVG of the map sits in <noscript>, which with scripting on is text. Copy it out
  // twice: whole for printing (as of the page's date), and as the live map's background, where only
  // its outline and attribution are kept, hidden from assistive technology (the canvas is
  // labelled, and the tables carry the content). Both use the same user units as the canvas.
  useServerSvg() {
    const noscript = this.figure.querySelector("noscript");
    const template = document.createElement("template");
    template.innerHTML = noscript ? noscript.textContent : "";
    const svg = template.content.querySelector("svg");
    if (!svg) return;
    if (this.layout !== "force") {
      const background = svg.cloneNode(true);
      for (const part of background.querySelectorAll(".app-map-links, .app-map-nodes, .app-map-labels, title, desc")) {
        part.remove();
      }
      background.removeAttribute("role");
      background.removeAttribute("aria-labelledby");
      background.setAttribute("aria-hidden", "true");
      background.setAttribute("focusable", "false");
      background.classList.add("app-map__outline");
      this.canvas.before(background);
    }
    this.figure.querySelector(".app-map__print").replaceChildren(svg);
  }

  stylesheet() {
    // The force layout is fitted to its box, usually at a zoom below 1: larger type keeps the
    // labels readable there. The geographic map is drawn at this.zoom (set by fit): sizes in model
    // units grow as it narrows, so that on screen they stay at least LABEL_PX and CIRCLE_PX.
    const typeScale = this.layout === "force" ? 1.5 : 1;
    const zoom = this.layout === "force" ? 1 : this.zoom ?? 1;
    const size = (model, px) => Math.max(model, px / zoom);
    return [
      {
        selector: "node.organisation",
        style: {
          width: size(16, CIRCLE_PX),
          height: size(16, CIRCLE_PX),
          "background-color": "data(fill)",
          "border-color": "data(stroke)",
          "border-width": size(2, 1.5),
          label: this.narrow && this.layout !== "force" ? "data(short)" : "data(label)",
          "text-wrap": "wrap",
          "text-valign": "bottom",
          "text-halign": "center",
          "text-margin-y": size(3, 2),
          "font-family": FONT,
          "font-size": size(10 * typeScale, LABEL_PX),
          "font-weight": "bold",
          color: "#212b32",
          "text-outline-color": "#ffffff",
          "text-outline-width": size(2, 2),
        },
      },
      {
        selector: "node.organisation.adopted",
        style: { width: size(22, CIRCLE_PX * 1.4), height: size(22, CIRCLE_PX * 1.4), "border-width": size(3, 2.5) },
      },
      {
        selector: "node.organisation.highlighted",
        style: {
          "underlay-color": "#ffeb3b",
          "underlay-opacity": 1,
          "underlay-padding": size(6, 4),
          "underlay-shape": "ellipse",
          "border-color": "#212b32",
          "border-width": size(4, 3),
          "z-index": 10,
        },
      },
      {
        selector: "node.network",
        style: {
          shape: "round-rectangle",
          "background-color": "#f0f4f5",
          "border-color": "#768692",
          "border-width": 1,
          label: "data(name)",
          "text-valign": "top",
          "text-halign": "center",
          "text-margin-y": -4,
          "font-family": FONT,
          "font-size": 12 * typeScale,
          color: "#212b32",
          padding: 18,
        },
      },
      {
        selector: "edge",
        style: {
          "curve-style": "bezier",
          "line-color": "data(colour)",
          width: "data(width)",
          "line-cap": "round",
        },
      },
      { selector: "edge.dotted", style: { "line-style": "dotted" } },
      { selector: "edge.proposed", style: { "line-style": "dashed", "line-dash-pattern": [7, 4] } },
    ];
  }

  // Loading a month -------------------------------------------------------------------------------

  monthFor(value) {
    const index = this.firstMonth + Number(value);
    const last = Number(this.range.max);
    return { index, asOf: Number(value) >= last ? this.asOf : monthEnd(index), label: monthLabel(index) };
  }

  monthChosen(now) {
    const month = this.monthFor(this.range.value);
    this.monthOutput.textContent = month.label;
    this.range.setAttribute("aria-valuetext", month.label);
    clearTimeout(this.inputTimer);
    if (now) {
      this.load(month.asOf, true);
    } else {
      this.inputTimer = setTimeout(() => this.load(month.asOf, true), INPUT_DELAY_MS);
    }
  }

  async load(asOf, announce) {
    if (this.request) this.request.abort();
    const request = new AbortController();
    this.request = request;
    this.figure.dataset.state = "loading";
    const url = new URL(this.api, window.location.origin);
    for (const [name, value] of Object.entries(this.query)) url.searchParams.set(name, value);
    url.searchParams.set("as_of", asOf);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: request.signal,
      });
      if (!response.ok) throw new Error(`The network API answered ${response.status}`);
      const payload = await response.json();
      if (request !== this.request) return; // a later month was asked for meanwhile
      this.draw(payload);
      this.error.hidden = true;
      if (announce) this.announce(payload);
      this.figure.dataset.state = "ready";
      this.playTimer = this.playing ? setTimeout(() => this.step(), PLAY_STEP_MS) : null;
    } catch (error) {
      if (error.name === "AbortError") return;
      this.pause();
      this.figure.dataset.state = "error";
      this.error.textContent = "The map for this month could not be loaded. Try again, or reload the page.";
      this.error.hidden = false;
    }
  }

  // Playing the months in turn --------------------------------------------------------------------

  play() {
    if (Number(this.range.value) >= Number(this.range.max)) this.range.value = this.range.min;
    this.playing = true;
    this.playButton.textContent = "Pause";
    this.monthChosen(true);
  }

  pause() {
    this.playing = false;
    clearTimeout(this.playTimer);
    this.playButton.textContent = "Play";
  }

  step() {
    if (!this.playing) return;
    if (Number(this.range.value) >= Number(this.range.max)) {
      this.pause();
      return;
    }
    this.range.value = String(Number(this.range.value) + 1);
    this.monthChosen(true);
    if (Number(this.range.value) >= Number(this.range.max)) this.pause();
  }

  // Drawing ---------------------------------------------------------------------------------------

  draw(payload) {
    const organisations = payload.nodes.filter((n) => n.kind === "organisation");
    const networks = payload.nodes.filter((n) => n.kind === "network");
    this.networkNames = new Map(networks.map((n) => [n.network, n.name]));
    this.nodes = new Map(organisations.map((n) => [n.id, n]));
    const positions = placeOrganisations(organisations, this.projection);
    const force = this.layout === "force";
    const parents = new Map(networks.map((n) => [n.network, n.id]));
    const grouped = new Set(organisations.map((n) => n.network).filter((code) => parents.has(code)));

    const elements = [];
    if (force) {
      for (const network of networks) {
        if (grouped.has(network.network)) {
          elements.push({ group: "nodes", data: { id: network.id, name: network.name }, classes: "network" });
        }
      }
    }
    for (const node of organisations) {
      const style = this.stages[stageKey(node.stage, this.stages)];
      elements.push({
        group: "nodes",
        data: {
          id: node.id,
          ods: node.ods,
          label: node.network ? `${node.ods}\n${node.network}` : node.ods,
          short: node.ods,
          fill: style.fill,
          stroke: style.stroke,
          parent: force && parents.has(node.network) ? parents.get(node.network) : undefined,
        },
        position: { ...positions.get(node.id) },
        classes: node.adopted ? "organisation adopted" : "organisation",
      });
    }
    for (const edge of payload.edges) {
      if (edge.kind === "membership" || !this.nodes.has(edge.source) || !this.nodes.has(edge.target)) continue;
      const style = this.links.kinds[edge.kind] ?? this.links.kinds.other;
      const classes = [];
      if (edge.status === "proposed") classes.push("proposed");
      else if (style.line === "dotted") classes.push("dotted");
      elements.push({
        group: "edges",
        data: {
          id: `${edge.source}|${edge.target}|${edge.kind}`,
          source: edge.source,
          target: edge.target,
          colour: style.colour,
          width: 1 + 0.75 * Math.min(Math.max(edge.weight ?? 1, 1), 5),
        },
        classes: classes.join(" "),
      });
    }

    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(elements);
    });
    if (force) {
      this.cy
        .layout({
          name: "cose",
          randomize: false, // start from the geographic places: the same data draws the same
          animate: false,
          fit: true,
          padding: 24,
          nodeDimensionsIncludeLabels: true,
          componentSpacing: 60,
          idealEdgeLength: () => 90,
          nodeRepulsion: () => 60000,
          numIter: 1500,
        })
        .run();
    }
    this.fit();
    this.updateTables(payload, organisations);
    this.writeState(payload, organisations);
    if (this.highlighted && this.nodes.has(this.highlighted)) this.show(this.highlighted, "keep");
  }

  // Geographic: the canvas covers the outline's SVG exactly, and model units are the SVG's user
  // units, so one zoom factor aligns the two. Force: fit the drawing to the box.
  fit() {
    if (!this.cy) return;
    this.cy.resize();
    if (this.layout === "force") {
      this.cy.fit(undefined, 24);
    } else {
      const zoom = this.canvas.clientWidth / this.projection.width;
      this.cy.viewport({ zoom, pan: { x: 0, y: 0 } });
      const narrow = this.canvas.clientWidth < NARROW_PX;
      if (zoom !== this.zoom || narrow !== this.narrow) {
        Object.assign(this, { zoom, narrow });
        this.cy.style(this.stylesheet());
      }
    }
    const label = this.cy.nodes(".organisation").first();
    if (label.nonempty()) this.figure.dataset.labelPx = String(parseFloat(label.renderedStyle("font-size")));
  }

  writeState(payload, organisations) {
    const colours = {};
    for (const node of organisations) colours[node.ods] = stageKey(node.stage, this.stages);
    const adopted = organisations.filter((n) => n.adopted).length;
    const month = this.monthFor(this.range.value);
    this.figure.dataset.nodeCount = String(this.cy.nodes(".organisation").length);
    this.figure.dataset.colours = JSON.stringify(colours);
    this.figure.dataset.drawnAsOf = payload.as_of;
    this.canvas.setAttribute(
      "aria-label",
      `Spread map for ${month.label}: ${adopted} of ${organisations.length} organisations have adopted. ` +
        "The tables after the map hold the same information.",
    );
    for (const date of document.querySelectorAll(".app-map-date")) date.textContent = this.longDate(payload.as_of);
  }

  longDate(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    return `${day} ${MONTHS[month - 1]} ${year}`;
  }

  announce(payload) {
    const organisations = payload.nodes.filter((n) => n.kind === "organisation");
    const adopted = organisations.filter((n) => n.adopted).length;
    const month = this.monthFor(this.range.value);
    this.announcer.textContent = `${month.label}: ${adopted} of ${organisations.length} organisations have adopted.`;
  }

  // The tables ------------------------------------------------------------------------------------

  updateTables(payload, organisations) {
    const rows = [...organisations].sort(byName).map((node) => this.organisationRow(node));
    if (rows.length === 0) {
      const row = el("tr", "nhsuk-table__row");
      const td = el("td", "nhsuk-table__cell", "No organisation was open on this date.");
      td.colSpan = 8;
      row.append(td);
      rows.push(row);
    }
    this.organisationRows.replaceChildren(...rows);

    const names = new Map(payload.nodes.map((n) => [n.id, n.name]));
    const links = payload.edges
      .filter((e) => e.kind !== "membership")
      .map((e) => ({ ...e, sourceName: names.get(e.source) ?? e.source, targetName: names.get(e.target) ?? e.target }))
      .sort((a, b) => {
        const ka = `${a.sourceName.toLowerCase()}\u0000${a.targetName.toLowerCase()}\u0000${a.kind}`;
        const kb = `${b.sourceName.toLowerCase()}\u0000${b.targetName.toLowerCase()}\u0000${b.kind}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    this.linkTable.querySelector("tbody").replaceChildren(...links.map((link) => this.linkRow(link)));
    this.linkTable.hidden = links.length === 0;
    this.noLinks.hidden = links.length > 0;
  }

  organisationRow(node) {
    const row = el("tr", "nhsuk-table__row");
    row.dataset.ods = node.ods;
    const key = stageKey(node.stage, this.stages);
    row.dataset.stage = key;
    const link = el("a", undefined, node.name);
    link.href = this.organisationUrl.replace(this.placeholder, encodeURIComponent(node.ods));
    row.append(
      cell("Organisation", link, ` (${node.ods})`),
      cell("Network", node.network ? this.networkNames.get(node.network) ?? node.network : "No network"),
      cell("Stage", tag(this.stages[key])),
      cell("Adopted", yesNo(node.adopted)),
      cell("Exposure", percent(node.exposure)),
      cell("Frontier", yesNo(node.frontier)),
      cell("Community", node.community === null || node.community === undefined ? "None" : String(node.community)),
      cell("Adopter category", categoryLabel(node.adopter_category)),
    );
    return row;
  }

  linkRow(link) {
    const row = el("tr", "nhsuk-table__row");
    const style = this.links.kinds[link.kind] ?? this.links.kinds.other;
    row.append(
      cell("Between", `${link.sourceName} (${link.source})`),
      cell("And", `${link.targetName} (${link.target})`),
      cell("Kind", style.label),
      cell("Strength", link.weight === null || link.weight === undefined ? "Not known" : String(link.weight)),
      cell("Status", link.status === "proposed" ? "Proposed" : "Confirmed"),
    );
    return row;
  }

  // The detail panel, and the node and row that go with it -----------------------------------------

  show(id, from) {
    const node = this.nodes.get(id);
    if (!node) return;
    this.unhighlight();
    this.highlighted = id;
    this.cy.$id(id).addClass("highlighted");
    const row = this.organisationRows.querySelector(`tr[data-ods="${CSS.escape(node.ods)}"]`);
    if (row) row.classList.add("app-map-table__row--highlighted");

    const key = stageKey(node.stage, this.stages);
    const name = el("p", "nhsuk-body nhsuk-u-margin-bottom-2");
    name.append(el("strong", undefined, `${node.name} (${node.ods})`));
    const list = el("dl", "app-map__facts nhsuk-body-s");
    const fact = (term, ...value) => {
      const dd = el("dd");
      dd.append(...value);
      list.append(el("dt", undefined, term), dd);
    };
    fact("Network", node.network ? this.networkNames.get(node.network) ?? node.network : "No network");
    fact("Stage", tag(this.stages[key]));
    fact("Adopted", yesNo(node.adopted));
    fact("Exposure", `${percent(node.exposure)} of its linked organisations (by strength) have adopted`);
    if (node.frontier) fact("Frontier", "Yes: not adopted, but linked to an organisation that has");
    const hint = el(
      "p",
      "nhsuk-body-s nhsuk-u-margin-bottom-0",
      from === "map" ? "Select the circle to open the organisation's page." : "",
    );
    this.detail.replaceChildren(name, list, ...(hint.textContent ? [hint] : []));
  }

  unhighlight() {
    if (!this.highlighted) return;
    this.cy.$id(this.highlighted).removeClass("highlighted");
    for (const row of this.organisationRows.querySelectorAll(".app-map-table__row--highlighted")) {
      row.classList.remove("app-map-table__row--highlighted");
    }
    this.highlighted = null;
  }
}

const figure = document.getElementById("spread-map");
if (figure) new SpreadMap(figure).start();
