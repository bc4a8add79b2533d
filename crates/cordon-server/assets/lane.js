// The lane page: scanner- and keyboard-first registration. Scanners type into the scan field
// and end with Enter: an identity number (optionally followed by the name) adds a person, a
// pre-declaration code (CD1.…) fills the whole vehicle, a freight pass's code (FP1.…) is checked
// and marks the vehicle as carrying it, a plate sets the plate. Enter on the
// empty scan field registers; after the decision, Enter starts the next vehicle. A registration
// keeps its id until it is answered, so a retry after a dropped connection never registers twice.
"use strict";
(function lane() {
  const station = JSON.parse(localStorage.getItem("cordon.station") || "{}");
  const cp = $("checkpoint"), laneNo = $("lane-no"), scan = $("scan"), list = $("occupants");
  const plate = $("plate"), province = $("province");
  let direction = station.direction || "in";
  let vehicle = null; // { id, observedAt, origin, destination }
  let sending = false;

  if (station.checkpoint && [...cp.options].some((o) => o.value === station.checkpoint)) cp.value = station.checkpoint;
  if (station.lane) laneNo.value = station.lane;
  if (station.province) province.textContent = station.province;
  const saveStation = () => localStorage.setItem("cordon.station", JSON.stringify({
    checkpoint: cp.value, lane: laneNo.value, direction, province: province.textContent,
  }));
  for (const b of document.querySelectorAll(".dir")) {
    b.classList.toggle("on", b.dataset.dir === direction);
    b.onclick = () => { direction = b.dataset.dir; for (const x of document.querySelectorAll(".dir")) x.classList.toggle("on", x === b); saveStation(); scan.focus(); };
  }
  cp.onchange = () => { saveStation(); showStatus(); refresh(); };
  laneNo.onchange = saveStation;
  provincePicker(province, $("provinces"), plate);

  const msg = (text, ok) => {
    const m = $("scan-msg"); m.textContent = text; m.className = "msg " + (ok ? "ok" : "bad");
    if (!ok && text) m.scrollIntoView({ block: "nearest" });
  };
  // A closed checkpoint is said before anything is scanned (and again whenever it changes).
  function showStatus(status) {
    const o = cp.selectedOptions[0];
    if (o && status) o.dataset.status = status;
    const closed = (o && o.dataset.status) === "closed";
    $("closed-banner").hidden = !closed;
  }
  const started = () => { if (!vehicle) vehicle = { id: uuid(), observedAt: new Date() }; };
  const countPersons = () => { $("count").textContent = list.children.length; };
  list.addEventListener("removed", countPersons);
  // Enter in a person's field (the name typed after a scan without one) goes back to the scan
  // field, where the next scan or Enter to register goes.
  list.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT") { ev.preventDefault(); scan.focus(); }
  });

  plate.oninput = () => {
    started();
    vehicle.freightPass = null; // a pass checked for another plate is not this one's
    const p = fullPlate(province, plate);
    const bad = plate.value !== "" && !plateOk(p);
    plate.classList.toggle("bad", bad);
    $("plate-error").textContent = bad ? T.invalid_plate : "";
  };

  function addPerson(o) {
    started();
    $("form-error").textContent = "";
    if (!o.role) o.role = $("vehicle-class").value === "" ? "pedestrian" : (list.children.length === 0 ? "driver" : "passenger");
    const li = occupantEditor(o, true);
    list.append(li);
    countPersons();
    return li;
  }
  $("add-person").onclick = () => addPerson({}).querySelector(".doc-number").focus();

  async function fromDeclaration(token) {
    const r = await api("POST", "/api/v1/declarations/verify", { token });
    if (r.status !== 200) { msg(`${T.code_refused}: ${refusal(r)}`, false); return; }
    const d = r.json;
    reset(false);
    started();
    if (d.vehicle) {
      province.textContent = d.vehicle.plate[0];
      plate.value = d.vehicle.plate.slice(1);
      $("plate-color").value = d.vehicle.plate_color;
      $("vehicle-class").value = d.vehicle.class;
    } else {
      $("vehicle-class").value = "";
      plate.value = "";
    }
    for (const o of d.occupants) addPerson(o);
    vehicle.origin = d.origin; vehicle.destination = d.destination;
    $("submit").textContent = T.confirm_declared;
    msg(`${T.declared_by_code} · ${d.occupants.map((o) => o.name).join("、")}`, true);
    plate.oninput();
  }

  // A freight pass's code: checked against the vehicle (its plate, set from the pass when the
  // lane has none) and this checkpoint; a pass in force goes with the registration, which checks
  // it again where it is recorded.
  async function fromPass(token) {
    if (!vehicle) started();
    const current = plate.value ? fullPlate(province, plate) : "";
    const r = await api("POST", "/api/v1/freight-passes/verify", { token, plate: current || undefined, checkpoint: cp.value });
    if (r.status !== 200) { vehicle.freightPass = null; msg(`${T.pass_refused}: ${refusal(r)}`, false); return; }
    const p = r.json.pass;
    if (!current) {
      province.textContent = p.plate[0];
      plate.value = p.plate.slice(1);
      $("vehicle-class").value = "truck";
      $("plate-color").value = "yellow";
      plate.oninput();
    }
    vehicle.freightPass = token;
    msg(`${r.json.on_route ? T.pass_ok : T.pass_off_route} · ${p.number} · ${p.plate}`, r.json.on_route);
  }

  scan.addEventListener("keydown", async (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    const v = scan.value.trim();
    scan.value = "";
    if (!$("decision").hidden) { reset(true); return; }
    if (v === "") { submit(); return; }
    if (/^cd1\./i.test(v)) { await fromDeclaration(v); return; }
    if (/^fp1\./i.test(v)) { await fromPass(v); return; }
    // Health codes from the keyboard: "g", "y" or "r" (or 绿/黄/红) sets every person whose code
    // is not set yet; a person's number before it ("2r") sets that person's.
    const code = v.match(/^([1-9])?\s*([gyr绿黄红])$/i);
    if (code) {
      const value = { g: "green", y: "yellow", r: "red", 绿: "green", 黄: "yellow", 红: "red" }[code[2].toLowerCase()];
      const people = [...list.children];
      const which = code[1] ? [people[+code[1] - 1]].filter(Boolean) : people.filter((li) => !li.hasCode());
      for (const li of which) li.setCode(value);
      msg(which.length ? `${T.health_code}: ${T[value]} × ${which.length}` : `${T.health_code}: ${T.none}`, which.length > 0);
      return;
    }
    const id = v.match(/^(\d{17}[\dXx]|\d{15})(?:[\s,|;\t]+(.+))?$/);
    if (id) {
      const number = id[1].toUpperCase();
      if (!idOk(number)) { msg(`${masked(number)}: ${T.invalid_id}`, false); return; }
      const li = addPerson({ document: { type: "resident_id", number }, name: (id[2] || "").trim() });
      msg(`+ ${masked(number)} ${(id[2] || "").trim()}`, true);
      if (!id[2]) li.focusName();
      return;
    }
    // Digits that are not an identity number (a plate starts with its province's character).
    if (/^\d{8,}/.test(v)) { msg(`${masked(v.split(/[\s,|;\t]/)[0])}: ${T.id_wrong_length}`, false); return; }
    const p = v.replace(/[\s·.\-]/g, "").toUpperCase();
    if (plateOk(p) || plateOk(province.textContent + p)) {
      if (PROVINCES.includes(p[0])) { province.textContent = p[0]; plate.value = p.slice(1); } else plate.value = p;
      plate.oninput();
      msg(`${T.plate} ${fullPlate(province, plate)}`, true);
      return;
    }
    msg(`${v.slice(0, 12)}…: ${T.invalid_plate}`, false);
  });

  function request() {
    const cls = $("vehicle-class").value;
    const body = {
      id: vehicle.id, checkpoint: cp.value, lane: +laneNo.value || 1, direction,
      observed_at: chinaTime(vehicle.observedAt),
      occupants: [...list.children].map((li) => li.read()),
    };
    if (cls) body.vehicle = { plate: fullPlate(province, plate), plate_color: $("plate-color").value, class: cls };
    if (cls && vehicle.freightPass) body.vehicle.freight_pass_code = vehicle.freightPass;
    if (vehicle.origin) body.origin = vehicle.origin;
    if (vehicle.destination) body.destination = vehicle.destination;
    return body;
  }

  async function submit() {
    if (sending) return;
    $("form-error").textContent = "";
    if (!vehicle || list.children.length === 0) {
      $("form-error").textContent = `${T.occupants}: ${T.required}`;
      $("form-error").scrollIntoView({ block: "center" });
      return;
    }
    if (!codesSet(list)) return;
    const body = request();
    sending = true;
    $("submit").disabled = true;
    msg(T.sending, true);
    let wait = 500;
    for (;;) {
      let r;
      try { r = await api("POST", "/api/v1/passages", body); } catch (_) { r = null; }
      if (r && r.status !== 503 && r.status !== 502 && r.status !== 504) {
        sending = false; $("submit").disabled = false;
        if (r.status === 201) { show(r.json, body.occupants.map((o) => o.name), body.vehicle); msg("", true); return; }
        msg("", true);
        if (r.json && r.json.error && r.json.error.code === "checkpoint_closed") showStatus("closed");
        const rest = showBeside(r, list, plate, $("plate-error"));
        $("form-error").textContent = rest;
        if (rest && !list.querySelector(".bad") && !plate.classList.contains("bad")) $("form-error").scrollIntoView({ block: "center" });
        return;
      }
      msg(T.offline_retry, false);
      await new Promise((res) => setTimeout(res, wait));
      wait = Math.min(wait * 2, 8000);
    }
  }
  $("submit").onclick = submit;

  // The decision; each reason names its person as the officer entered them (the answer masks
  // names, and two persons of one surname must still be told apart).
  function show(p, names, vehicle) {
    const d = p.decision, box = $("decision");
    $("decided-plate").textContent = vehicle ? vehicle.plate : T.pedestrian;
    box.className = "decision o-" + d.outcome;
    // The green channel comes first: the officer waves the truck on before reading the rest.
    $("priority").hidden = !d.actions.includes("priority_lane");
    $("outcome").textContent = outcomeLabel(d.outcome);
    const reasons = $("reasons");
    reasons.textContent = "";
    for (const r of d.reasons) {
      const who = r.occupant !== undefined && names[r.occupant] !== undefined ? `${r.occupant + 1}. ${names[r.occupant]}: ` : "";
      reasons.append(el("li", {}, who + localized(r.message)));
    }
    $("actions").textContent = d.actions.length ? `${T.actions}: ${d.actions.map(actionLabel).join("、")}` : "";
    if (d.actions.includes("holding_lot")) nameTheLot();
    $("entry").hidden = true;
    box.hidden = false;
    window.scrollTo(0, 0);
    box.scrollIntoView({ block: "start" });
    $("next").focus({ preventScroll: true });
    refresh();
  }

  // The holding lot this checkpoint sends trucks to, named beside the action (once per
  // checkpoint; a station's lanes, which keep no lots, say the action only).
  const lots = {};
  async function nameTheLot() {
    const code = cp.value;
    if (!(code in lots)) {
      const r = await api("GET", `/api/v1/checkpoints/${encodeURIComponent(code)}/lots`).catch(() => null);
      lots[code] = r && r.status === 200 ? r.json.lots : [];
    }
    const l = lots[code][0];
    if (l && !$("decision").hidden) $("actions").append(el("div", { class: "lot-note" }, `→ ${l.name} · ${l.address}`));
  }

  function reset(focus) {
    vehicle = null;
    list.textContent = "";
    plate.value = ""; plate.classList.remove("bad"); $("plate-error").textContent = "";
    $("form-error").textContent = "";
    $("submit").textContent = T.submit;
    $("decision").hidden = true;
    $("entry").hidden = false;
    countPersons();
    if (focus) { msg("", true); scan.focus(); }
  }
  $("next").onclick = () => reset(true);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !$("decision").hidden && ev.target !== scan) { ev.preventDefault(); reset(true); }
  });

  async function refresh() {
    if (!cp.value) return;
    const c = await api("GET", `/api/v1/checkpoints/${encodeURIComponent(cp.value)}`);
    if (c.status === 200) showStatus(c.json.status);
    const from = encodeURIComponent(chinaTime(new Date(Date.now() - 3600e3)));
    const r = await api("GET", `/api/v1/checkpoints/${encodeURIComponent(cp.value)}/passages?from=${from}&limit=1000`);
    if (r.status !== 200) return;
    const ps = r.json.passages || [];
    $("rate").textContent = ps.length;
    const by = {};
    for (const p of ps) by[p.decision.outcome] = (by[p.decision.outcome] || 0) + 1;
    $("outcomes-hour").textContent = Object.entries(by).map(([o, n]) => `${outcomeLabel(o)} ${n}`).join(" · ");
    const body = $("recent");
    body.textContent = "";
    for (const p of ps.slice(-10).reverse()) {
      body.append(el("tr", {}, el("td", {}, clock(p.observed_at)), el("td", {}, p.vehicle ? p.vehicle.plate : T.pedestrian),
        el("td", {}, String(p.occupants.length)), el("td", { class: "o-" + p.decision.outcome }, outcomeLabel(p.decision.outcome))));
    }
  }
  // The station's link to the hub, and the policy version the lane applies.
  async function link() {
    const r = await api("GET", "/api/v1/link");
    if (r.status !== 200) return;
    const l = r.json, parts = [`${T.policy_version} ${l.policy_version === null ? T.no_policy : l.policy_version}`];
    if (l.station) {
      parts.unshift(`${T.link_pending} ${l.pending}`, `${T.last_sync} ${l.last_sync_at ? clock(l.last_sync_at) : T.never}`);
    }
    const out = $("link");
    out.textContent = parts.join(" · ");
    out.classList.toggle("bad", l.station && l.pending > 0 && (!l.last_sync_at || Date.now() - Date.parse(l.last_sync_at) > 60000));
  }
  showStatus();
  refresh();
  link();
  setInterval(refresh, 60000);
  setInterval(link, 5000);
  scan.focus();
})();
