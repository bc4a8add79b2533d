// Cordon: what every page shares: the page's words, API calls with the session cookie and its
// CSRF token, client-made ids, China time, and the checks that run as one types (the server
// checks everything again; these only say early what it would refuse).
"use strict";
const T = JSON.parse(document.getElementById("texts").textContent);
const CSRF = (document.querySelector('meta[name="csrf"]') || {}).content || "";
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  // Refusals come back in the page's language.
  const headers = { "x-csrf-token": CSRF, "accept-language": document.documentElement.lang };
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try { json = await r.json(); } catch (_) { /* an empty answer */ }
  return { status: r.status, json };
}

// A random (version 4) UUID; crypto.randomUUID needs HTTPS, which a station's Wi-Fi may not have.
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// A moment as China time with its offset, whatever the device's time zone.
function chinaTime(d) {
  const t = new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 19);
  return t + "+08:00";
}
function clock(iso) { return iso ? iso.slice(11, 16) : ""; }

const PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";
function plateOk(p) {
  return /^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新][A-HJ-Z]([A-HJ-NP-Z0-9]{5}|[A-HJ-NP-Z0-9]{4}[挂学警港澳]|[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF])$/.test(p);
}
function idOk(n) {
  n = n.toUpperCase();
  if (/^\d{15}$/.test(n)) return true;
  if (!/^\d{17}[\dX]$/.test(n)) return false;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += w[i] * +n[i];
  return "10X98765432"[s % 11] === n[17];
}
function phoneOk(p) { return p === "" || /^1[3-9]\d{9}$/.test(p); }
function masked(n) { return n.length > 8 ? n.slice(0, 6) + "*".repeat(n.length - 10) + n.slice(-4) : n; }
function outcomeLabel(o) { return T["outcome_" + o] || o; }
// Policy messages are written "中文 / English": the part in the page's language.
function localized(m) {
  const parts = String(m).split(" / ");
  if (parts.length !== 2) return m;
  return document.documentElement.lang.startsWith("zh") ? parts[0] : parts[1];
}
function actionLabel(a) { return T["action_" + a] || a; }

