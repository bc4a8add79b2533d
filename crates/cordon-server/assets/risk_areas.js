// The risk-area page: the register by date, division and level; add and end an area; import a
// health commission's list from a CSV or Excel file, each bad row reported with its line.
"use strict";
(function riskAreas() {
  const form = $("filter");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const when = (ms) => ms ? chinaTime(new Date(ms)).slice(0, 16).replace("T", " ") : W.lasting;
  const local = (d) => chinaTime(d).slice(0, 16);
  const beside = (scope, r, fallback) => refuseBeside(scope, r, fallback,
    (e) => (e.field || "").replace(/^areas\[\d+\]\./, "").split(/[.[]/)[0]);
  const clear = clearRefusals;


  async function load() {
    clear(form);
    const q = new URLSearchParams();
    if ($("at").value) q.set("at", $("at").value + ":00+08:00");
    if ($("within").value.trim()) q.set("within", $("within").value.trim());
    if ($("level").value) q.set("level", $("level").value);
    const r = await api("GET", "/api/v1/risk-areas?" + q.toString());
    const body = $("areas").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { beside(form, r, "row-msg"); return; }
    const now = Date.now();
    $("count").textContent = W.count.replace("{n}", r.json.areas.length);
    for (const a of [...r.json.areas].reverse()) {
      const open = !a.valid_to_ms || a.valid_to_ms > now;
      const act = el("td", { class: "actions" });
      if (open) {
        const why = el("input", { class: "end-reason", placeholder: W.end_reason, "aria-label": W.end_reason, maxlength: "500" });
        act.append(why, el("button", { type: "button", class: "secondary small end", onclick: async () => {
          const r = await api("POST", `/api/v1/risk-areas/${a.id}/end`, { reason: why.value.trim() });
          if (r.status !== 200) { say("row-msg", refusal(r), false); why.focus(); return; }
          say("row-msg", W.ended, true);
          load();
        } }, W.end));
      }
      body.append(el("tr", { "data-id": String(a.id) }, el("td", {}, a.division), el("td", {}, a.area || "–"),
        el("td", { class: "risk-" + a.level }, W["level_" + a.level] || a.level), el("td", {}, when(a.valid_from_ms)),
        el("td", {}, when(a.valid_to_ms)), el("td", {}, a.source), el("td", {}, a.actor), act));
    }
  }
  form.onsubmit = (ev) => { ev.preventDefault(); load(); };

  $("add-from").value = local(new Date());
  $("add").onsubmit = async (ev) => {
    ev.preventDefault();
    const f = $("add");
    clear(f);
    const area = { division: $("add-division").value.trim(), area: $("add-area").value.trim(), level: $("add-level").value,
      valid_from: ($("add-from").value || local(new Date())) + ":00+08:00" };
    if ($("add-to").value) area.valid_to = $("add-to").value + ":00+08:00";
    const r = await api("POST", "/api/v1/risk-areas", { areas: [area] });
    if (r.status !== 201) { beside(f, r, "add-msg"); return; }
    say("add-msg", W.added, true);
    const level = W["level_" + area.level] || area.level, from = area.valid_from.slice(0, 16).replace("T", " ");
    const fill = (s) => s.replace("{a}", area.area || area.division).replace("{d}", area.division).replace("{l}", level).replace("{t}", from);
    offerDirective("add-msg", fill(T.draft_risk_title), fill(T.draft_risk_text));
    $("add-area").value = "";
    load();
  };

  $("import").onsubmit = async (ev) => {
    ev.preventDefault();
    const file = $("file").files[0];
    const list = $("import-problems");
    list.textContent = "";
    if (!file) { $("file").focus(); return; }
    const xlsx = /\.xlsx$/i.test(file.name);
    const type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
    const q = new URLSearchParams({ name: file.name });
    if ($("skip").checked) q.set("skip_bad_rows", "true");
    const r = await fetch("/api/v1/risk-areas/import?" + q.toString(), {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "content-type": type, "x-csrf-token": CSRF, "accept-language": document.documentElement.lang },
    });
    let json = null;
    try { json = await r.json(); } catch (_) { /* none */ }
    const problems = (json && (json.problems || json.skipped)) || [];
    for (const p of problems) list.append(el("li", {}, `${p.line ? W.line.replace("{n}", p.line) : ""} ${p.field ? p.field + ": " : ""}${p.message}`));
    if (r.status === 201) {
      say("import-msg", W.imported.replace("{r}", json.rows).replace("{n}", json.imported) + (problems.length ? ` · ${W.skipped}: ${problems.length}` : ""), true);
      load();
    } else say("import-msg", problems.length ? W.refused_rows : refusal({ status: r.status, json }), false);
  };
  load();
})();
