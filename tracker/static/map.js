// The spread map (templates/maps/spread_map.html): draws the network with Cytoscape.js, over the
// outline of the south of England or laid out by its links, and moves it month by month.
//
// Everything it draws comes from the server (tracker/maps/frames.py): the page's data-frame is the
// map as of the page's day, with every organisation already placed (x, y), coloured and labelled,
// every link styled and the tables' rows worded; data-months is the timeline; for another month it
// asks data-month-url for that month's frame. It computes no position and words no row of its
// own: it draws, animates, and answers the pointer and the keyboard. The canvas is not accessible,
// so the tables after the map carry the same content, and this module keeps them in step with the
// month shown. After each draw it writes data-node-count (organisations drawn), data-colours (ODS
// code → stage), data-drawn-as-of, data-engaged (the ODS codes ringed as whom to engage next, in
// order) and data-label-px (the labels' size on screen) on the figure, for tests and for anyone
// reading the page's state.
//
// Whom to engage next is as of the page's day only: the page's frame lists the picks (id, ODS code,
// rank); they are ringed and numbered whenever the page's own day is drawn, and on no other month.
//
// The CSP allows no inline script or style: Cytoscape styles its elements through the CSSOM
// (allowed), and the one <style> element it would inject is pre-empted below.
import cytoscape from "./vendor/cytoscape/cytoscape.esm.min.js";

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

function yesNo(value) {
  return value ? "Yes" : "No";
}

// DOM helpers (textContent only: nothing the server sends is parsed as HTML) -------------------------

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

function tag(row) {
  return el("strong", `nhsuk-tag nhsuk-tag--${row.stage_tag}`, row.stage_label);
}

// The map -----------------------------------------------------------------------------------------