// The province picker beside a plate field.
function provincePicker(button, panel, input) {
  for (const p of PROVINCES) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = p;
    b.onclick = () => { button.textContent = p; panel.hidden = true; input.focus(); input.dispatchEvent(new Event("input")); };
    panel.appendChild(b);
  }
  button.onclick = () => { panel.hidden = !panel.hidden; };
}
function fullPlate(button, input) {
  let v = input.value.replace(/[\s·.\-]/g, "").toUpperCase();
  if (v && !PROVINCES.includes(v[0])) v = button.textContent + v;
  return v;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e[k] = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// One person's fields. `o` fills them; `lane` adds the temperature.
function occupantEditor(o, lane) {
  const li = el("li", { class: "occupant" });
  const kind = el("select", { class: "doc-kind" });
  for (const k of ["resident_id", "residence_permit", "passport", "home_return_permit", "taiwan_permit", "exit_entry_permit", "foreign_permanent_resident"]) {
    kind.append(el("option", { value: k }, T["doc_" + k] || k));
  }
  kind.value = o.document ? o.document.type : "resident_id";
  const num = el("input", { class: "num doc-number", autocomplete: "off", spellcheck: "false", value: o.document ? o.document.number : "" });
  const numErr = el("span", { class: "field-error" });
  const name = el("input", { class: "name", autocomplete: "off", value: o.name || "" });
  const phone = el("input", { class: "phone", inputmode: "tel", autocomplete: "off", value: o.phone || "" });
  const role = el("select", { class: "role" },
    el("option", { value: "driver" }, T.driver), el("option", { value: "passenger" }, T.passenger), el("option", { value: "pedestrian" }, T.pedestrian));
  role.value = o.role || "passenger";
  // The health code is never preset: the officer (or the driver declaring) looks and sets it.
  // A code from the driver's own declaration comes filled, for the officer to see and change.
  const hc = el("span", { class: "hc", role: "group", "aria-label": T.health_code });
  const hcErr = el("span", { class: "field-error hc-error", role: "alert" });
  for (const [v, c] of [["green", "g"], ["yellow", "y"], ["red", "r"]]) {
    const b = el("button", { type: "button", class: c, "data-code": v, "aria-pressed": "false" }, T[v]);
    b.onclick = () => {
      for (const x of hc.children) { x.classList.toggle("on", x === b); x.setAttribute("aria-pressed", String(x === b)); }
      hc.classList.remove("bad"); hcErr.textContent = "";
    };
    if (o.health_code === v) { b.classList.add("on"); b.setAttribute("aria-pressed", "true"); }
    hc.append(b);
  }
  const check = () => {
    const bad = kind.value === "resident_id" && num.value !== "" && !idOk(num.value);
    num.classList.toggle("bad", bad);
    numErr.textContent = bad ? T.invalid_id : "";
    phone.classList.toggle("bad", !phoneOk(phone.value.trim()));
  };
  num.oninput = check; phone.oninput = check; kind.onchange = check;
  const err = () => el("span", { class: "field-error", role: "alert" });
  li.append(
    el("label", {}, T.document_type, kind, err()),
    el("label", { class: "grow" }, T.document_number, num, numErr),
    el("label", {}, T.name, name, err()),
    el("label", {}, T.phone, phone, err()),
    el("label", {}, T.role, role, err()),
    el("label", {}, T.health_code, hc, hcErr));
  // A field mended clears its refusal (the number and the phone are checked as they are typed).
  li.addEventListener("input", (ev) => {
    if (ev.target === num || ev.target === phone) return;
    ev.target.classList.remove("bad");
    const note = ev.target.closest("label") && ev.target.closest("label").querySelector(".field-error");
    if (note && note !== hcErr) note.textContent = "";
  });
  let temp = null;
  if (lane) {
    temp = el("input", { class: "temp", type: "number", step: "0.1", min: "30", max: "45", inputmode: "decimal" });
    li.append(el("label", {}, T.temperature, temp, err()));
  }
  const testKind = el("select", { class: "test-kind" }, el("option", { value: "" }, T.none), el("option", { value: "pcr" }, "PCR"), el("option", { value: "antigen" }, "antigen"));
  const testAt = el("input", { class: "test-at", type: "datetime-local" });
  const testResult = el("select", { class: "test-result" }, el("option", { value: "negative" }, T.negative), el("option", { value: "positive" }, T.positive), el("option", { value: "pending" }, T.pending));
  if (o.latest_test) {
    testKind.value = o.latest_test.kind; testResult.value = o.latest_test.result;
    testAt.value = o.latest_test.taken_at.slice(0, 16);
  }
  li.append(el("label", {}, T.latest_test, testKind, err()), el("label", {}, T.test_time, testAt, err()), el("label", {}, T.test_result, testResult, err()));
  li.append(el("button", { type: "button", class: "secondary remove", onclick: () => { li.remove(); li.dispatchEvent(new Event("removed", { bubbles: true })); } }, T.remove));
  li.visited = o.visited || [];
  li.read = () => {
    const out = {
      document: { type: kind.value, number: num.value.trim().toUpperCase() },
      name: name.value.trim(), role: role.value,
      health_code: (hc.querySelector(".on") || { dataset: { code: "" } }).dataset.code,
      visited: li.visited,
    };
    if (phone.value.trim()) out.phone = phone.value.trim();
    if (temp && temp.value) out.temperature_c = +temp.value;
    if (testKind.value && testAt.value) out.latest_test = { kind: testKind.value, taken_at: testAt.value + ":00+08:00", result: testResult.value };
    return out;
  };
  li.focusName = () => name.focus();
  // Sets the health code as its button would (the lane's scan field does it from the keyboard).
  li.setCode = (code) => { const b = hc.querySelector(`[data-code="${code}"]`); if (b) b.click(); };
  li.hasCode = () => hc.querySelector(".on") !== null;
  // Whether the health code is set; if not, says so beside it.
  li.codeSet = () => {
    const set = hc.querySelector(".on") !== null;
    hc.classList.toggle("bad", !set);
    hcErr.textContent = set ? "" : T.health_code_required;
    return set;
  };
  check();
  return li;
}

// Every person's health code set? Marks those not set; the first comes into view.
function codesSet(list) {
  const missing = [...list.children].filter((li) => !li.codeSet());
  if (missing.length) missing[0].scrollIntoView({ block: "center" });
  return missing.length === 0;
}

// A refusal's problems (every one the server found), each shown beside its person's field or
// the plate (the first takes the focus and comes into view). Answers the sentences of those it
// found no field for ("" when every one was placed).
function showBeside(r, list, plate, plateError) {
  const e = r.json && r.json.error;
  if (!e) return refusal(r);
  const problems = (r.json.problems && r.json.problems.length) ? r.json.problems : [e];
  for (const x of list.querySelectorAll(".bad")) x.classList.remove("bad");
  for (const x of list.querySelectorAll(".field-error")) x.textContent = "";
  if (plate) plate.classList.remove("bad");
  if (plateError) plateError.textContent = "";
  const rest = [];
  let first = null;
  for (const p of problems) {
    const f = p.field || "";
    const m = f.match(/^occupants\[(\d+)\]\.(\w+)(\.\w+)?/);
    let input = null, note = null;
    if (m && list.children[+m[1]]) {
      const li = list.children[+m[1]];
      const cls = { "latest_test.taken_at": ".test-at", "latest_test.result": ".test-result" }[m[2] + (m[3] || "")]
        || { document: ".doc-number", health_code: ".hc button", temperature_c: ".temp", latest_test: ".test-kind" }[m[2]] || "." + m[2];
      input = li.querySelector(cls) || li.querySelector("input");
      note = input && (input.closest("label") || li).querySelector(".field-error");
    } else if (f.startsWith("vehicle.plate") && plate) { input = plate; note = plateError; }
    if (!input) { rest.push(f ? `${f}: ${p.message}` : p.message); continue; }
    input.classList.add("bad");
    if (note) note.textContent = note.textContent ? `${note.textContent} ${p.message}` : p.message;
    if (!first) first = input;
  }
  if (first) { first.scrollIntoView({ block: "center" }); first.focus(); }
  return rest.join(" · ");
}

// A place typed as a name or initials (石家庄, sjz) with suggestions from the country's
// divisions in `datalist`, each "石家庄市 · 河北省 (130100)"; `chosen` shows the code picked.
// `code()` answers the code of what was typed or chosen: a six-digit code, a chosen
// suggestion, or the one place whose name is exactly what was typed; else null.
function placeField(input, datalist, chosen) {
  let found = [];
  const label = (p) => `${p.name}${p.within ? " · " + p.within : ""} (${p.code})`;
  async function suggest() {
    const q = input.value.trim();
    if (!q || /\(\d{6}\)$/.test(q)) return;
    const r = await api("GET", `/api/v1/places?q=${encodeURIComponent(q.slice(0, 32))}&limit=10`);
    if (r.status !== 200) return;
    found = r.json.places;
    datalist.textContent = "";
    for (const p of found) datalist.append(el("option", { value: label(p) }));
  }
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 250);
    const m = input.value.match(/\((\d{6})\)$/);
    if (chosen) chosen.textContent = m ? m[1] : "";
  });
  return {
    async code() {
      const v = input.value.trim();
      const m = v.match(/(?:^|\()(\d{6})\)?$/);
      if (m) return m[1];
      await suggest();
      const exact = found.filter((p) => p.name === v || p.name.replace(/[市区县省]$/, "") === v);
      return exact.length >= 1 ? exact[0].code : (found.length === 1 ? found[0].code : null);
    },
  };
}

