// Freight passes: issue one (each refusal beside its field, the drivers' fields per driver),
// the carriers' applications to approve or refuse, the passes issued (by plate, valid only), and
// a pass's printable page with its QR code and a revocation with its reason. A carrier's
// application (no account) asks with the same fields, and its page follows it to the pass.
"use strict";
const passDay = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";

// A pass's facts and QR code, on its page and on its carrier's.
function showPass(p, W) {
  const goods = Object.fromEntries(W.goods_names);
  $("pass-qr").innerHTML = p.qr_svg; // the hub's own SVG
  const facts = $("pass-facts");
  facts.textContent = "";
  const row = (k, v) => facts.append(el("dt", {}, k), el("dd", {}, v));
  row(W.plate, el("span", { class: "data" }, p.plate + (p.tractor_plate ? ` / ${p.tractor_plate}` : "")));
  row(W.route, `${p.origin} → ${p.destination}`);
  row(W.via, p.via.length ? p.via.join("、") : W.any_checkpoint);
  row(W.goods, goods[p.goods] || p.goods);
  row(W.drivers, el("span", { class: "data" }, p.drivers.map((d) => `${d.name} ${d.phone}`).join("；")));
  row(W.valid_from, passDay(p.valid_from));
  row(W.valid_until, passDay(p.valid_until));
  if (p.expected_arrival) row(W.expected_arrival, passDay(p.expected_arrival));
  row(W.issued_by, `${p.issued_by} · ${passDay(p.issued_at)}`);
  if (p.revoked_at) row(W.state, el("span", { class: "tag bad" }, `${W.revoked} · ${p.revoked_reason}`));
}

