// The network pages: checkpoints listed, filtered, opened and closed in bulk after a
// confirmation that says how many will change, created; jurisdictions created and renamed; and
// on a checkpoint's page its status history, opening or closing it, and its details edited.
"use strict";
(function network() {
  const wordsEl = $("words");
  if (!wordsEl || (!$("cp-filter") && !$("checkpoint-page"))) return;
  const W = JSON.parse(wordsEl.textContent);
  const KINDS = ["toll_station", "highway_exit", "national_road", "provincial_road", "village_road", "railway_station"];
  const LINES = ["province_border", "inland", "capital_ring"];
  const when = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  function fill(select, codes, prefix) {
    if (!select) return;
    for (const c of codes) select.append(el("option", { value: c }, W[prefix + c] || c));
    if (select.dataset.value) select.value = select.dataset.value;
  }
  function beside(form, r, msgId) {
    clearRefusals(form);
    refuseBeside(form, r, msgId);
  }
  // Opens or closes `codes` with `reason` after a confirmation naming how many.
  async function setStatus(codes, status, reason, msgId) {
    if (codes.length === 0) { say(msgId, W.none_selected, false); return false; }
    const ask = (status === "closed" ? W.confirm_close : W.confirm_open).replace("{n}", codes.length).replace("{r}", reason || "–");
    if (!confirm(ask)) return false;
    const r = await api("POST", "/api/v1/checkpoints/status", { codes, status, reason });
    if (r.status !== 200) { say(msgId, refusal(r), false); return false; }
    say(msgId, W.changed.replace("{n}", r.json.changed.length).replace("{u}", r.json.unchanged.length), true);
    return true;
  }

  const page = $("checkpoint-page");
  if (page) {
    const code = page.dataset.code;
    fill($("e-kind"), KINDS, "kind_"); fill($("e-line"), LINES, "line_");
    (async () => {
      const r = await api("GET", `/api/v1/checkpoints/${encodeURIComponent(code)}/history`);
      const body = $("history").querySelector("tbody");
      if (r.status !== 200) return;
      for (const e of [...r.json.events].reverse()) {
        body.append(el("tr", {}, el("td", {}, when(e.at)), el("td", { class: "st-" + e.status }, W[e.status] || e.status), el("td", {}, e.reason), el("td", {}, e.actor)));
      }
      if (!r.json.events.length) body.append(el("tr", {}, el("td", { colspan: "4" }, W.no_history)));
    })();
    $("cp-toggle").onclick = async () => {
      const b = $("cp-toggle");
      if (await setStatus([code], b.dataset.status, $("cp-reason").value.trim(), "cp-msg")) setTimeout(() => location.reload(), 600);
    };
    $("cp-edit").onsubmit = async (ev) => {
      ev.preventDefault();
      const body = { name: $("e-name").value.trim(), kind: $("e-kind").value, defence_line: $("e-line").value,
        lanes: +$("e-lanes").value, location: { lat: +$("e-lat").value, lon: +$("e-lon").value } };
      const r = await api("PATCH", `/api/v1/checkpoints/${encodeURIComponent(code)}`, body);
      if (r.status !== 200) { beside($("cp-edit"), r, "edit-msg"); return; }
      say("edit-msg", W.saved, true);
    };
    return;
  }

  fill($("a-kind"), KINDS, "kind_"); fill($("a-line"), LINES, "line_");
  let all = [];
  function draw() {
    const q = $("q").value.trim().toLowerCase(), st = $("status").value, within = $("within").value.trim();
    const body = $("checkpoints").querySelector("tbody");
    body.textContent = "";
    const shown = all.filter((c) => (!st || c.status === st) && (!within || c.jurisdiction.startsWith(within.replace(/0+$/, ""))) &&
      (!q || `${c.code} ${c.name}`.toLowerCase().includes(q)));
    for (const c of shown.slice(0, 2000)) {
      body.append(el("tr", { "data-code": c.code },
        el("td", {}, el("input", { type: "checkbox", class: "pick", value: c.code, "aria-label": c.code })),
        el("td", {}, el("a", { href: `/checkpoints/${c.code}` }, c.name), " ", el("small", {}, c.code)),
        el("td", { class: "st-" + c.status }, W[c.status] || c.status), el("td", {}, W["kind_" + c.kind] || c.kind),
        el("td", {}, W["line_" + c.defence_line] || c.defence_line), el("td", {}, c.jurisdiction), el("td", {}, String(c.lanes))));
    }
    $("cp-count").textContent = `(${W.count.replace("{n}", shown.length)})`;
    $("all").checked = false;
  }
  async function load() {
    const [c, j] = await Promise.all([api("GET", "/api/v1/checkpoints"), api("GET", "/api/v1/jurisdictions")]);
    if (c.status === 200) { all = c.json.checkpoints; draw(); }
    if (j.status === 200) {
      const body = $("jurisdictions").querySelector("tbody");
      body.textContent = "";
      for (const x of j.json.jurisdictions) {
        const name = el("input", { value: x.name, "aria-label": W.name, class: "rename", maxlength: "100" });
        body.append(el("tr", {}, el("td", {}, x.code), el("td", {}, name), el("td", {}, x.parent || ""),
          el("td", {}, el("button", { type: "button", class: "secondary small", onclick: async () => {
            const r = await api("PATCH", `/api/v1/jurisdictions/${x.code}`, { name: name.value.trim() });
            say("j-msg", r.status === 200 ? W.saved : refusal(r), r.status === 200);
          } }, W.rename))));
      }
    }
  }
  for (const id of ["q", "within", "status"]) $(id).oninput = draw;
  $("status").onchange = draw;
  $("cp-filter").onsubmit = (ev) => { ev.preventDefault(); draw(); };
  $("all").onchange = () => { for (const c of document.querySelectorAll(".pick")) c.checked = $("all").checked; };
  for (const b of document.querySelectorAll("#bulk button")) b.onclick = async () => {
    const codes = [...document.querySelectorAll(".pick:checked")].map((c) => c.value);
    if (await setStatus(codes, b.dataset.status, $("bulk-reason").value.trim(), "bulk-msg")) load();
  };
  $("cp-add").onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { code: $("a-code").value.trim().toUpperCase(), name: $("a-name").value.trim(), jurisdiction: $("a-jurisdiction").value.trim(),
      kind: $("a-kind").value, defence_line: $("a-line").value, lanes: +$("a-lanes").value,
      location: { lat: +$("a-lat").value, lon: +$("a-lon").value } };
    const r = await api("POST", "/api/v1/checkpoints", body);
    if (r.status !== 201) { beside($("cp-add"), r, "add-msg"); return; }
    say("add-msg", W.saved, true);
    load();
  };
  $("j-add").onsubmit = async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/api/v1/jurisdictions", { code: $("j-code").value.trim(), name: $("j-name").value.trim() });
    if (r.status !== 201) { beside($("j-add"), r, "j-msg"); return; }
    say("j-msg", W.saved, true);
    load();
  };
  load();
})();