// Says `text` on the message line `id`, marked as good or bad; a bad one comes into view.
function say(id, text, ok) {
  const m = $(id);
  m.textContent = text;
  m.className = "msg " + (ok ? "ok" : "bad");
  if (!ok) m.scrollIntoView({ block: "nearest" });
}

// Clears the refusals shown in `scope`.
function clearRefusals(scope) {
  for (const e of scope.querySelectorAll(".field-error")) e.textContent = "";
  for (const i of scope.querySelectorAll(".bad")) i.classList.remove("bad");
}

// A refusal's problems (every one under `problems`, else the error) each beside the field it
// names (the slot `.field-error[data-for=NAME]` in `scope`; NAME is `fieldOf(problem)`, by
// default the first part of its path), its input marked, the first focused; those that name
// no field in `fallback` (an element or its id). The first comes into view.
function refuseBeside(scope, r, fallback, fieldOf) {
  const e = r.json && r.json.error;
  const problems = !e ? [null] : (r.json.problems && r.json.problems.length ? r.json.problems : [e]);
  const out = typeof fallback === "string" ? $(fallback) : fallback;
  let first = null;
  const rest = [];
  for (const p of problems) {
    const field = p ? (fieldOf ? fieldOf(p) : (p.field || "").split(/[.[]/)[0]) : "";
    const slot = field && scope.querySelector(`.field-error[data-for="${field}"]`);
    const text = p ? p.message : `${T.failed} (${r.status})`;
    if (!slot) { rest.push(text); continue; }
    slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
    const input = slot.parentElement.querySelector("input,select,textarea");
    if (input) input.classList.add("bad");
    if (!first) first = input || slot;
  }
  if (rest.length) {
    out.textContent = rest.join(" · ");
    if (out.classList.contains("msg")) out.className = "msg bad";
  }
  if (first && first.focus) first.focus();
  (first || out).scrollIntoView({ block: "center" });
}

// After a change the stations must hear of (a policy published, a risk area declared): a link
// beside `after` (an element or its id) to the directives page with a drafted directive.
function offerDirective(after, title, text) {
  const at = typeof after === "string" ? $(after) : after;
  const old = at.parentElement.querySelector(".draft-directive");
  if (old) old.remove();
  const q = new URLSearchParams({ title, text });
  at.after(el("a", { class: "button draft-directive", href: `/directives?${q}` }, T.draft_directive));
}

// A server refusal as a sentence, with the field it names.
function refusal(r) {
  const e = r.json && r.json.error;
  if (!e) return `${T.failed} (${r.status})`;
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

(function common() {
  const menu = $("menu");
  if (menu) menu.onclick = () => {
    const open = menu.closest(".bar").classList.toggle("open");
    menu.setAttribute("aria-expanded", String(open));
  };
  const so = $("signout");
  if (so) so.onclick = async () => { await api("DELETE", "/api/v1/sessions/current"); location.href = "/signin"; };
  const form = $("signin");
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/api/v1/sessions", { username: $("username").value.trim(), password: $("password").value });
    if (r.status === 201) { location.href = form.dataset.next || "/"; return; }
    $("signin-error").textContent = r.status === 429 ? T.too_many : T.bad_credentials;
  };
})();
