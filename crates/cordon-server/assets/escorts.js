// Escorts: a commander assigns one (each refusal beside its field); everyone on the page sees
// the escorts of their checkpoints or jurisdiction, late ones marked, and takes the next step
// with one tap (handing over asks who received it, cancelling asks why, each refused beside its
// field).
"use strict";
(function escortsPage() {
  const list = $("escorts");
  if (!list) return;
  const W = JSON.parse($("words").textContent);
  const kinds = Object.fromEntries(W.kinds);
  const states = Object.fromEntries(W.states);
  const steps = Object.fromEntries(W.steps);
  const day = (iso) => iso ? chinaTime(new Date(iso)).slice(5, 16).replace("T", " ") : "";
  const words = (v) => v.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

  // A convoy's plates folded away past a few, each plate kept whole on its line.
  function vehicles(e) {
    const persons = e.persons ? ` · ${e.persons} ${W.persons_unit}` : "";
    const plates = el("span", { class: "data plates" }, ...e.vehicles.map((p) => el("span", {}, p)));
    if (e.vehicles.length <= 4) return el("div", {}, `${W.vehicles}: `, plates, persons);
    return el("details", {}, el("summary", {}, `${W.vehicles}: ${e.vehicles.length}${persons}`), plates);
  }

  function card(e) {
    const li = el("li", { class: `escort s-${e.state}${e.late ? " late" : ""}`, "data-id": e.id },
      el("b", {}, `${kinds[e.kind] || e.kind} · `, el("span", { class: "tag" }, states[e.state] || e.state)),
      e.late ? el("span", { class: "tag bad" }, ` ${W.late}`) : "",
      el("div", {}, `${e.lot_name ? `${e.lot_name} · ` : ""}${e.checkpoint_name} (${e.checkpoint}) → ${e.destination}`),
      el("div", { class: "hint" }, `${W.route}: ${e.route}`),
      el("div", {}, `${W.planned_arrival}: ${day(e.planned_arrival)}`),
      vehicles(e),
      el("div", {}, `${W.officers}: ${e.officers.join("、")}`));
    if (e.note) li.append(el("div", { class: "hint" }, e.note));
    const trail = [`${W.assigned} ${e.assigned_by} ${day(e.assigned_at)}`].concat(
      e.steps.map((s) => `${steps[s.step] || s.step} ${s.by} ${day(s.at)}${s.said ? ` (${s.said})` : ""}`));
    li.append(el("div", { class: "hint trail" }, trail.join(" → ")));
    if (e.next.length) li.append(stepForm(e));
    return li;
  }

  function stepForm(e) {
    const form = el("form", { class: "row escort-step", novalidate: "" });
    const said = el("input", { maxlength: "500", class: "said" });
    const slot = el("span", { class: "field-error" });
    const label = el("label", { hidden: "" }, el("span", { class: "said-label" }), said, slot);
    form.append(label);
    let asking = null;
    for (const s of e.next) {
      if (s === "cancel" && !$("escort-form")) continue;
      const b = el("button", { type: "button", class: s === "cancel" ? "secondary" : "primary big", "data-step": s }, steps[s] || s);
      b.onclick = async () => {
        const needs = s === "hand_over" ? "received_by" : s === "cancel" ? "note" : null;
        if (needs && asking !== s) {
          asking = s;
          label.hidden = false;
          label.querySelector(".said-label").textContent = needs === "received_by" ? W.received_by : W.reason;
          slot.dataset.for = needs;
          slot.textContent = "";
          said.focus();
          return;
        }
        const body = { step: s };
        if (needs) body[needs] = said.value;
        clearRefusals(form);
        const r = await api("POST", `/api/v1/escorts/${e.id}/steps`, body);
        if (r.status !== 200) { refuseBeside(form, r, slot); return; }
        load();
      };
      form.append(b);
    }
    return form;
  }

  async function load() {
    const r = await api("GET", "/api/v1/escorts");
    if (r.status !== 200) return;
    list.textContent = "";
    if (!r.json.escorts.length) list.append(el("li", { class: "hint" }, W.none));
    for (const e of r.json.escorts) list.append(card(e));
  }

  const form = $("escort-form");
  if (form) {
    $("escort-arrival").value = chinaTime(new Date(Date.now() + 2 * 3600e3)).slice(0, 16);
    // The jurisdiction's lots: an escort may lead a lot's trucks out, from a checkpoint that
    // sends to it.
    api("GET", "/api/v1/lots").then((r) => {
      if (r.status !== 200 || !r.json.lots.length) return;
      for (const l of r.json.lots) $("escort-lot").append(el("option", { value: String(l.id) }, l.name));
      $("escort-lot-field").hidden = false;
      $("escort-lot").onchange = () => {
        const l = r.json.lots.find((x) => String(x.id) === $("escort-lot").value);
        if (l && l.checkpoints.length && !$("escort-checkpoint").value.trim()) $("escort-checkpoint").value = l.checkpoints[0].code;
      };
    }).catch(() => null);
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      clearRefusals(form);
      $("escort-error").textContent = "";
      const arrival = $("escort-arrival").value;
      const body = {
        kind: $("escort-kind").value, checkpoint: $("escort-checkpoint").value.trim().toUpperCase(),
        destination: $("escort-destination").value, route: $("escort-route").value,
        vehicles: words($("escort-vehicles").value.toUpperCase()), officers: words($("escort-officers").value),
        planned_arrival: arrival ? `${arrival}:00+08:00` : "",
      };
      if ($("escort-lot").value) body.lot = Number($("escort-lot").value);
      const persons = $("escort-persons").value.trim();
      if (persons) body.persons = Number(persons);
      if ($("escort-note").value.trim()) body.note = $("escort-note").value;
      const r = await api("POST", "/api/v1/escorts", body);
      if (r.status !== 201) { refuseBeside(form, r, "escort-error"); return; }
      form.reset();
      $("escort-arrival").value = chinaTime(new Date(Date.now() + 2 * 3600e3)).slice(0, 16);
      load();
    };
  }
  load();
  setInterval(load, 30000);
})();