(function passesPage() {
  const form = $("pass-form");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const goods = Object.fromEntries(W.goods_names);
  const day = passDay;
  const local = (d) => chinaTime(d).slice(0, 16);
  const applying = form.dataset.apply === "1";

  function driverRow() {
    const i = $("pass-drivers").children.length;
    return el("div", { class: "row driver" },
      el("label", {}, W.driver_name, el("input", { class: "driver-name", maxlength: "40" }), el("span", { class: "field-error", "data-for": `drivers[${i}].name` })),
      el("label", {}, W.driver_phone, el("input", { class: "driver-phone", inputmode: "tel", maxlength: "11" }), el("span", { class: "field-error", "data-for": `drivers[${i}].phone` })));
  }
  $("pass-drivers").append(driverRow());
  $("add-driver").onclick = () => { if ($("pass-drivers").children.length < 3) $("pass-drivers").append(driverRow()); };
  $("pass-from").value = local(new Date());
  $("pass-until").value = local(new Date(Date.now() + 48 * 3600e3));

  function state(p) {
    if (p.revoked_at) return el("span", { class: "tag bad" }, W.revoked);
    if (Date.parse(p.valid_until) <= Date.now()) return el("span", { class: "tag" }, W.expired);
    return el("span", { class: "tag ok" }, W.valid);
  }

  // The carriers' applications: the pending ones with their approval and refusal.
  async function loadApplications() {
    const r = await api("GET", "/api/v1/freight-pass-applications");
    if (r.status !== 200) return;
    const list = $("applications");
    list.textContent = "";
    if (!r.json.applications.length) list.append(el("li", { class: "hint" }, W.none_pending));
    for (const a of r.json.applications) {
      const li = el("li", { class: `application s-${a.state}`, "data-id": a.id },
        el("b", {}, `${a.carrier} · `, el("span", { class: "tag" }, W[`state_${a.state}`] || a.state)),
        el("div", {}, el("span", { class: "data" }, a.plate + (a.tractor_plate ? ` / ${a.tractor_plate}` : "")),
          ` · ${a.origin} → ${a.destination} · ${goods[a.goods] || a.goods}`),
        el("div", { class: "hint" }, `${W.valid_from} ${day(a.valid_from)} · ${W.valid_until} ${day(a.valid_until)} · ${W.drivers} ${a.drivers}`),
        el("div", { class: "hint" }, el("span", { class: "data" }, `${a.contact.name} ${a.contact.phone}`), ` · ${W.applied_at} ${day(a.applied_at)}`));
      if (a.pass_number) li.append(el("div", {}, el("a", { href: `/passes/${a.pass_number}`, class: "num" }, a.pass_number)));
      if (a.reason) li.append(el("div", { class: "hint" }, `${W.refuse_reason}: ${a.reason}`));
      if (a.state === "pending") li.append(decide(a));
      list.append(li);
    }
  }

  function decide(a) {
    const f = el("form", { class: "row decide", novalidate: "" });
    const reason = el("input", { maxlength: "500", class: "reason" });
    const slot = el("span", { class: "field-error", "data-for": "reason" });
    const label = el("label", { hidden: "" }, W.refuse_reason, reason, slot);
    const out = el("p", { class: "error", role: "alert" });
    const yes = el("button", { type: "button", class: "primary big", "data-act": "approve" }, W.approve);
    const no = el("button", { type: "button", class: "secondary", "data-act": "refuse" }, W.refuse);
    yes.onclick = async () => {
      clearRefusals(f);
      const r = await api("POST", `/api/v1/freight-pass-applications/${a.id}/approve`);
      if (r.status !== 201) { refuseBeside(f, r, out); return; }
      loadApplications(); load();
    };
    no.onclick = async () => {
      if (label.hidden) { label.hidden = false; reason.focus(); return; }
      clearRefusals(f);
      const r = await api("POST", `/api/v1/freight-pass-applications/${a.id}/refuse`, { reason: reason.value });
      if (r.status !== 200) { refuseBeside(f, r, out); return; }
      loadApplications();
    };
    f.append(label, yes, no, out);
    return f;
  }

  async function load() {
    if (applying) return;
    const q = new URLSearchParams();
    const plate = $("search-plate").value.trim().toUpperCase();
    if (plate) q.set("plate", plate);
    if ($("search-active").checked) q.set("active", "true");
    clearRefusals($("pass-search"));
    const r = await api("GET", `/api/v1/freight-passes?${q}`);
    if (r.status !== 200) { refuseBeside($("pass-search"), r, "pass-error"); return; }
    const body = $("passes").tBodies[0];
    body.textContent = "";
    if (!r.json.passes.length) body.append(el("tr", {}, el("td", { colspan: "6", class: "hint" }, W.none)));
    for (const p of r.json.passes) {
      body.append(el("tr", { "data-number": p.number },
        el("td", { class: "num" }, el("a", { href: `/passes/${p.number}` }, p.number)),
        el("td", {}, el("span", { class: "data" }, p.plate + (p.tractor_plate ? ` / ${p.tractor_plate}` : ""))),
        el("td", { class: "num" }, `${p.origin} → ${p.destination}`),
        el("td", {}, goods[p.goods] || p.goods),
        el("td", {}, state(p), el("br"), el("small", { class: "hint" }, day(p.valid_until))),
        el("td", {}, el("small", { class: "hint" }, p.issued_by))));
    }
  }

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals(form);
    $("pass-error").textContent = "";
    const via = $("pass-via").value.split(/[,，\s]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
    const drivers = [...$("pass-drivers").children].map((d) => ({ name: d.querySelector(".driver-name").value, phone: d.querySelector(".driver-phone").value }));
    const at = (v) => v ? `${v}:00+08:00` : "";
    const body = {
      plate: $("pass-plate").value.trim().toUpperCase(), origin: $("pass-origin").value.trim(),
      destination: $("pass-destination").value.trim(), via, goods: $("pass-goods").value, drivers,
      valid_from: at($("pass-from").value), valid_until: at($("pass-until").value),
    };
    if ($("pass-arrival").value) body.expected_arrival = at($("pass-arrival").value);
    const tractor = $("pass-tractor").value.trim().toUpperCase();
    if (tractor) body.tractor_plate = tractor;
    const sent = applying ? {
      carrier: $("apply-carrier").value,
      contact: { name: $("apply-contact-name").value, phone: $("apply-contact-phone").value },
      pass: body,
    } : body;
    const r = await api("POST", applying ? "/api/v1/freight-pass-applications" : "/api/v1/freight-passes", sent);
    if (r.status !== 201) {
      refuseBeside(form, r, "pass-error", (p) => {
        const f = (p.field || "").replace(/^pass\./, "");
        if (f.startsWith("contact.")) return f;
        return f.startsWith("drivers[") && f.includes(".") ? f : f.split(/[.[]/)[0];
      });
      return;
    }
    location.href = applying ? `/passes/apply/${r.json.reference}` : `/passes/${r.json.number}`;
  };
  if (applying) return;
  $("pass-search").onsubmit = (ev) => { ev.preventDefault(); load(); };
  load();
  loadApplications();
})();

(function passPage() {
  const card = $("pass-card");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  const number = card.dataset.number;
  async function load() {
    const r = await api("GET", `/api/v1/freight-passes/${number}`);
    if (r.status !== 200) { $("pass-error").textContent = r.json && r.json.error ? r.json.error.message : String(r.status); return; }
    showPass(r.json, W);
    if (r.json.revoked_at) $("revoke-form").hidden = true;
  }
  $("pass-print").onclick = () => window.print();
  $("revoke-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const f = $("revoke-form");
    clearRefusals(f);
    const r = await api("POST", `/api/v1/freight-passes/${number}/revoke`, { reason: $("revoke-reason").value });
    if (r.status !== 200) { refuseBeside(f, r, "pass-error"); return; }
    load();
  };
  load();
})();

// A carrier's application, followed by its reference: pending, refused with the reason, or
// approved with the pass to print.
(function appliedPage() {
  const card = $("applied-card");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  async function load() {
    const r = await api("GET", `/api/v1/freight-pass-applications/${card.dataset.reference}`);
    if (r.status !== 200) { $("pass-error").textContent = r.json && r.json.error ? r.json.error.message : String(r.status); return; }
    const a = r.json;
    const state = $("applied-state");
    state.textContent = "";
    state.append(el("span", { class: `tag${a.state === "refused" ? " bad" : a.state === "approved" ? " ok" : ""}` }, W[`state_${a.state}`] || a.state),
      ` ${a.carrier} · `, el("span", { class: "data" }, a.plate), a.reason ? ` · ${W.refuse_reason}: ${a.reason}` : "");
    if (a.pass) {
      $("applied-number").textContent = a.pass.number;
      showPass(a.pass, W);
      $("pass-print").hidden = false;
    } else {
      // What was asked for, until a pass answers it.
      const goods = Object.fromEntries(W.goods_names);
      const facts = $("pass-facts");
      facts.textContent = "";
      const row = (k, v) => facts.append(el("dt", {}, k), el("dd", {}, v));
      row(W.route, `${a.origin} → ${a.destination}`);
      row(W.goods, goods[a.goods] || a.goods);
      row(W.valid_from, passDay(a.valid_from));
      row(W.valid_until, passDay(a.valid_until));
      row(W.drivers, String(a.drivers));
      row(W.applied_at, passDay(a.applied_at));
    }
    return a.state;
  }
  $("pass-print").onclick = () => window.print();
  // A pending application is looked at again each half minute.
  (async function follow() {
    if ((await load()) === "pending") setTimeout(follow, 30000);
  })();
})();
