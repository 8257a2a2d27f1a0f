// The chain map: draws the arrows between the step boxes and shows a step's evidence on click.
// Every name is set with textContent (never parsed as HTML).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chainmap-data").textContent);
  const ui = data.ui;
  const svgNS = "http://www.w3.org/2000/svg";
  const map = document.getElementById("map");
  const svg = document.getElementById("arrows");
  const body = document.getElementById("details-body");

  function box(id) { return document.getElementById("step-" + id); }

  function drawArrows() {
    svg.querySelectorAll("path.arrow").forEach(p => p.remove());
    const origin = map.getBoundingClientRect();
    const dx = map.scrollLeft - origin.left, dy = map.scrollTop - origin.top;
    svg.setAttribute("width", map.scrollWidth);
    svg.setAttribute("height", map.scrollHeight);
    for (const [from, to] of data.arrows) {
      const a = box(from).getBoundingClientRect(), b = box(to).getBoundingClientRect();
      // from the right of the upstream box to the left of the downstream one, near their tops
      const x1 = a.right + dx, y1 = a.top + dy + Math.min(a.height / 2, 40);
      const x2 = b.left + dx - 2, y2 = b.top + dy + Math.min(b.height / 2, 40);
      const mid = (x1 + x2) / 2;
      const p = document.createElementNS(svgNS, "path");
      p.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
      p.setAttribute("class", "arrow");
      p.setAttribute("marker-end", "url(#head)");
      p.dataset.from = from;
      p.dataset.to = to;
      svg.appendChild(p);
    }
    return svg.querySelectorAll("path.arrow").length;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function table(head, rows, numeric) {
    const t = el("table"), tr = el("tr");
    head.forEach((h, i) => tr.appendChild(el("th", h, numeric.includes(i) ? "num" : "")));
    t.appendChild(tr);
    for (const r of rows) {
      const row = el("tr");
      r.forEach((v, i) => row.appendChild(el("td", v === null || v === undefined ? "–" : v, numeric.includes(i) ? "num" : "")));
      t.appendChild(row);
    }
    return t;
  }

  function num(x) { return x === null || x === undefined ? null : Number(x).toFixed(2); }

  function select(id) {
    const s = data.steps[id];
    if (!s) return false;
    document.querySelectorAll(".step").forEach(b => {
      b.classList.toggle("selected", b.dataset.step === id);
      b.setAttribute("aria-pressed", b.dataset.step === id ? "true" : "false");
    });
    svg.querySelectorAll("path.arrow").forEach(p => p.classList.toggle("on", p.dataset.from === id || p.dataset.to === id));
    body.replaceChildren();
    body.appendChild(el("h3", s.display.name));
    body.appendChild(el("p", s.display.status, "status is-" + s.status));
    body.appendChild(el("h4", ui.sectors));
    const sec = el("p");
    s.sectors.forEach((x, i) => { if (i) sec.appendChild(document.createTextNode(", ")); sec.appendChild(el("code", x)); });
    body.appendChild(sec);
    body.appendChild(el("h4", s.players ? ui.top_players.replace("{n}", s.top_players.length).replace("{total}", s.players) : ui.players_h));
    if (s.top_players.length) {
      body.appendChild(table([ui.name, ui.where, ui.sector, ui.weight],
        s.top_players.map((p, i) => [s.display.players[i][0], s.display.players[i][1], p.sector, num(p.weight)]), [3]));
    } else body.appendChild(el("p", ui.none, "hint"));
    if (s.status !== "strong") {
      body.appendChild(el("h4", ui.candidates_h));
      if (s.candidates.length) {
        // the sector each candidate works in is the name's tooltip: seven columns fit the panel
        const t = table(
          [ui.name, ui.where, ui.part_centrality, ui.part_nearness, ui.part_local_links, ui.part_chain_steps, ui.part_score],
          s.candidates.map((c, i) => [s.display.candidates[i][0], s.display.candidates[i][1], num(c.centrality),
            s.display.candidates[i][2], c.local_links, c.chain_steps, num(c.score)]),
          [2, 4, 5, 6]);
        s.candidates.forEach((c, i) => { t.rows[i + 1].cells[0].title = `${ui.sector}: ${c.sector}`; });
        body.appendChild(t);
      } else body.appendChild(el("p", ui.none, "hint"));
    }
    const raw = el("details"), sum = el("summary", ui.json);
    raw.appendChild(sum);
    const copy = Object.assign({}, s);
    delete copy.display;
    raw.appendChild(el("pre", JSON.stringify(copy, null, 2)));
    body.appendChild(raw);
    return true;
  }

  document.querySelectorAll(".step").forEach(b => {
    b.addEventListener("click", () => select(b.dataset.step));
    b.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(b.dataset.step); } });
  });
  let pending = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(drawArrows); });
  const ready = new Promise(resolve => requestAnimationFrame(() => {
    const arrows = drawArrows();
    resolve({ steps: document.querySelectorAll(".step").length, arrows: arrows });
  }));
  window.chainmap = { ready: ready, select: select, redraw: drawArrows };
})();
