// indgraph viz: draws the embedded graph with Cytoscape.js and exposes window.indgraph for tests and scripts.
// All data is put into the page with textContent / DOM nodes, never as HTML, so names cannot inject markup.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("indgraph-data").textContent);
  var markReady;
  var api = {
    ready: new Promise(function (resolve) { markReady = resolve; }),
    isReady: false,
    error: null,
  };
  window.indgraph = api;

  // Legend swatches: CSS polygons approximating Cytoscape's node shapes.
  var CLIP = {
    star: "polygon(50% 0,61% 35%,98% 35%,68% 57%,79% 91%,50% 70%,21% 91%,32% 57%,2% 35%,39% 35%)",
    octagon: "polygon(30% 0,70% 0,100% 30%,100% 70%,70% 100%,30% 100%,0 70%,0 30%)",
    hexagon: "polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)",
    pentagon: "polygon(50% 0,100% 38%,82% 100%,18% 100%,0 38%)",
    diamond: "polygon(50% 0,100% 50%,50% 100%,0 50%)",
    triangle: "polygon(50% 0,100% 100%,0 100%)",
    vee: "polygon(0 0,50% 40%,100% 0,50% 100%)",
    "cut-rectangle": "polygon(25% 0,75% 0,100% 25%,100% 75%,75% 100%,25% 100%,0 75%,0 25%)",
  };
  var RADIUS = { ellipse: "50%", "round-rectangle": "4px" };
  // Caption sides chosen in Python (clear of links and nodes): Cytoscape's valign, halign and margins.
  var SIDES = { below: ["bottom", "center", 0, 4], above: ["top", "center", 0, -4], right: ["center", "right", 4, 0],
    left: ["center", "left", -4, 0] };
  var SKIP_ATTRS = { id: 1, type: 1, name: 1, name_zh: 1, aliases: 1, sources: 1, x: 1, y: 1, label: 1 };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function nodeStyleOf(t) { return DATA.styles.nodes[t] || DATA.styles.unknownNode; }
  function edgeStyleOf(t) { return DATA.styles.edges[t] || DATA.styles.unknownEdge; }
  function labelOf(n, lang) { return (lang === "zh" && n.name_zh) || n.name || n.id; }
  function fold(s) { return String(s || "").normalize("NFKC").toLocaleLowerCase(); }
  function show(v) { return typeof v === "object" ? JSON.stringify(v) : String(v); }

  // ---- elements and style -------------------------------------------------------------------------------------
  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  var elements = DATA.nodes.map(function (n) {
    var side = SIDES[n.side] || SIDES.below;
    return {
      group: "nodes",
      data: { id: n.id, type: n.type, label: labelOf(n, DATA.labels), valign: side[0], halign: side[1], mx: side[2], my: side[3] },
      position: { x: n.x, y: n.y },
    };
  }).concat(DATA.edges.map(function (e) {
    return { group: "edges", data: { id: e.id, source: e.source, target: e.target, type: e.type } };
  }));

  var style = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 11, "text-valign": "data(valign)", "text-halign": "data(halign)",
      "text-margin-x": "data(mx)", "text-margin-y": "data(my)",
      "text-wrap": "wrap", "text-max-width": 150, "text-outline-color": "#ffffff", "text-outline-width": 2,
      "color": "#212529", "border-width": 1.5, "border-color": "#ffffff", "min-zoomed-font-size": 6,
    } },
    { selector: "edge", style: { "curve-style": "bezier", "arrow-scale": 0.9, "opacity": 0.9 } },
  ];
  Object.keys(DATA.styles.nodes).forEach(function (t) {
    var s = DATA.styles.nodes[t];
    style.push({ selector: 'node[type = "' + t + '"]', style: {
      "background-color": s.color, "shape": s.shape, "width": s.size, "height": s.size } });
  });
  Object.keys(DATA.styles.edges).forEach(function (t) {
    var s = DATA.styles.edges[t];
    style.push({ selector: 'edge[type = "' + t + '"]', style: {
      "line-color": s.color, "target-arrow-color": s.color, "line-style": s.dash, "width": s.width,
      "target-arrow-shape": s.arrow ? "triangle" : "none" } });
  });
  style.push(
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#212529" } },
    { selector: "edge:selected", style: { "width": 5, "opacity": 1 } },
    { selector: ".found", style: { "border-width": 5, "border-color": "#fa5252", "z-index": 99, "font-weight": "bold" } },
    { selector: ".faded", style: { "opacity": 0.15, "text-opacity": 0.3 } },
    { selector: ".hidden", style: { "display": "none" } }
  );

  var cy;
  try {
    cy = cytoscape({
      container: document.getElementById("cy"), elements: elements, style: style,
      layout: { name: "preset", fit: true, padding: 40 }, minZoom: 0.05, maxZoom: 5, wheelSensitivity: 0.4,
    });
  } catch (exc) {
    api.error = String(exc);
    document.getElementById("cy").textContent = "Could not draw the graph: " + exc;
    throw exc;
  }
  document.getElementById("counts").textContent =
    DATA.nodes.length + " entities · " + DATA.edges.length + " relations";

  // ---- legend -------------------------------------------------------------------------------------------------
  function countBy(list) {
    var c = {};
    list.forEach(function (x) { c[x.type] = (c[x.type] || 0) + 1; });
    return c;
  }
  function legendRow(list, type, swatch, count, group) {
    var li = el("li");
    li.appendChild(swatch);
    li.appendChild(el("span", type));
    li.appendChild(el("span", count, "n"));
    li.title = "hide or show " + type;
    li.addEventListener("click", function () {
      var off = li.classList.toggle("off");
      var sel = cy.elements(group + '[type = "' + type + '"]');
      if (off) sel.addClass("hidden"); else sel.removeClass("hidden");
    });
    list.appendChild(li);
  }
  var nodeCounts = countBy(DATA.nodes), edgeCounts = countBy(DATA.edges);
  DATA.order.nodes.forEach(function (t) {
    if (!nodeCounts[t]) return;
    var s = nodeStyleOf(t), sw = el("span", null, "swatch");
    sw.style.background = s.color;
    if (CLIP[s.shape]) sw.style.clipPath = CLIP[s.shape];
    sw.style.borderRadius = RADIUS[s.shape] || "0";
    legendRow(document.getElementById("legend-nodes"), t, sw, nodeCounts[t], "node");
  });
  DATA.order.edges.forEach(function (t) {
    if (!edgeCounts[t]) return;
    var s = edgeStyleOf(t), sw = el("span", null, "line");
    sw.style.borderTopStyle = s.dash;
    sw.style.borderTopColor = s.color;
    sw.style.borderTopWidth = Math.max(2, Math.min(s.width, 4)) + "px";
    legendRow(document.getElementById("legend-edges"), t, sw, edgeCounts[t], "edge");
  });

  // ---- details panel and tooltip --------------------------------------------------------------------------------
  var edgesById = {};
  DATA.edges.forEach(function (e) { edgesById[e.id] = e; });

  function sourcesInto(box, sources) {
    (sources || []).forEach(function (s) {
      var q = el("blockquote", s.quote || "(no quote)");
      var how = s.support && s.support !== "stated" ? " (" + s.support + (s.reason ? ": " + s.reason : "") + ")" : "";
      q.appendChild(el("span", s.doc + how, "doc"));
      box.appendChild(q);
    });
  }
  function table(rows) {
    var t = el("table");
    rows.forEach(function (r) {
      if (r[1] === undefined || r[1] === null || r[1] === "" || (Array.isArray(r[1]) && !r[1].length)) return;
      var tr = el("tr");
      tr.appendChild(el("th", r[0]));
      tr.appendChild(el("td", Array.isArray(r[1]) ? r[1].join(", ") : show(r[1])));
      t.appendChild(tr);
    });
    return t;
  }
  function typeBadge(t, s) {
    var b = el("span", t, "type");
    b.style.background = s.color;
    b.style.color = s.text || "#000";
    return b;
  }
  function showNode(id) {
    var n = byId[id], box = document.getElementById("details-body");
    box.replaceChildren();
    box.appendChild(el("h3", n.name));
    box.appendChild(typeBadge(n.type, nodeStyleOf(n.type)));
    var rows = [["中文名", n.name_zh], ["aliases", n.aliases], ["id", n.id]];
    Object.keys(n.attrs || {}).sort().forEach(function (k) { if (!SKIP_ATTRS[k]) rows.push([k, n.attrs[k]]); });
    box.appendChild(table(rows));
    if ((n.sources || []).length) box.appendChild(el("h2", "Sources"));
    sourcesInto(box, n.sources);
  }
  function showEdge(id) {
    var e = edgesById[id], box = document.getElementById("details-body");
    box.replaceChildren();
    box.appendChild(el("h3", labelOf(byId[e.source] || { id: e.source }, "en") + " → " +
      labelOf(byId[e.target] || { id: e.target }, "en")));
    var s = edgeStyleOf(e.type), badge = typeBadge(e.type, { color: s.color, text: "#fff" });
    box.appendChild(badge);
    box.appendChild(table([["role", e.role], ["chain", e.chain], ["weight", e.weight], ["since", e.since_year],
      ["from", e.source], ["to", e.target]]));
    if ((e.sources || []).length) box.appendChild(el("h2", "Evidence"));
    sourcesInto(box, e.sources);
  }

  var tip = document.getElementById("tip");
  function tipFor(target) {
    tip.replaceChildren();
    if (target.isNode()) {
      var n = byId[target.id()];
      tip.appendChild(el("b", n.name + (n.name_zh ? " · " + n.name_zh : "")));
      tip.appendChild(el("span", n.type));
    } else {
      var e = edgesById[target.id()];
      tip.appendChild(el("b", e.type + (e.chain ? " (" + e.chain + ")" : "")));
      tip.appendChild(el("span", labelOf(byId[e.source] || { id: e.source }, DATA.labels) + " → " +
        labelOf(byId[e.target] || { id: e.target }, DATA.labels)));
      if (e.role) tip.appendChild(el("span", " — " + e.role));
      (e.sources || []).slice(0, 2).forEach(function (s) { if (s.quote) tip.appendChild(el("q", s.quote)); });
    }
  }
  var pinned = null;
  cy.on("mouseover", "node, edge", function (evt) {
    tipFor(evt.target);
    tip.hidden = false;
    if (!pinned) (evt.target.isNode() ? showNode : showEdge)(evt.target.id());
  });
  cy.on("mousemove", function (evt) {
    var oe = evt.originalEvent;
    if (!oe || tip.hidden) return;
    var x = oe.clientX + 14, y = oe.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth) x = oe.clientX - tip.offsetWidth - 14;
    if (y + tip.offsetHeight > window.innerHeight) y = oe.clientY - tip.offsetHeight - 14;
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  cy.on("mouseout", "node, edge", function () { tip.hidden = true; });
  cy.on("tap", "node, edge", function (evt) {
    pinned = evt.target.id();
    (evt.target.isNode() ? showNode : showEdge)(pinned);
  });
  cy.on("tap", function (evt) {
    if (evt.target === cy) { pinned = null; cy.elements().removeClass("faded found"); }
  });

  // ---- search -----------------------------------------------------------------------------------------------------
  var names = document.getElementById("names"), seenNames = {};
  DATA.nodes.forEach(function (n) {
    [n.name, n.name_zh].forEach(function (s) {
      if (s && !seenNames[s]) { seenNames[s] = 1; var o = el("option"); o.value = s; names.appendChild(o); }
    });
  });
  function find(query) {
    var q = fold(query).trim();
    if (!q) return null;
    var exact = null, partial = null;
    DATA.nodes.forEach(function (n) {
      var keys = [n.id, n.name, n.name_zh].concat(n.aliases || []).filter(Boolean).map(fold);
      if (!exact && keys.indexOf(q) >= 0) exact = n.id;
      if (!partial && keys.some(function (k) { return k.indexOf(q) >= 0; })) partial = n.id;
    });
    return exact || partial;
  }
  function search(query) {
    var id = find(query), msg = document.getElementById("found");
    cy.elements().removeClass("faded found");
    if (!id) {
      msg.textContent = "not found";
      msg.className = "miss";
      return null;
    }
    var node = cy.getElementById(id);
    node.removeClass("hidden");
    cy.elements().not(node.closedNeighborhood()).addClass("faded");
    node.addClass("found");
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 300 });
    pinned = id;
    showNode(id);
    msg.textContent = labelOf(byId[id], DATA.labels);
    msg.className = "";
    return id;
  }
  document.getElementById("find").addEventListener("submit", function (ev) {
    ev.preventDefault();
    search(document.getElementById("search").value);
  });

  // ---- toolbar ----------------------------------------------------------------------------------------------------
  document.getElementById("fit").addEventListener("click", function () { cy.animate({ fit: { padding: 40 } }); });
  document.getElementById("relayout").addEventListener("click", function () {
    cy.layout({ name: "cose", animate: "end", randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90,
      padding: 40 }).run();
  });
  var lang = document.getElementById("lang");
  lang.value = DATA.labels;
  lang.addEventListener("change", function () {
    DATA.labels = lang.value;
    cy.batch(function () {
      cy.nodes().forEach(function (n) { n.data("label", labelOf(byId[n.id()], lang.value)); });
    });
  });

  // ---- page API ---------------------------------------------------------------------------------------------------
  // "Drawn" = shown and inside the visible part of the canvas after the initial fit.
  function inView(ele) {
    var ext = cy.extent(), bb = ele.boundingBox();
    return ele.visible() && bb.x2 >= ext.x1 && bb.x1 <= ext.x2 && bb.y2 >= ext.y1 && bb.y1 <= ext.y2;
  }
  api.cy = cy;
  api.nodeCount = function () { return cy.nodes().filter(inView).length; };
  api.edgeCount = function () { return cy.edges().filter(inView).length; };
  api.search = search;
  api.find = find;
  api.data = DATA;
  function drawn() {
    // a small graph fitted to the window would be drawn huge: cap the first zoom
    if (cy.zoom() > 1.2) {
      cy.zoom(1.2);
      cy.center();
    }
    // two frames: the first paints the canvas, the second runs after it is on screen
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        api.isReady = true;
        document.body.setAttribute("data-ready", "true");
        markReady({ nodes: api.nodeCount(), edges: api.edgeCount() });
      });
    });
  }
  cy.ready(drawn);
})();
