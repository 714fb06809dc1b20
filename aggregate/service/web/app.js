// The dashboard: reads the service's own JSON API and draws it. No
// framework, no CDN. Every number drawn is also in a data attribute, so the
// browser test can compare the page with the API.
"use strict";

const SVG = "http://www.w3.org/2000/svg";

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const e = new Error(body && body.error ? body.error.message : r.statusText);
    e.code = body && body.error ? body.error.code : String(r.status);
    throw e;
  }
  return body;
}

function el(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") n.className = v;
    else if (k.startsWith("data-")) n.setAttribute(k, v);
    else n[k] = v;
  }
  for (const k of kids) n.append(k);
  return n;
}

function svg(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

function money(v) {
  if (v >= 1e6) return (v / 1e6).toFixed(v % 1e6 ? 1 : 0) + "M";
  if (v >= 1e3) return (v / 1e3).toFixed(v % 1e3 ? 1 : 0) + "k";
  return String(v);
}

const fmt = new Intl.NumberFormat("en-US");

// histogram draws one cell's buckets with its quantile markers.
function histogram(buckets, quantiles) {
  const W = 320, H = 182, L = 16, R = 16, T = 16, B = 42;
  const widths = buckets.filter(b => b.hi !== null).map(b => b.hi - b.lo);
  const typical = widths.length ? widths.sort((a, b) => a - b)[widths.length >> 1] : 1;
  const end = b => (b.hi === null ? b.lo + typical : b.hi);
  const x0 = buckets[0].lo, x1 = end(buckets[buckets.length - 1]);
  const x = v => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const maxCount = Math.max(1, ...buckets.map(b => b.count || 0));
  const y = c => T + (1 - c / maxCount) * (H - T - B);
  const g = svg("svg", { class: "hist", viewBox: `0 0 ${W} ${H}`, role: "img" });
  g.append(svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
  for (const b of buckets) {
    const bx = x(b.lo) + 1, bw = Math.max(1, x(end(b)) - x(b.lo) - 2);
    const attrs = { "data-lo": b.lo, "data-hi": b.hi === null ? "" : b.hi, x: bx, width: bw };
    if (b.count === null) {
      const h = (H - T - B) * 0.25;
      g.append(svg("rect", { ...attrs, class: "bar suppressed", "data-suppressed": b.suppressed || "suppressed", y: H - B - h, height: h },));
      g.append(svg("text", { class: "barlabel", x: bx + bw / 2, y: H - B - h - 3, "text-anchor": "middle" }, "supp."));
    } else {
      const cls = b.hi === null ? "bar topcoded" : "bar";
      g.append(svg("rect", { ...attrs, class: cls, "data-count": b.count, y: y(b.count), height: H - B - y(b.count) }));
      g.append(svg("text", { class: "barlabel", x: bx + bw / 2, y: y(b.count) - 3, "text-anchor": "middle" }, String(b.count)));
    }
    g.append(svg("text", { x: x(b.lo), y: H - B + 12, "text-anchor": "middle" }, money(b.lo) + (b.hi === null ? "+" : "")));
  }
  const last = buckets[buckets.length - 1];
  if (last.hi !== null) g.append(svg("text", { x: x(last.hi), y: H - B + 12, "text-anchor": "middle" }, money(last.hi)));
  // Marker labels go on two rows when neighbours would overlap.
  // Markers at one value share a label.
  let lastX = -Infinity, row = 0, label = null;
  for (const q of quantiles || []) {
    if (q.value === null) continue;
    const qx = x(q.value), name = "p" + Math.round(q.q * 100);
    if (label && Math.abs(qx - lastX) < 1) {
      g.append(svg("line", { class: "q", "data-q": q.q, "data-value": q.value, x1: qx, x2: qx, y1: T - 4, y2: H - B + 16 + row * 12 }));
      label.textContent += "," + name;
      continue;
    }
    row = qx - lastX < 26 ? 1 - row : 0;
    lastX = qx;
    g.append(svg("line", { class: "q", "data-q": q.q, "data-value": q.value, x1: qx, x2: qx, y1: T - 4, y2: H - B + 16 + row * 12 }));
    label = svg("text", { class: "qlabel", x: qx, y: H - B + 25 + row * 12, "text-anchor": "middle" }, (q.top_coded ? "≥" : "") + name);
    g.append(label);
  }
  return g;
}

function cellCard(c, quant) {
  const [currency, role, region] = c.key;
  const key = c.key.join("|");
  const title = el("h3", {}, `${role} · ${region} `, el("span", { class: "count" }, currency));
  if (c.count === null) {
    return el("div", { class: "cell suppressed", "data-key": key, "data-suppressed": c.suppressed },
      title, el("div", { class: "badge" }, "suppressed: " + c.suppressed));
  }
  const card = el("div", { class: "cell", "data-key": key, "data-count": c.count },
    title, el("div", { class: "count" }, `${fmt.format(c.count)} contributors`));
  card.append(histogram(c.buckets || [], quant ? quant.quantiles : []));
  if (quant && quant.quantiles) {
    const parts = quant.quantiles.filter(q => q.value !== null).map(q =>
      `<b>p${Math.round(q.q * 100)}</b> ${q.top_coded ? "≥ " : ""}${fmt.format(Math.round(q.value))}` +
      (q.top_coded || q.error_bound === null ? "" : ` ±${money(q.error_bound)}`));
    const line = el("div", { class: "quantiles" });
    line.innerHTML = parts.join(" · ");
    card.append(line);
  }
  return card;
}

async function renderDistributions(period) {
  const p = encodeURIComponent(period);
  const [hist, quant] = await Promise.all([
    api(`/v1/distributions?by=role,region&period=${p}&stat=histogram`),
    api(`/v1/distributions?by=role,region&period=${p}&stat=quantiles`),
  ]);
  const qByKey = new Map(quant.cells.map(c => [c.key.join("|"), c]));
  const box = document.getElementById("cells");
  box.replaceChildren(...hist.cells.map(c => cellCard(c, qByKey.get(c.key.join("|")))));
  const shown = hist.cells.filter(c => c.count !== null).length;
  document.getElementById("dist-note").textContent =
    `${shown} of ${hist.cells.length} cells published; a cell or bar needs at least ${hist.min_cell} contributors.` +
    (hist.noise ? ` Counts carry noise: ${hist.noise}.` : "");
  document.getElementById("store").textContent =
    `store generation ${hist.store.generation}, ${fmt.format(hist.store.rows)} submissions`;
}

async function renderBenchmarks() {
  const body = document.querySelector("#benchmarks tbody");
  const note = document.getElementById("bench-note");
  let b;
  try {
    b = await api("/v1/benchmarks");
  } catch (e) {
    if (e.code === "no_benchmarks") { note.textContent = "No benchmarks published."; body.replaceChildren(); return; }
    throw e;
  }
  note.textContent = `Period ${b.period}, quantile ${b.quantile}, attested submissions only; content hash ${b.content_hash.slice(0, 16)}…`;
  note.setAttribute("data-content-hash", b.content_hash);
  body.replaceChildren(...b.entries.map(e => el("tr", { "data-key": [e.currency, e.role, e.region].join("|"), "data-amount": e.amount },
    el("td", {}, e.currency), el("td", {}, e.role), el("td", {}, e.region),
    el("td", { class: "num" }, fmt.format(e.amount)), el("td", { class: "num" }, fmt.format(e.error_bound)),
    el("td", { class: "num" }, fmt.format(e.contributors)))));
}

async function renderEmployers() {
  const r = await api("/v1/claims/employers");
  document.getElementById("emp-note").textContent =
    `Employers are listed from ${r.k} accepted claims on; fewer could single out a worker.`;
  document.querySelector("#employers tbody").replaceChildren(...r.employers.map(e =>
    el("tr", { "data-employer": e.employer_key_hash, "data-claims": e.claims },
      el("td", { class: "mono" }, e.employer_key_hash.slice(0, 20) + "…"), el("td", { class: "num" }, fmt.format(e.claims)))));
}

async function main() {
  try {
    const periods = await api("/v1/distributions?by=period&stat=count&min_cell=" + 1e9).catch(() => null);
    const sel = document.getElementById("period");
    const list = periods ? periods.cells.map(c => c.key[0]).sort().reverse() : [];
    const wanted = new URLSearchParams(location.search).get("period");
    sel.replaceChildren(...list.map(p => el("option", { value: p, textContent: p })));
    sel.value = wanted && list.includes(wanted) ? wanted : list[0] || "";
    sel.addEventListener("change", () => { location.search = "?period=" + encodeURIComponent(sel.value); });
    await Promise.all([sel.value ? renderDistributions(sel.value) : Promise.resolve(), renderBenchmarks(), renderEmployers()]);
    document.body.setAttribute("data-period", sel.value);
    document.body.setAttribute("data-ready", "1");
  } catch (e) {
    document.querySelector("main").prepend(el("p", { class: "error" }, "Could not load: " + e.message));
    document.body.setAttribute("data-error", e.message);
  }
}

main();