class SpreadMap {
  constructor(figure) {
    this.figure = figure;
    this.layout = figure.dataset.layout;
    this.frame = readJson(figure, "frame");
    this.engageAsOf = this.frame.as_of;
    this.engage = new Map((this.frame.engage ?? []).map((pick) => [pick.id, pick.rank]));
    this.months = readJson(figure, "months");
    this.monthUrl = figure.dataset.monthUrl;
    this.organisationUrl = figure.dataset.organisationUrl;
    this.placeholder = figure.dataset.organisationPlaceholder;

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

    this.marks = new Map(); // id → the organisation as drawn, for the month drawn
    this.rows = new Map(); // ODS code → its row in the table
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

    this.showFrame(this.frame, false);
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
      const drawnLive = ".app-map-links, .app-map-nodes, .app-map-labels, .app-map-engaged, title, desc";
      for (const part of background.querySelectorAll(drawnLive)) {
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
        // Whom to engage next: a double ring outside the circle, and the rank before the label (not colour alone).
        selector: "node.organisation.engage",
        style: {
          "outline-color": "#212b32",
          "outline-width": size(5, 5),
          "outline-offset": size(2, 2),
          "outline-style": "double",
          "font-size": size(11 * typeScale, LABEL_PX + 1),
          "z-index": 5,
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
    return this.months[Number(value)];
  }

  monthChosen(now) {
    const month = this.monthFor(this.range.value);
    this.monthOutput.textContent = month.label;
    this.range.setAttribute("aria-valuetext", month.label);
    clearTimeout(this.inputTimer);
    if (now) {
      this.load(month.as_of, true);
    } else {
      this.inputTimer = setTimeout(() => this.load(month.as_of, true), INPUT_DELAY_MS);
    }
  }

  async load(asOf, announce) {
    if (this.request) this.request.abort();
    const request = new AbortController();
    this.request = request;
    this.figure.dataset.state = "loading";
    const url = new URL(this.monthUrl, window.location.origin);
    url.searchParams.set("as_of", asOf);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: request.signal,
      });
      if (!response.ok) throw new Error(`The map for ${asOf} answered ${response.status}`);
      const frame = await response.json();
      if (request !== this.request) return; // a later month was asked for meanwhile
      this.showFrame(frame, announce);
    } catch (error) {
      if (error.name === "AbortError") return;
      this.pause();
      this.figure.dataset.state = "error";
      this.error.textContent = "The map for this month could not be loaded. Try again, or reload the page.";
      this.error.hidden = false;
    }
  }

  showFrame(frame, announce) {
    this.draw(frame);
    this.error.hidden = true;
    if (announce) this.announce(frame);
    this.figure.dataset.state = "ready";
    this.playTimer = this.playing ? setTimeout(() => this.step(), PLAY_STEP_MS) : null;
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

  draw(frame) {
    this.frame = frame;
    this.marks = new Map(frame.marks.map((mark) => [mark.id, mark]));
    this.rows = new Map(frame.organisations.map((row) => [row.ods, row]));
    const engage = frame.as_of === this.engageAsOf ? this.engage : new Map();
    const elements = frame.groups.map((group) => ({
      group: "nodes",
      data: { id: group.id, name: group.name },
      classes: "network",
    }));
    for (const mark of frame.marks) {
      const rank = engage.get(mark.id);
      const number = rank === undefined ? "" : `${rank}: `; // the rank, before the ODS code
      elements.push({
        group: "nodes",
        data: {
          id: mark.id,
          ods: mark.ods,
          label: number + mark.label.join("\n"),
          short: number + mark.label[0],
          fill: mark.fill,
          stroke: mark.stroke,
          parent: mark.group ?? undefined,
        },
        position: { x: mark.x, y: mark.y },
        classes: ["organisation", mark.adopted ? "adopted" : "", rank === undefined ? "" : "engage"].join(" ").trim(),
      });
    }
    for (const line of frame.lines) {
      elements.push({
        group: "edges",
        data: {
          id: `${line.source}|${line.target}|${line.kind}`,
          source: line.source,
          target: line.target,
          colour: line.colour,
          width: line.width,
        },
        classes: line.line === "dashed" ? "proposed" : line.line === "dotted" ? "dotted" : "",
      });
    }

    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(elements);
    });
    this.fit();
    this.updateTables(frame);
    this.writeState(frame);
    if (this.highlighted && this.marks.has(this.highlighted)) this.show(this.highlighted, "keep");
  }

  // Geographic: the canvas covers the outline's SVG exactly, and model units are the SVG's user
  // units, so one zoom factor aligns the two. Force: fit the drawing to the box.
  fit() {
    if (!this.cy) return;
    this.cy.resize();
    if (this.layout === "force") {
      this.cy.fit(undefined, 24);
    } else {
      const zoom = this.canvas.clientWidth / this.frame.width;
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

  writeState(frame) {
    const colours = {};
    for (const mark of frame.marks) colours[mark.ods] = mark.stage;
    const month = this.monthFor(this.range.value);
    this.figure.dataset.nodeCount = String(this.cy.nodes(".organisation").length);
    this.figure.dataset.colours = JSON.stringify(colours);
    this.figure.dataset.drawnAsOf = frame.as_of;
    this.figure.dataset.engaged = JSON.stringify(
      this.cy
        .nodes(".engage")
        .map((node) => [this.engage.get(node.id()), node.data("ods")])
        .sort((a, b) => a[0] - b[0])
        .map(([, ods]) => ods),
    );
    this.canvas.setAttribute(
      "aria-label",
      `Spread map for ${month.label}: ${frame.adopted} of ${frame.marks.length} organisations have adopted. ` +
        "The tables after the map hold the same information.",
    );
    for (const date of document.querySelectorAll(".app-map-date")) date.textContent = frame.date;
  }

  announce(frame) {
    const month = this.monthFor(this.range.value);
    this.announcer.textContent = `${month.label}: ${frame.adopted} of ${frame.marks.length} organisations have adopted.`;
  }

  // The tables ------------------------------------------------------------------------------------

  updateTables(frame) {
    const rows = frame.organisations.map((row) => this.organisationRow(row));
    if (rows.length === 0) {
      const row = el("tr", "nhsuk-table__row");
      const td = el("td", "nhsuk-table__cell", "No organisation was open on this date.");
      td.colSpan = 8;
      row.append(td);
      rows.push(row);
    }
    this.organisationRows.replaceChildren(...rows);
    this.linkTable.querySelector("tbody").replaceChildren(...frame.links.map((link) => this.linkRow(link)));
    this.linkTable.hidden = frame.links.length === 0;
    this.noLinks.hidden = frame.links.length > 0;
  }

  organisationRow(row) {
    const tr = el("tr", "nhsuk-table__row");
    tr.dataset.ods = row.ods;
    tr.dataset.stage = row.stage;
    const link = el("a", undefined, row.name);
    link.href = this.organisationUrl.replace(this.placeholder, encodeURIComponent(row.ods));
    tr.append(
      cell("Organisation", link, ` (${row.ods})`),
      cell("Network", row.network),
      cell("Stage", tag(row)),
      cell("Adopted", yesNo(row.adopted)),
      cell("Exposure", row.exposure),
      cell("Frontier", yesNo(row.frontier)),
      cell("Community", row.community),
      cell("Adopter category", row.category),
    );
    return tr;
  }

  linkRow(link) {
    const tr = el("tr", "nhsuk-table__row");
    tr.append(
      cell("Between", `${link.source_name} (${link.source})`),
      cell("And", `${link.target_name} (${link.target})`),
      cell("Kind", link.kind_label),
      cell("Strength", link.weight === null || link.weight === undefined ? "Not known" : String(link.weight)),
      cell("Status", link.proposed ? "Proposed" : "Confirmed"),
    );
    return tr;
  }

  // The detail panel, and the node and row that go with it -----------------------------------------

  show(id, from) {
    const mark = this.marks.get(id);
    const row = mark && this.rows.get(mark.ods);
    if (!row) return;
    this.unhighlight();
    this.highlighted = id;
    this.cy.$id(id).addClass("highlighted");
    const tr = this.organisationRows.querySelector(`tr[data-ods="${CSS.escape(row.ods)}"]`);
    if (tr) tr.classList.add("app-map-table__row--highlighted");

    const name = el("p", "nhsuk-body nhsuk-u-margin-bottom-2");
    name.append(el("strong", undefined, `${row.name} (${row.ods})`));
    const list = el("dl", "app-map__facts nhsuk-body-s");
    const fact = (term, ...value) => {
      const dd = el("dd");
      dd.append(...value);
      list.append(el("dt", undefined, term), dd);
    };
    fact("Network", row.network);
    fact("Stage", tag(row));
    fact("Adopted", yesNo(row.adopted));
    fact("Exposure", `${row.exposure} of its linked organisations (by strength) have adopted`);
    if (row.frontier) fact("Frontier", "Yes: not adopted, but linked to an organisation that has");
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
