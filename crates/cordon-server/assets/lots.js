// The holding lots' desk: the jurisdiction's lots (trucks in against bays), the freight alerts
// (a positive PCR after a release, a pass's vehicle off its route or overdue: where it was sent
// from or left its route, where it was seen, the checkpoints ahead, closed with what was done),
// and for a commander a new lot with its zones (each refusal beside its field). Also the bays'
// QR sheet.
"use strict";
(function lotsPage() {
  const table = $("lots");
  if (!table) return;
  const W = JSON.parse($("words").textContent);
  const zoneKinds = W.zone_kinds;
  const when = (iso) => iso ? iso.slice(5, 16).replace("T", " ") : "";

  async function loadLots() {
    const r = await api("GET", "/api/v1/lots");
    if (r.status !== 200) return;
    const body = table.tBodies[0];
    body.textContent = "";
    if (!r.json.lots.length) body.append(el("tr", {}, el("td", { colspan: "3", class: "hint" }, W.none)));
    for (const l of r.json.lots) {
      const over = l.present > l.bays;
      body.append(el("tr", { "data-id": l.id },
        el("td", {}, el("a", { href: `/lots/${l.id}` }, l.name), el("br"), el("small", { class: "hint" }, `${l.division} · `, el("span", { class: "data" }, l.address))),
        el("td", {}, el("span", { class: over ? "tag bad" : "tag" }, `${l.present} / ${l.bays}`)),
        el("td", {}, l.checkpoints.map((c) => c.name).join("、") || W.none)));
    }
  }

  function seen(s) { return `${s.checkpoint_name} (${s.checkpoint}) ${when(s.at)}`; }

  async function loadAlerts() {
    const r = await api("GET", "/api/v1/freight-alerts");
    if (r.status !== 200) return;
    const ul = $("alerts");
    ul.textContent = "";
    if (!r.json.alerts.length) ul.append(el("li", { class: "hint" }, W.none));
    for (const a of r.json.alerts) {
      const kind = { off_route: W.alert_off_route, overdue: W.alert_overdue }[a.kind] || W.alert_pcr;
      const li = el("li", { class: `alert ${a.closed_at ? "closed" : "open"} k-${a.kind}`, "data-id": a.id },
        el("b", {}, el("span", { class: "data" }, a.plate), ` · ${kind}`), el("span", { class: "hint" }, el("span", { class: "data" }, ` ${a.lot_name || ""}`), ` · ${when(a.raised_at)}`));
      if (a.pass) li.append(el("div", {}, `${W.pass}: `, el("a", { href: `/passes/${a.pass}`, class: "data" }, a.pass)));
      if (a.sent_from) li.append(el("div", {}, `${W.sent_from}: ${seen(a.sent_from)}`));
      if (a.off_route_at) li.append(el("div", { class: "off-route" }, `${W.off_route_at}: ${seen(a.off_route_at)}`));
      if (a.expected_arrival) li.append(el("div", {}, `${W.expected_arrival}: ${when(a.expected_arrival)}`));
      const trail = a.lot ? W.seen_since : W.seen_recently;
      li.append(el("div", { class: "seen-since" }, `${trail}: `,
        a.seen_since.length ? a.seen_since.map(seen).join(" ← ") : (a.lot ? W.not_seen : W.none)));
      if (a.ahead && a.ahead.length) li.append(el("div", { class: "ahead" }, `${W.ahead}: `, a.ahead.join(" → ")));
      if (a.closed_at) {
        li.append(el("div", { class: "hint" }, `${W.closed}: ${a.closed_note} · ${a.closed_by} · ${when(a.closed_at)}`));
      } else {
        const note = el("input", { maxlength: "500", placeholder: W.close_note, "aria-label": W.close_note });
        const slot = el("span", { class: "field-error", "data-for": "note" });
        const form = el("form", { class: "row close-alert", novalidate: "" }, el("label", {}, note, slot),
          el("button", { type: "submit", class: "secondary" }, W.close));
        form.onsubmit = async (ev) => {
          ev.preventDefault();
          clearRefusals(form);
          const c = await api("POST", `/api/v1/freight-alerts/${a.id}/close`, { note: note.value });
          if (c.status !== 200) { refuseBeside(form, c, slot); return; }
          loadAlerts();
        };
        li.append(form);
      }
      ul.append(li);
    }
  }

  function zoneRow(kind, name, capacity) {
    const i = $("zones").children.length;
    const select = el("select", { class: "zone-kind" });
    for (const [code, label] of zoneKinds) select.append(el("option", { value: code }, label));
    select.value = kind;
    return el("div", { class: "row zone" },
      el("label", {}, W.zone_kind, select),
      el("label", {}, W.zone_name, el("input", { class: "zone-name", maxlength: "40", value: name }),
        el("span", { class: "field-error", "data-for": `zones[${i}].name` })),
      el("label", {}, W.capacity, el("input", { class: "zone-capacity num", type: "number", min: "1", value: String(capacity) }),
        el("span", { class: "field-error", "data-for": `zones[${i}].capacity` })));
  }

  const form = $("lot-form");
  if (form) {
    $("zones").append(zoneRow("work", zoneKinds[0][1], 60));
    $("zones").append(zoneRow("parking", zoneKinds[2][1], 400));
    $("zones").append(zoneRow("isolation", zoneKinds[3][1], 20));
    $("add-zone").onclick = () => $("zones").append(zoneRow("parking", "", 100));
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      clearRefusals(form);
      $("lot-error").textContent = "";
      const zones = [...$("zones").children].map((z) => ({
        kind: z.querySelector(".zone-kind").value,
        name: z.querySelector(".zone-name").value,
        capacity: +z.querySelector(".zone-capacity").value || 0,
      }));
      const checkpoints = $("lot-checkpoints").value.split(/[,，\s]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
      const body = { name: $("lot-name").value, division: $("lot-division").value.trim(), address: $("lot-address").value, zones, checkpoints };
      const r = await api("POST", "/api/v1/lots", body);
      if (r.status !== 201) {
        refuseBeside(form, r, "lot-error", (p) => {
          const f = p.field || "";
          return f.startsWith("zones[") && f.includes(".") ? f : f.split(/[.[]/)[0];
        });
        return;
      }
      location.href = `/lots/${r.json.id}`;
    };
  }
  loadLots(); loadAlerts();
})();

(function codesPage() {
  const form = $("codes-form");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const lot = form.dataset.lot;
  async function load() {
    $("codes-error").textContent = "";
    const r = await api("GET", `/api/v1/lots/${lot}/bay-codes?from=${+$("codes-from").value || 1}&to=${+$("codes-to").value || 1}`);
    const box = $("codes");
    box.textContent = "";
    if (r.status !== 200) { $("codes-error").textContent = r.json && r.json.error ? r.json.error.message : String(r.status); return; }
    $("codes-title").textContent = "";
    $("codes-title").append(el("span", { class: "data" }, r.json.lot));
    for (const c of r.json.codes) {
      const img = el("div", { class: "qr" });
      img.innerHTML = c.qr_svg; // the hub's own SVG
      box.append(el("figure", { class: "bay-code" }, img,
        el("figcaption", {}, el("b", {}, `${W.bay} ${c.bay}`), el("br"), `${r.json.lot} · ${W.bay_title}`)));
    }
  }
  form.onsubmit = (ev) => { ev.preventDefault(); load(); };
  $("codes-print").onclick = () => window.print();
  load();
})();
