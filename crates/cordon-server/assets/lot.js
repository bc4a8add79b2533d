// A lot's board: counts by state and what needs an eye, the gate (a plate scanned or typed, the
// lanes' trucks on their way one tap away), the truck in hand with the steps it may take next
// (each with the fields it needs, refusals beside them), the drivers' open requests, and every
// truck in the lot by bay with its stay and the antigen timer. Changes show as they happen.
"use strict";
(function lotPage() {
  const card = $("board");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  const lot = card.dataset.lot;
  const states = Object.fromEntries(W.states);
  const stepNames = Object.fromEntries(W.step_names);
  const needs = Object.fromEntries(W.needs);
  const readings = Object.fromEntries(W.readings);
  const releasedOn = Object.fromEntries(W.released_on);
  const warnings = Object.fromEntries(W.warnings);
  const when = (iso) => iso ? iso.slice(5, 16).replace("T", " ") : "";
  let board = null;
  let current = null;

  function minutesSince(iso, now) { return Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 60000)); }

  function timer(t, now) {
    if (!t.antigen_due) return "";
    const left = Math.ceil((Date.parse(t.antigen_due) - Date.parse(now)) / 60000);
    return left > 0 ? `${left} ${W.due_in}` : W.due_now;
  }

  function render() {
    const b = board;
    $("lot-name").textContent = "";
    $("lot-name").append(el("span", { class: "data" }, b.lot.name));
    $("lot-address").textContent = "";
    $("lot-address").append(el("span", { class: "data" }, b.lot.address), ` · ${W.present} ${b.lot.present} / ${W.bays} ${b.lot.bays}` +
      (b.average_stay_minutes != null ? ` · ${W.average_stay} ${b.average_stay_minutes} ${W.minutes}` : ""));
    const counts = $("counts");
    counts.textContent = "";
    for (const c of b.counts) {
      if (!c.count) continue;
      const tag = el("button", { type: "button", class: `tag state-${c.state}`, "data-state": c.state }, `${states[c.state]} ${c.count}`);
      tag.onclick = () => { $("state-filter").value = c.state; renderTrucks(); };
      counts.append(tag, " ");
    }
    const warn = $("warnings");
    warn.textContent = "";
    for (const w of b.warnings) warn.append(el("span", { class: "tag bad", "data-code": w.code }, `${warnings[w.code] || w.code} ${w.count}`), " ");
    const sent = $("sent");
    sent.textContent = "";
    if (!b.sent.length) sent.append(el("li", { class: "hint" }, W.none));
    for (const s of b.sent) {
      const chip = el("button", { type: "button", class: "chip", "data-plate": s.plate }, el("span", { class: "data" }, s.plate));
      chip.onclick = () => { $("gate-plate").value = s.plate; $("gate-plate").focus(); };
      sent.append(el("li", {}, chip, el("small", { class: "hint" }, el("span", { class: "data" }, ` ${s.checkpoint_name}`), ` ${when(s.observed_at)}`)));
    }
    const reqs = $("requests");
    reqs.textContent = "";
    if (!b.requests.length) reqs.append(el("li", { class: "hint" }, W.none));
    for (const q of b.requests) {
      const done = el("button", { type: "button", class: "secondary" }, W.handled);
      done.onclick = async () => { await api("POST", `/api/v1/lots/${lot}/requests/${q.id}/close`); load(); };
      reqs.append(el("li", { class: "request", "data-id": q.id }, el("b", {}, `${W.bay} ${q.bay} · ${needs[q.need]}`),
        el("span", { class: "hint" }, ` ${minutesSince(q.asked_at, b.now)} ${W.minutes} `), done));
    }
    renderTrucks();
    // The truck in hand changed elsewhere (another phone, the lab's result): shown again.
    const mine = current && b.trucks.find((t) => t.id === current.id);
    if (mine && mine.changed_at !== current.changed_at) show(mine.id, false);
  }

  function renderTrucks() {
    const only = $("state-filter").value;
    const body = $("trucks").tBodies[0];
    body.textContent = "";
    const list = board.trucks.filter((t) => !only || t.state === only);
    if (!list.length) body.append(el("tr", {}, el("td", { colspan: "4", class: "hint" }, W.none)));
    for (const t of list.slice(0, 1500)) {
      const open = el("a", { href: "#truck-card", class: "plate" }, t.plate);
      open.onclick = (ev) => { ev.preventDefault(); show(t.id); };
      const end = t.left_at || board.now;
      body.append(el("tr", { "data-id": t.id, class: t.left_at ? "left" : "" },
        el("td", { class: "num" }, t.bay ? String(t.bay) : "—"), el("td", {}, open),
        el("td", {}, el("span", { class: `tag state-${t.state}` }, states[t.state]), " ", el("small", { class: "hint" }, timer(t, board.now))),
        el("td", { class: "num" }, `${minutesSince(t.arrived_at, end)} ${W.minutes}`)));
    }
  }

  async function load() {
    const r = await api("GET", `/api/v1/lots/${lot}`);
    if (r.status !== 200) return;
    board = r.json;
    render();
  }

  function input(name, attrs) {
    return el("label", {}, W[name] || name, el("input", Object.assign({ "data-name": name }, attrs || {})),
      el("span", { class: "field-error", "data-for": attrs && attrs.field ? attrs.field : name }));
  }

  // The fields a step takes, and the body it sends.
  const stepForms = {
    park: () => [[input("bay", { type: "number", min: "1", field: "bay" })], (f) => ({ bay: +f.bay || 0 })],
    sample: () => [[input("pcr_tube", { class: "num", field: "pcr_tube" })], (f) => (f.pcr_tube ? { pcr_tube: f.pcr_tube } : {})],
    release: () => [[], () => ({})],
    hand_over: () => [[input("local_plate", { field: "local_plate" }), input("local_name", { field: "local_driver.name" }), input("local_phone", { inputmode: "tel", field: "local_driver.phone" })],
      (f) => ({ local_plate: f.local_plate, local_driver: { name: f.local_name || "", phone: f.local_phone || "" } })],
    escort_out: () => [[input("destination", { field: "destination" })], (f) => ({ destination: f.destination })],
    isolate: () => [[input("why", { field: "why" })], (f) => ({ why: f.why })],
    turn_back: () => [[input("why", { field: "why" })], (f) => ({ why: f.why })],
  };

  async function take(t, body) {
    const form = $("step-form");
    clearRefusals(form);
    $("step-error").textContent = "";
    const r = await api("POST", `/api/v1/lots/${lot}/trucks/${t.id}/steps`, body);
    if (r.status !== 200) { refuseBeside(form, r, "step-error", (p) => p.field || ""); return; }
    showTruck(r.json);
    load();
  }

  // What a step recorded, in the page's words.
  function stepDetail(s) {
    const d = s.detail;
    switch (s.step) {
      case "check_in": return ` · ${d ? `${W.from_lane} ${d}` : W.direct}`;
      case "park": return ` · ${W.bay} ${d}`;
      case "sample": return d ? ` · PCR ${d}` : "";
      case "antigen": case "pcr": return ` · ${readings[d] || d}`;
      case "release": return ` · ${releasedOn[d] || d}`;
      default: return d ? ` · ${d}` : "";
    }
  }

  function showTruck(t, scroll = true) {
    current = t;
    $("truck-card").hidden = false;
    $("truck-title").textContent = "";
    $("truck-title").append(el("span", { class: "data" }, t.plate), ` · ${states[t.state]}`);
    const facts = [];
    if (t.bay) facts.push(`${W.bay} ${t.bay}`);
    facts.push(`${W.arrived} ${when(t.arrived_at)}`);
    facts.push(t.passage ? `${W.from_lane} ${t.from_checkpoint || ""}` : W.direct);
    if (t.driver) facts.push(`${t.driver.name} ${t.driver.phone}`);
    if (t.antigen) facts.push(`${stepNames.antigen} ${readings[t.antigen]}`);
    if (t.antigen_due) facts.push(timer(t, board ? board.now : new Date().toISOString()));
    if (t.pcr_tube) {
      const result = t.pcr ? readings[t.pcr] : t.pcr_at_lab ? W.pcr_lab_waiting : "…";
      facts.push(`PCR ${t.pcr_tube} ${result}${t.pcr && t.pcr_at_lab ? W.pcr_from_lab : ""}`);
    }
    if (t.released_on) facts.push(releasedOn[t.released_on]);
    if (t.handed_to) facts.push(`→ ${t.handed_to.plate} ${t.handed_to.driver.name}`);
    if (t.destination) facts.push(`→ ${t.destination}`);
    $("truck-facts").textContent = facts.join(" · ");
    const fields = $("step-fields");
    const buttons = $("step-buttons");
    fields.textContent = "";
    buttons.textContent = "";
    for (const s of t.next) {
      if (s === "antigen" || s === "pcr") {
        for (const [code, label] of W.readings) {
          const b = el("button", { type: "button", class: code === "positive" ? "danger big" : "primary big", "data-step": s, "data-result": code },
            `${stepNames[s]}: ${label}`);
          b.onclick = () => take(t, { step: s, result: code });
          buttons.append(b, " ");
        }
        continue;
      }
      const [inputs, body] = stepForms[s]();
      const b = el("button", { type: "button", class: s === "isolate" || s === "turn_back" ? "danger big" : "primary big", "data-step": s }, stepNames[s]);
      const box = el("fieldset", { class: "step", "data-step": s }, ...inputs, b);
      b.onclick = () => {
        const f = {};
        for (const i of box.querySelectorAll("input")) f[i.dataset.name] = i.value.trim();
        take(t, Object.assign({ step: s }, body(f)));
      };
      (inputs.length ? fields : buttons).append(box);
    }
    const ol = $("truck-steps");
    ol.textContent = "";
    for (const s of t.steps) {
      ol.append(el("li", {}, el("b", {}, stepNames[s.step]), ` → ${states[s.state]} · ${when(s.at)} · ${s.by}`,
        stepDetail(s), s.why ? ` · ${W.why}: ${s.why}` : ""));
    }
    if (scroll) $("truck-card").scrollIntoView({ block: "start" });
  }

  async function show(id, scroll = true) {
    const r = await api("GET", `/api/v1/lots/${lot}/trucks/${id}`);
    if (r.status === 200) showTruck(r.json, scroll);
  }

  $("gate").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("gate");
    clearRefusals(form);
    $("gate-error").textContent = "";
    const body = { plate: $("gate-plate").value.trim().toUpperCase() };
    const name = $("gate-name").value.trim(), phone = $("gate-phone").value.trim();
    if (name || phone) body.driver = { name, phone };
    const r = await api("POST", `/api/v1/lots/${lot}/trucks`, body);
    if (r.status !== 201) { refuseBeside(form, r, "gate-error", (p) => p.field || ""); return; }
    $("gate-plate").value = ""; $("gate-name").value = ""; $("gate-phone").value = "";
    showTruck(r.json);
    load();
  };
  $("state-filter").onchange = renderTrucks;
  // Waits for the lot's next change (a long poll on its clock), so another phone's check-in
  // or step shows here within a second.
  async function follow() {
    for (;;) {
      const known = board ? board.clock : null;
      const r = known === null ? null
        : await api("GET", `/api/v1/lots/${lot}?known=${known}&wait=20`).catch(() => null);
      if (r && r.status === 200) {
        if (!board || r.json.clock >= board.clock) { board = r.json; render(); }
      } else {
        await new Promise((res) => setTimeout(res, 3000));
        await load().catch(() => null);
      }
    }
  }
  load().then(follow);
})();
