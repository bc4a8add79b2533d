// A passage's page: the record (masked), its decision with each person's reasons, its
// corrections, and a reveal for a stated purpose (audited).
"use strict";
(function passagePage() {
  const page = $("passage-page");
  if (!page) return;
  const W = JSON.parse($("words").textContent);
  const id = page.dataset.id;
  const when = (iso) => iso ? iso.slice(0, 19).replace("T", " ") : "";
  (async () => {
    const r = await api("GET", `/api/v1/passages/${id}`);
    if (r.status !== 200) { $("passage-error").textContent = r.status === 404 ? W.not_found : refusal(r); return; }
    const p = r.json, d = p.decision;
    $("decision").className = "decision o-" + d.outcome;
    $("decided-plate").textContent = p.vehicle ? p.vehicle.plate : W.pedestrian;
    $("outcome").textContent = outcomeLabel(d.outcome);
    for (const x of d.reasons) $("reasons").append(el("li", {}, (x.occupant !== undefined ? `${x.occupant + 1}. ` : "") + localized(x.message)));
    $("actions").textContent = d.actions.length ? `${T.actions}: ${d.actions.map(actionLabel).join("、")}` : "";
    const facts = [[W.at, when(p.observed_at)], [W.recorded, when(p.recorded_at)], [W.checkpoint, p.checkpoint], [W.lane, String(p.lane)],
      [W.direction, p.direction === "in" ? T.dir_in : T.dir_out], [W.vehicle, p.vehicle ? `${p.vehicle.plate} · ${p.vehicle.class}` : W.pedestrian],
      [W.route, `${p.origin || "–"} → ${p.destination || "–"}`], [W.policy, d.policy_version || "–"],
      [W.shift, p.shift ? `${when(p.shift.starts_at).slice(5, 16)}–${when(p.shift.ends_at).slice(11, 16)} · ${W.shift_lead} ${p.shift.lead}` : "–"]];
    for (const [k, v] of facts) $("facts").append(el("dt", {}, k), el("dd", {}, v));
    for (const [k, other] of [[W.supersedes, p.supersedes], [W.superseded_by, p.superseded_by]]) {
      if (other) $("facts").append(el("dt", {}, k), el("dd", {}, el("a", { href: `/passages/${other}` }, other)));
    }
    const body = $("persons").querySelector("tbody");
    p.occupants.forEach((o, i) => body.append(el("tr", {}, el("td", {}, String(i + 1)), el("td", {}, o.name), el("td", { class: "num" }, o.document.number),
      el("td", {}, o.phone || ""), el("td", {}, T[o.role] || o.role), el("td", {}, T[o.health_code] || o.health_code), el("td", {}, o.temperature_c ? `${o.temperature_c} ℃` : ""))));
    $("passage-body").hidden = false;
  })();
  const form = $("reveal");
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    const slot = form.querySelector(".field-error");
    slot.textContent = "";
    const r = await api("POST", `/api/v1/passages/${id}/reveal`, { purpose: $("purpose").value.trim() });
    if (r.status !== 200) { slot.textContent = r.json && r.json.error ? r.json.error.message : refusal(r); $("purpose").focus(); return; }
    const out = $("revealed");
    out.textContent = `${W.revealed}:`;
    for (const x of r.json.persons) out.append(el("div", {}, `${x.occupant + 1}. ${x.name} ${x.number}${x.phone ? " " + x.phone : ""}`));
    out.hidden = false;
  };
})();
