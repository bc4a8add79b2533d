// Freight passes: issue one (each refusal beside its field, the drivers' fields per driver),
// the passes issued (by plate, valid only), and a pass's printable page with its QR code and a
// revocation with its reason.
"use strict";
(function passesPage() {
  const form = $("pass-form");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const goods = Object.fromEntries(W.goods_names);
  const day = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  const local = (d) => chinaTime(d).slice(0, 16);

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

  async function load() {
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
    const r = await api("POST", "/api/v1/freight-passes", body);
    if (r.status !== 201) {
      refuseBeside(form, r, "pass-error", (p) => {
        const f = p.field || "";
        return f.startsWith("drivers[") && f.includes(".") ? f : f.split(/[.[]/)[0];
      });
      return;
    }
    location.href = `/passes/${r.json.number}`;
  };
  $("pass-search").onsubmit = (ev) => { ev.preventDefault(); load(); };
  load();
})();

(function passPage() {
  const card = $("pass-card");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  const goods = Object.fromEntries(W.goods_names);
  const number = card.dataset.number;
  const day = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  async function load() {
    const r = await api("GET", `/api/v1/freight-passes/${number}`);
    if (r.status !== 200) { $("pass-error").textContent = r.json && r.json.error ? r.json.error.message : String(r.status); return; }
    const p = r.json;
    $("pass-qr").innerHTML = p.qr_svg; // the hub's own SVG
    const facts = $("pass-facts");
    facts.textContent = "";
    const row = (k, v) => facts.append(el("dt", {}, k), el("dd", {}, v));
    row(W.plate, el("span", { class: "data" }, p.plate + (p.tractor_plate ? ` / ${p.tractor_plate}` : "")));
    row(W.route, `${p.origin} → ${p.destination}`);
    row(W.via, p.via.length ? p.via.join("、") : W.any_checkpoint);
    row(W.goods, goods[p.goods] || p.goods);
    row(W.drivers, el("span", { class: "data" }, p.drivers.map((d) => `${d.name} ${d.phone}`).join("；")));
    row(W.valid_from, day(p.valid_from));
    row(W.valid_until, day(p.valid_until));
    if (p.expected_arrival) row(W.expected_arrival, day(p.expected_arrival));
    row(W.issued_by, `${p.issued_by} · ${day(p.issued_at)}`);
    if (p.revoked_at) {
      row(W.state, el("span", { class: "tag bad" }, `${W.revoked} · ${p.revoked_reason}`));
      $("revoke-form").hidden = true;
    }
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
