// The dashboard: its live part is fetched again every 15 seconds; checkpoints can be opened or
// closed in bulk with a reason. On a checkpoint's page, its latest passages (masked).
"use strict";
(function dashboard() {
  const live = $("live");
  if (live) setInterval(async () => {
    const r = await fetch("/dashboard/live", { credentials: "same-origin" });
    if (r.ok) live.innerHTML = await r.text();
  }, 15000);

  const filter = $("filter");
  if (filter) filter.oninput = () => {
    const q = filter.value.trim().toLowerCase();
    for (const tr of document.querySelectorAll("#checkpoints tbody tr")) tr.hidden = q !== "" && !tr.textContent.toLowerCase().includes(q);
  };
  const all = $("all");
  if (all) all.onchange = () => { for (const c of document.querySelectorAll(".pick")) if (!c.closest("tr").hidden) c.checked = all.checked; };
  for (const b of document.querySelectorAll("#bulk button")) b.onclick = async () => {
    const codes = [...document.querySelectorAll(".pick:checked")].map((c) => c.value);
    const out = $("bulk-msg");
    if (codes.length === 0) { out.textContent = `0 ${T.selected}`; out.className = "msg bad"; return; }
    const reason = $("bulk-reason").value.trim();
    if (!confirm(T.confirm_status.replace("{n}", codes.length).replace("{s}", b.dataset.status === "open" ? T.open : T.closed).replace("{r}", reason || "–"))) return;
    const r = await api("POST", "/api/v1/checkpoints/status", { codes, status: b.dataset.status, reason });
    if (r.status === 200) { out.textContent = `${T.done}: ${codes.length}`; out.className = "msg ok"; setTimeout(() => location.reload(), 800); } else { out.textContent = refusal(r); out.className = "msg bad"; }
  };

  // Each edge station's series at the hub and how far behind it is.
  const stations = $("stations");
  async function loadStations() {
    const r = await api("GET", "/api/v1/stations");
    if (r.status !== 200) return;
    stations.textContent = "";
    for (const s of r.json.stations) {
      const lag = s.lag_seconds === null ? "–" : `${Math.round(s.lag_seconds / 60)} ${T.minutes}`;
      stations.append(el("tr", {}, el("td", {}, s.account), el("td", {}, s.checkpoint), el("td", {}, String(s.high_water)),
        el("td", {}, s.last_sync_at ? s.last_sync_at.slice(5, 16).replace("T", " ") : T.never), el("td", {}, lag)));
    }
    if (!r.json.stations.length) stations.append(el("tr", {}, el("td", { colspan: "5" }, T.no_data)));
  }
  if (stations) { loadStations(); setInterval(loadStations, 15000); }

  const revoke = $("revoke");
  if (revoke) revoke.onsubmit = async (ev) => {
    ev.preventDefault();
    const id = $("revoke-id").value.trim(), out = $("revoke-msg");
    const r = await api("POST", `/api/v1/declarations/${encodeURIComponent(id)}/revoke`, { reason: $("revoke-reason").value.trim() });
    out.textContent = r.status === 200 ? `${T.done}: ${r.json.revoked_at.slice(0, 16).replace("T", " ")}` : refusal(r);
    out.className = "msg " + (r.status === 200 ? "ok" : "bad");
  };

  const page = $("checkpoint-page");
  if (page) (async () => {
    const from = encodeURIComponent(chinaTime(new Date(Date.now() - 24 * 3600e3)));
    const r = await api("GET", `/api/v1/checkpoints/${encodeURIComponent(page.dataset.code)}/passages?from=${from}&limit=100`);
    const body = $("passages");
    if (r.status !== 200) { body.append(el("tr", {}, el("td", { colspan: "4" }, refusal(r)))); return; }
    for (const p of r.json.passages.slice().reverse()) {
      body.append(el("tr", {}, el("td", {}, el("a", { href: `/passages/${p.id}` }, p.observed_at.slice(5, 16).replace("T", " "))), el("td", {}, p.vehicle ? p.vehicle.plate : T.pedestrian),
        el("td", {}, String(p.occupants.length)), el("td", { class: "o-" + p.decision.outcome }, outcomeLabel(p.decision.outcome))));
    }
    if (!r.json.passages.length) body.append(el("tr", {}, el("td", { colspan: "4" }, T.no_data)));
  })();
})();
