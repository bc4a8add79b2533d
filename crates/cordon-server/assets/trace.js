// The trace page: a case by document or plate; its contacts with their evidence, a graph of the
// hops and the case's trajectory on the map; exports and reveals for a stated purpose. The
// subject travels only in request bodies.
"use strict";
(function tracePage() {
  const form = $("trace-form");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const MAP = JSON.parse($("map-points").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  let kind = "document";
  let last = null; // the request of the trace shown

  for (const b of document.querySelectorAll(".subj")) {
    b.onclick = () => {
      kind = b.dataset.kind;
      for (const x of document.querySelectorAll(".subj")) x.classList.toggle("on", x === b);
      $("by-document").hidden = kind !== "document";
      $("by-plate").hidden = kind !== "plate";
      (kind === "document" ? $("doc-number") : $("plate")).focus();
    };
  }
  const local = (d) => chinaTime(d).slice(0, 16);
  $("to").value = local(new Date());
  $("from").value = local(new Date(Date.now() - 14 * 86400e3));

  function subject() {
    if (kind === "plate") return { plate: $("plate").value.replace(/[\s·.\-]/g, "").toUpperCase() };
    return { document: { type: $("doc-type").value, number: $("doc-number").value.trim().toUpperCase() } };
  }
  function period() {
    const out = {};
    if ($("from").value) out.from = $("from").value + ":00+08:00";
    if ($("to").value) out.to = $("to").value + ":00+08:00";
    return out;
  }
  function request() {
    const body = Object.assign({ subject: subject() }, period(), {
      window_minutes: +$("window").value, hops: +$("hops").value,
      same_direction: $("same-direction").checked, same_lane: $("same-lane").checked,
    });
    const purpose = $("purpose").value.trim();
    if (purpose) body.purpose = purpose;
    return body;
  }

  // Refusals beside their fields (the closest field named), else under the form.
  function clearErrors() {
    clearRefusals(form);
    $("trace-error").textContent = "";
  }
  const showRefusal = (r) => refuseBeside(form, r, "trace-error",
    (e) => (e.field || "").replace(/^subject\.document\..*/, "subject.document"));
  function checkSubject() {
    const s = subject();
    if (s.document && s.document.type === "resident_id" && !idOk(s.document.number)) {
      showRefusal({ json: { error: { field: "subject.document", message: T.invalid_id } } });
      return false;
    }
    if (s.plate !== undefined && !plateOk(s.plate)) {
      showRefusal({ json: { error: { field: "subject.plate", message: T.invalid_plate || W.plate } } });
      return false;
    }
    return true;
  }

  const riskLabel = (r) => W["risk_" + r] || r;
  const NAMES = new Map(MAP.map(([code, name]) => [code, name]));
  const cpName = (code) => NAMES.get(code) || code;
  const kindLabel = (k) => W["kind_" + k] || k;
  const personLabel = (p) => p ? `${p.name} ${p.document.number}` : "";

  function drawGraph(graph) {
    const box = $("graph");
    box.textContent = "";
    const limit = 150;
    const nodes = graph.nodes.slice(0, limit + 1);
    $("graph-note").textContent = graph.nodes.length > limit + 1 ? W.graph_drawn.replace("{n}", limit) : "";
    const size = 480, mid = size / 2;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.setAttribute("class", "graph");
    svg.setAttribute("role", "img");
    const at = new Map();
    const rings = new Map();
    for (const n of nodes) rings.set(n.hop, (rings.get(n.hop) || 0) + 1);
    const placed = new Map();
    const deepest = Math.max(1, ...nodes.map((n) => n.hop));
    for (const n of nodes) {
      if (n.hop === 0) { at.set(n.id, [mid, mid]); continue; }
      const count = rings.get(n.hop), i = placed.get(n.hop) || 0;
      placed.set(n.hop, i + 1);
      const r = (mid - 60) * n.hop / deepest, a = (2 * Math.PI * i) / count + n.hop * 0.4;
      at.set(n.id, [mid + r * Math.cos(a), mid + r * Math.sin(a)]);
    }
    for (const e of graph.edges) {
      const a = at.get(e.from), b = at.get(e.to);
      if (!a || !b) continue;
      const l = document.createElementNS(SVG, "line");
      l.setAttribute("x1", a[0]); l.setAttribute("y1", a[1]); l.setAttribute("x2", b[0]); l.setAttribute("y2", b[1]);
      l.setAttribute("class", "edge");
      svg.append(l);
    }
    for (const n of nodes) {
      const [x, y] = at.get(n.id);
      const c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", n.hop === 0 ? 12 : 8);
      c.setAttribute("class", "node r-" + n.risk);
      const t = document.createElementNS(SVG, "title");
      t.textContent = `${n.label} · ${riskLabel(n.risk)}`;
      c.append(t);
      svg.append(c);
      if (nodes.length <= 40) {
        const label = document.createElementNS(SVG, "text");
        label.setAttribute("x", x + 14); label.setAttribute("y", y + 4);
        label.setAttribute("class", "label");
        label.textContent = n.label;
        svg.append(label);
      }
    }
    box.append(svg);
  }

  // The caller's checkpoints as grey dots; the case's passages joined in time order.
  function drawMap(points) {
    const box = $("map");
    box.textContent = "";
    $("map-note").textContent = W.points.replace("{n}", points.length);
    if (!MAP.length) return;
    const w = 480, h = 480, pad = 14;
    let [la0, la1, lo0, lo1] = [90, -90, 180, -180];
    for (const [, , la, lo] of MAP) { la0 = Math.min(la0, la); la1 = Math.max(la1, la); lo0 = Math.min(lo0, lo); lo1 = Math.max(lo1, lo); }
    const k = Math.cos(((la0 + la1) / 2) * Math.PI / 180);
    const s = Math.min((w - 2 * pad) / Math.max((lo1 - lo0) * k, 0.01), (h - 2 * pad) / Math.max(la1 - la0, 0.01));
    const xy = (la, lo) => [pad + (lo - lo0) * k * s, h - pad - (la - la0) * s];
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("class", "map");
    svg.setAttribute("role", "img");
    const where = new Map();
    for (const [code, name, la, lo] of MAP) {
      const [x, y] = xy(la, lo);
      where.set(code, [x, y, name]);
      const c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", x.toFixed(1)); c.setAttribute("cy", y.toFixed(1)); c.setAttribute("r", 2.5);
      c.setAttribute("class", "cp");
      svg.append(c);
    }
    const path = points.map((p) => where.get(p.checkpoint)).filter(Boolean);
    if (path.length > 1) {
      const l = document.createElementNS(SVG, "polyline");
      l.setAttribute("points", path.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "));
      l.setAttribute("class", "route");
      svg.append(l);
    }
    path.forEach(([x, y, name], i) => {
      const c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", x.toFixed(1)); c.setAttribute("cy", y.toFixed(1)); c.setAttribute("r", 6);
      c.setAttribute("class", "node r-case");
      const t = document.createElementNS(SVG, "title");
      t.textContent = `${i + 1}. ${name} ${points[i] ? points[i].observed_at.slice(0, 16).replace("T", " ") : ""}`;
      c.append(t);
      svg.append(c);
    });
    box.append(svg);
  }

  function showPoints(points) {
    const body = $("points").querySelector("tbody");
    body.textContent = "";
    $("points-title").textContent = `${W.map} · ${W.points.replace("{n}", points.length)}`;
    if (!points.length) body.append(el("tr", {}, el("td", { colspan: "5" }, W.no_points)));
    for (const p of points) {
      const name = cpName(p.checkpoint);
      body.append(el("tr", {},
        el("td", {}, p.observed_at.slice(0, 16).replace("T", " ")),
        el("td", {}, `${name} `, el("small", {}, p.checkpoint)),
        el("td", {}, p.direction === "in" ? T.dir_in : T.dir_out),
        el("td", {}, p.plate || ""),
        el("td", { class: "o-" + p.outcome }, outcomeLabel(p.outcome))));
    }
    $("points-card").hidden = false;
  }

  async function trajectory() {
    const s = subject();
    const body = Object.assign({}, s.plate !== undefined ? { plate: s.plate } : { document: s.document }, period());
    const purpose = $("purpose").value.trim();
    if (purpose) body.purpose = purpose;
    const path = s.plate !== undefined ? "/api/v1/trajectories/vehicle" : "/api/v1/trajectories/person";
    const r = await api("POST", path, body);
    if (r.status !== 200) {
      if (r.json && r.json.error && r.json.error.field) r.json.error.field = r.json.error.field.replace(/^(document|plate)/, "subject.$1");
      showRefusal(r);
      return null;
    }
    return r.json.points;
  }

  async function reveal(button, contact) {
    const purpose = $("purpose").value.trim();
    if (!purpose) {
      showRefusal({ json: { error: { field: "purpose", message: W.reveal_needs_purpose } } });
      return;
    }
    const passage = contact.evidence[0].passage;
    const r = await api("POST", `/api/v1/passages/${passage}/reveal`, { purpose });
    const cell = button.parentElement;
    if (r.status !== 200) { cell.append(el("div", { class: "error" }, refusal(r))); return; }
    // The contact among the passage's occupants: the one whose masked number matches.
    const mine = r.json.persons.filter((p) => masked(p.number) === contact.person.document.number);
    const shown = mine.length ? mine : r.json.persons;
    button.remove();
    cell.append(el("div", { class: "revealed" }, `${W.revealed}: `,
      ...shown.map((p) => el("div", {}, `${p.name} ${p.number}${p.phone ? " " + p.phone : ""}`))));
  }

  function showContacts(contacts) {
    const body = $("contacts").querySelector("tbody");
    body.textContent = "";
    if (!contacts.length) body.append(el("tr", {}, el("td", { colspan: "6" }, W.no_contacts)));
    for (const c of contacts) {
      const first = c.evidence[0];
      const ev = el("td", {});
      if (first) ev.append(`${kindLabel(first.kind)} · ${cpName(first.checkpoint)} · ${first.observed_at.slice(0, 16).replace("T", " ")}${first.plate ? " · " + first.plate : ""}`);
      const details = el("tr", { class: "evidence", hidden: "" },
        el("td", { colspan: "6" }, el("ul", {}, ...c.evidence.map((e) => el("li", {},
          el("a", { href: `/passages/${e.passage}`, target: "_blank" }, `${kindLabel(e.kind)} · ${W.at} ${cpName(e.checkpoint)} · ${e.observed_at.slice(0, 16).replace("T", " ")}`),
          `${e.plate ? ` · ${W.plate} ${e.plate}` : ""} · ${W.gap} ${e.gap_minutes} ${W.minutes}`)))));
      const more = el("button", { type: "button", class: "secondary small", onclick: () => { details.hidden = !details.hidden; } }, `${W.show_evidence} (${c.links})`);
      const act = el("td", { class: "actions" }, more, " ");
      if (c.person && c.evidence.length) act.append(el("button", { type: "button", class: "secondary small", onclick: (ev) => reveal(ev.target, c) }, W.reveal));
      body.append(el("tr", {},
        el("td", {}, String(c.hop)),
        el("td", {}, el("span", { class: "dot r-" + c.risk }), riskLabel(c.risk)),
        el("td", { class: "num" }, personLabel(c.person)),
        el("td", {}, String(c.links)),
        ev, act), details);
    }
  }

  async function exportAs(ext) {
    if (!last) return;
    if (!last.purpose) { showRefusal({ json: { error: { field: "purpose", message: W.reveal_needs_purpose } } }); return; }
    const r = await fetch(`/api/v1/trace/contacts.${ext}`, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": CSRF, "accept-language": document.documentElement.lang },
      body: JSON.stringify(last),
    });
    if (!r.ok) { let json = null; try { json = await r.json(); } catch (_) { /* none */ } showRefusal({ status: r.status, json }); return; }
    const blob = await r.blob();
    const a = el("a", { href: URL.createObjectURL(blob), download: `contacts.${ext}` });
    document.body.append(a); a.click(); a.remove();
    $("export-msg").textContent = W.exported.replace("{f}", `contacts.${ext}`).replace("{n}", blob.size);
  }
  // The contacts as a follow-up list: one list per trace shown, however often it is pressed.
  let listId = null;
  $("make-list").onclick = async () => {
    if (!last) return;
    if (!last.purpose) { showRefusal({ json: { error: { field: "purpose", message: W.reveal_needs_purpose } } }); return; }
    $("make-list").disabled = true;
    const r = await api("POST", "/api/v1/followup/lists/from-trace", { id: listId, trace: last });
    $("make-list").disabled = false;
    if (r.status !== 201 && r.status !== 200) { showRefusal(r); return; }
    say("export-msg", W.list_made.replace("{n}", r.json.list.subjects).replace("{new}", r.json.list.new_subjects), true);
    const link = $("open-list");
    link.href = `/followup#list=${r.json.list.id}`;
    link.hidden = false;
    link.focus();
  };
  $("export-csv").onclick = () => exportAs("csv");
  $("export-xlsx").onclick = () => exportAs("xlsx");

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearErrors();
    if (!checkSubject()) return;
    const body = request();
    $("run").disabled = true;
    $("summary").textContent = W.running;
    const r = await api("POST", "/api/v1/trace", body);
    $("run").disabled = false;
    if (r.status !== 200) { $("summary").textContent = ""; showRefusal(r); return; }
    last = body;
    listId = uuid();
    $("open-list").hidden = true;
    const t = r.json;
    $("summary").textContent = W.summary.replace("{p}", t.subject_passages.length).replace("{c}", t.contacts.length).replace("{t}", t.took_ms.toFixed(1))
      + (t.truncated && t.cut ? " · " + W.truncated.replace("{r}", t.cut.reason) : "");
    drawGraph(t.graph);
    showContacts(t.contacts);
    $("make-list").disabled = t.contacts.length === 0;
    $("result").hidden = false;
    $("result").scrollIntoView({ block: "start" });
    const points = await trajectory();
    if (points) drawMap(points);
  };
  $("trajectory").onclick = async () => {
    clearErrors();
    if (!checkSubject()) return;
    const points = await trajectory();
    if (!points) return;
    showPoints(points);
    $("points-card").scrollIntoView({ block: "start" });
  };
})();
