// Who is on duty now at every checkpoint in the account's scope: the open ones with nobody on
// duty first (marked), then the rest; a filter by code or name; read again every minute.
"use strict";
(function dutyPage() {
  const table = $("duty");
  if (!table) return;
  const W = JSON.parse($("words").textContent);
  const when = (iso) => iso ? iso.slice(5, 16).replace("T", " ") : "";
  let all = [];

  function show() {
    const q = $("duty-filter").value.trim().toLowerCase();
    const only = $("only-uncovered").checked;
    const body = table.tBodies[0];
    body.textContent = "";
    let shown = 0;
    for (const d of all) {
      if (only && !d.uncovered) continue;
      if (q && !d.checkpoint.toLowerCase().includes(q) && !d.checkpoint_name.toLowerCase().includes(q)) continue;
      if (++shown > 500) break;
      const s = d.on_duty;
      const tr = el("tr", { class: d.uncovered ? "uncovered" : "", "data-code": d.checkpoint },
        el("td", {}, el("a", { href: `/duty/${d.checkpoint}` }, d.checkpoint_name), el("br"), el("small", { class: "num" }, d.checkpoint)),
        el("td", {}, s ? s.lead : el("span", { class: "tag bad" }, d.uncovered ? W.nobody : "—")),
        el("td", {}, s ? `${s.officers + s.volunteers} ${W.people}` : ""),
        el("td", {}, s ? when(s.ends_at) : ""),
        el("td", {}, d.next_starts_at ? when(d.next_starts_at) : W.none_planned));
      body.append(tr);
    }
  }

  async function load() {
    const r = await api("GET", "/api/v1/duty");
    if (r.status !== 200) { say("duty-msg", refusal(r), false); return; }
    all = r.json.checkpoints;
    $("uncovered-count").textContent = `${W.uncovered} ${r.json.uncovered}`;
    $("covered-count").textContent = `${W.covered} ${r.json.covered}`;
    show();
  }

  $("duty-filter").oninput = show;
  $("only-uncovered").onchange = show;
  load();
  setInterval(load, 60000);
})();
