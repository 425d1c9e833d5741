// The spread map (templates/maps/spread_map.html): draws the network with Cytoscape.js, over the
// outline of the south of England or laid out by its links, and plays it month by month.
//
// Everything it draws comes from the server (tracker/maps/timeline.py), read once from the
// figure's data-timeline-url: every organisation of the timeline placed (x, y) with its label and
// its stage month by month (one letter a month: the stages' list gives each letter's colours and
// words, upper case when adopted, "." when not open), every learning link with its look and the
// months it is drawn. It computes no position and words no stage of its own: it draws, shows a
// month, and answers the pointer and the keyboard. The canvas is not accessible, so the tables after
// the map carry the same content (the server's, as of the page's day); this module keeps the stage
// and adoption of the rows shown in step with the month shown. After each draw it writes
// data-node-count (organisations drawn), data-colours (ODS code → stage), data-drawn-as-of,
// data-engaged (the ODS codes ringed as whom to engage next, in order) and data-label-px (the
// labels' size on screen, 0 without labels) on the figure, for tests and for anyone reading the
// page's state.
//
// Whom to engage next is as of the page's day only: the figure's data-engage lists the picks (ODS
// code, rank); they are ringed and numbered whenever the page's own day is drawn, and on no other month.
//
// The CSP allows no inline script or style: Cytoscape styles its elements through the CSSOM
// (allowed), and the one <style> element it would inject is pre-empted below.
import cytoscape from "./vendor/cytoscape/cytoscape.esm.min.js";

const PLAY_STEP_MS = 900;
const FONT = "Arial, sans-serif";
// On the geographic map, labels and circles keep this size on screen however narrow the map is
// drawn (at a desktop width they are drawn at least this size anyway); below NARROW_PX wide, labels
// carry the ODS code only (the network is in the tables and the details).
const LABEL_PX = 12;
const CIRCLE_PX = 12;
const NARROW_PX = 600; // the NHS.UK frontend's fallback stack, as the page uses
// More organisations than this and no label is drawn: thousands of codes would only overlap (the
// details, on pointing or from the table, name each one).
const MOST_LABELS = 150;
const NOT_OPEN = ".";

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

function tag(stage) {
  return el("strong", `nhsuk-tag nhsuk-tag--${stage.tag}`, stage.label);
}

// The map -----------------------------------------------------------------------------------------

class SpreadMap {
  constructor(figure) {
    this.figure = figure;
    this.layout = figure.dataset.layout;
    this.pageDay = figure.dataset.asOf;
    this.engage = new Map(JSON.parse(figure.dataset.engage || "[]").map((pick) => [pick.ods, pick.rank]));
    this.timelineUrl = figure.dataset.timelineUrl;
    this.outlineUrl = figure.dataset.outlineUrl;
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

    this.data = null; // the timeline, once read
    this.byOds = new Map(); // ODS code → its organisation in the timeline
    this.month = null; // the index of the month drawn
    this.playTimer = null;
    this.playing = false;
    this.highlighted = null;
  }

  async start() {
    this.live.hidden = false;
    this.figure.classList.add("app-map--live");
    this.figure.dataset.state = "loading";
    if (this.layout !== "force") {
      const outline = el("img", "app-map__outline");
      outline.alt = ""; // decoration: the canvas is labelled, and the tables carry the content
      outline.src = this.outlineUrl;
      this.canvas.before(outline);
    }
    try {
      const response = await fetch(this.timelineUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`The map's timeline answered ${response.status}`);
      this.data = await response.json();
    } catch (error) {
      this.figure.dataset.state = "error";
      this.error.textContent = "The live map could not be loaded. Reload the page to try again: the tables below are complete.";
      this.error.hidden = false;
      return;
    }
    this.byOds = new Map(this.data.organisations.map((organisation) => [organisation.ods, organisation]));
    this.labels = this.data.organisations.length <= MOST_LABELS;
    this.build();
    this.range.disabled = false;
    this.playButton.disabled = false;
    this.range.addEventListener("input", () => this.monthChosen());
    this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    for (const type of ["focusin", "mouseover"]) {
      this.organisationRows.addEventListener(type, (event) => {
        const row = event.target.closest("tr[data-ods]");
        if (row) this.show(row.dataset.ods, "table");
      });
    }
    this.organisationRows.addEventListener("focusout", () => this.unhighlight());
    this.organisationRows.addEventListener("mouseleave", () => this.unhighlight());
    this.showMonth(Number(this.range.value), false);
  }

