// A driver's page from the QR code at a bay: which lot and bay, three big buttons (food,
// water, a medic), and what was asked today and whether it was handled. No account.
"use strict";
(function bayPage() {
  const card = $("bay-card");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  const needs = Object.fromEntries(W.needs);
  const token = decodeURIComponent(location.pathname.split("/").pop());
  async function load() {
    const r = await api("GET", `/api/v1/bays/${encodeURIComponent(token)}`);
    if (r.status !== 200) {
      $("bay-error").textContent = r.json && r.json.error ? r.json.error.message : String(r.status);
      for (const b of card.querySelectorAll("button.need")) b.disabled = true;
      return;
    }
    $("bay-where").textContent = `${r.json.lot.name} · ${W.bay} ${r.json.bay}`;
    const ul = $("bay-requests");
    ul.textContent = "";
    for (const q of r.json.requests) {
      ul.append(el("li", { class: q.closed_at ? "done" : "open" },
        el("b", {}, needs[q.need] || q.need), ` ${clock(q.asked_at)} · `,
        q.closed_at ? `${W.handled} ${clock(q.closed_at)}` : W.asked));
    }
  }
  for (const b of card.querySelectorAll("button.need")) {
    b.onclick = async () => {
      $("bay-error").textContent = "";
      const r = await api("POST", `/api/v1/bays/${encodeURIComponent(token)}/requests`, { need: b.dataset.need });
      if (r.status !== 201) { $("bay-error").textContent = r.json && r.json.error ? r.json.error.message : String(r.status); return; }
      load();
    };
  }
  load();
})();