  build() {
    preemptCytoscapeStylesheet();
    const data = this.data;
    const elements = data.groups.map((group) => ({
      group: "nodes",
      data: { id: group.id, name: group.name },
      classes: "network",
    }));
    for (const organisation of data.organisations) {
      const rank = this.engage.get(organisation.ods);
      const number = rank === undefined ? "" : `${rank}: `; // the rank, before the ODS code
      const network = data.networks[organisation.network];
      elements.push({
        group: "nodes",
        data: {
          id: organisation.ods,
          ods: organisation.ods,
          label: number + organisation.ods + (network ? `\n${network.code}` : ""),
          short: number + organisation.ods,
          fill: "#ffffff",
          stroke: "#212b32",
          parent: organisation.group,
        },
        position: { x: organisation.x, y: organisation.y },
        classes: "organisation",
      });
    }
    // A link is [source, target, look, first month drawn, last month drawn] (organisations and looks by place).
    data.links.forEach(([source, target, look, first, last], k) => {
      const style = data.looks[look];
      elements.push({
        group: "edges",
        data: {
          id: `link-${k}`,
          source: data.organisations[source].ods,
          target: data.organisations[target].ods,
          colour: style.colour,
          width: style.width,
          first,
          last,
        },
        classes: style.line === "dashed" ? "proposed" : style.line === "dotted" ? "dotted" : "",
      });
    });
    this.cy = cytoscape({
      container: this.canvas,
      elements,
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
      this.show(event.target.data("ods"), "map");
    });
    this.cy.on("mouseout", "node.organisation", () => {
      this.canvas.classList.remove("app-map__canvas--pointer");
      this.unhighlight();
    });
    this.cy.on("tap", "node.organisation", (event) => {
      window.location.assign(this.organisationUrl.replace(this.placeholder, encodeURIComponent(event.target.data("ods"))));
    });
    new ResizeObserver(() => this.fit()).observe(this.canvas);
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
          label: !this.labels ? "" : this.narrow && this.layout !== "force" ? "data(short)" : "data(label)",
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
          label: this.labels && !(this.narrow && this.layout !== "force") ? "data(label)" : "data(short)",
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
      { selector: ".off", style: { display: "none" } },
      { selector: "edge.proposed", style: { "line-style": "dashed", "line-dash-pattern": [7, 4] } },
    ];
  }

  // The months ------------------------------------------------------------------------------------

  monthChosen() {
    this.showMonth(Number(this.range.value), true);
  }

  play() {
    if (Number(this.range.value) >= Number(this.range.max)) this.range.value = this.range.min;
    this.playing = true;
    this.playButton.textContent = "Pause";
    this.monthChosen();
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
    this.monthChosen();
    if (Number(this.range.value) >= Number(this.range.max)) this.pause();
  }

  // Drawing a month ---------------------------------------------------------------------------------

  stageOf(organisation, month) {
    const letter = organisation.states[month];
    if (letter === NOT_OPEN) return null;
    const lower = letter.toLowerCase();
    return { ...this.data.stages[lower.charCodeAt(0) - 97], adopted: letter !== lower };
  }

  showMonth(month, announce) {
    clearTimeout(this.playTimer);
    const data = this.data;
    const info = data.months[month];
    this.month = month;
    this.monthOutput.textContent = info.label;
    this.range.setAttribute("aria-valuetext", info.label);
    const engage = info.as_of === this.pageDay ? this.engage : new Map();
    let open = 0;
    let adopted = 0;
    this.cy.batch(() => {
      data.organisations.forEach((organisation) => {
        const node = this.cy.getElementById(organisation.ods);
        const stage = this.stageOf(organisation, month);
        if (stage === null) {
          node.addClass("off");
          return;
        }
        open += 1;
        if (stage.adopted) adopted += 1;
        node.data({ fill: stage.fill, stroke: stage.stroke });
        node.removeClass("off");
        node.toggleClass("adopted", stage.adopted);
        node.toggleClass("engage", engage.has(organisation.ods));
      });
      this.cy.edges().forEach((edge) => {
        edge.toggleClass("off", month < edge.data("first") || month > edge.data("last"));
      });
    });
    this.counts = { open, adopted };
    this.fit();
    this.updateTables(month);
    this.writeState(month);
    this.error.hidden = true;
    if (announce) this.announcer.textContent = `${info.label}: ${adopted} of ${open} organisations have adopted.`;
    if (this.highlighted) this.show(this.highlighted, "keep");
    this.figure.dataset.state = "ready";
    this.playTimer = this.playing ? setTimeout(() => this.step(), PLAY_STEP_MS) : null;
  }

  // Geographic: the canvas covers the outline's image exactly, and model units are the SVG's user
  // units, so one zoom factor aligns the two. Force: fit the drawing to the box.
  fit() {
    if (!this.cy) return;
    this.cy.resize();
    if (this.layout === "force") {
      this.cy.fit(this.cy.nodes(":visible"), 24);
    } else {
      const zoom = this.canvas.clientWidth / this.data.width;
      this.cy.viewport({ zoom, pan: { x: 0, y: 0 } });
      const narrow = this.canvas.clientWidth < NARROW_PX;
      if (zoom !== this.zoom || narrow !== this.narrow) {
        Object.assign(this, { zoom, narrow });
        this.cy.style(this.stylesheet());
      }
    }
    const label = this.cy.nodes(".organisation").first();
    const px = this.labels && label.nonempty() ? parseFloat(label.renderedStyle("font-size")) : 0;
    this.figure.dataset.labelPx = String(px);
  }

  writeState(month) {
    const colours = {};
    for (const organisation of this.data.organisations) {
      const stage = this.stageOf(organisation, month);
      if (stage) colours[organisation.ods] = stage.key;
    }
    const info = this.data.months[month];
    this.figure.dataset.nodeCount = String(this.cy.nodes(".organisation").not(".off").length);
    this.figure.dataset.colours = JSON.stringify(colours);
    this.figure.dataset.drawnAsOf = info.as_of;
    this.figure.dataset.engaged = JSON.stringify(
      this.cy
        .nodes(".engage")
        .map((node) => [this.engage.get(node.data("ods")), node.data("ods")])
        .sort((a, b) => a[0] - b[0])
        .map(([, ods]) => ods),
    );
    this.canvas.setAttribute(
      "aria-label",
      `Spread map for ${info.label}: ${this.counts.adopted} of ${this.counts.open} organisations have adopted. ` +
        "The tables after the map hold the same information.",
    );
  }

  // The tables: the stage and adoption of the rows shown, as of the month shown ---------------------

  updateTables(month) {
    for (const date of document.querySelectorAll(".app-map-date")) date.textContent = this.data.months[month].date;
    for (const row of this.organisationRows.querySelectorAll("tr[data-ods]")) {
      const organisation = this.byOds.get(row.dataset.ods);
      const stage = organisation && this.stageOf(organisation, month);
      const stageCell = row.querySelector(".app-map-stage .nhsuk-tag");
      const adoptedCell = row.querySelector(".app-map-adopted .app-table__content");
      if (!stageCell || !adoptedCell) continue;
      if (stage) {
        row.dataset.stage = stage.key;
        stageCell.className = `nhsuk-tag nhsuk-tag--${stage.tag}`;
        stageCell.textContent = stage.label;
        adoptedCell.textContent = yesNo(stage.adopted);
      } else {
        row.dataset.stage = "closed";
        stageCell.className = "nhsuk-tag nhsuk-tag--grey";
        stageCell.textContent = "Not open then";
        adoptedCell.textContent = "No";
      }
    }
  }

  // The detail panel, and the node and row that go with it -----------------------------------------

  show(ods, from) {
    const organisation = this.byOds.get(ods);
    const stage = organisation && this.stageOf(organisation, this.month);
    if (!stage) return;
    this.unhighlight();
    this.highlighted = ods;
    this.cy.getElementById(organisation.ods).addClass("highlighted");
    const tr = this.organisationRows.querySelector(`tr[data-ods="${CSS.escape(ods)}"]`);
    if (tr) tr.classList.add("app-map-table__row--highlighted");

    const name = el("p", "nhsuk-body nhsuk-u-margin-bottom-2");
    name.append(el("strong", undefined, `${organisation.name} (${organisation.ods})`));
    const list = el("dl", "app-map__facts nhsuk-body-s");
    const fact = (term, ...value) => {
      const dd = el("dd");
      dd.append(...value);
      list.append(el("dt", undefined, term), dd);
    };
    const info = this.data.months[this.month];
    fact("Network", this.data.networks[organisation.network]?.name ?? "No network");
    fact("Stage", tag(stage), ` (${info.label})`);
    fact("Adopted", yesNo(stage.adopted));
    if (organisation.exposure !== undefined) {
      fact("Exposure", `${organisation.exposure} of its linked organisations (by strength) had adopted on ${this.data.months.at(-1).date}`);
    }
    if (organisation.frontier) fact("Frontier", `Yes, on ${this.data.months.at(-1).date}: not adopted, but linked to an organisation that has`);
    const hint = el(
      "p",
      "nhsuk-body-s nhsuk-u-margin-bottom-0",
      from === "map" ? "Select the circle to open the organisation's page." : "",
    );
    this.detail.replaceChildren(name, list, ...(hint.textContent ? [hint] : []));
  }

  unhighlight() {
    if (!this.highlighted) return;
    const organisation = this.byOds.get(this.highlighted);
    if (organisation) this.cy.getElementById(organisation.ods).removeClass("highlighted");
    for (const row of this.organisationRows.querySelectorAll(".app-map-table__row--highlighted")) {
      row.classList.remove("app-map-table__row--highlighted");
    }
    this.highlighted = null;
  }
}

const figure = document.getElementById("spread-map");
if (figure) new SpreadMap(figure).start();
