// The daily report: a day for the commander's jurisdiction, a line per city, county or
// checkpoint (a line opens the level below, and the way back up is kept in the address), the
// total at the foot, positives and when the day was kept; printable and as an Excel workbook.
"use strict";
(function dailyPage() {
  const table = $("daily");
  if (!table) return;
  const W = JSON.parse($("words").textContent);
  const params = new URLSearchParams(location.search);
  const yesterday = new Date(Date.now() + 8 * 3600e3 - 86400e3).toISOString().slice(0, 10);
  $("daily-day").value = params.get("day") || yesterday;
  let trail = (params.get("trail") || "").split(",").filter(Boolean);

  function cells(code, name, f, link) {
    const first = link ? el("a", { href: "#", "data-scope": code }, name) : name;
    return [el("td", {}, first, el("br"), el("small", { class: "num" }, code)),
      ...[f.checkpoints, f.vehicles, f.persons, f.passed, f.tested_on_site, f.held, f.referred, f.turned_back,
        f.directives_acknowledged, f.directives_overdue, f.reports_raised, f.reports_closed, f.shifts]
        .map((n) => el("td", { class: "n" }, n.toLocaleString())),
      el("td", { class: "n" }, `${f.checkpoints ? Math.floor(f.covered_minutes * 100 / (f.checkpoints * 1440)) : 0}%`)];
  }

  function query() {
    const q = new URLSearchParams({ day: $("daily-day").value });
    const scope = trail[trail.length - 1];
    if (scope) q.set("scope", scope);
    if ($("daily-live").checked) q.set("live", "true");
    return q;
  }

  async function load() {
    clearRefusals(document);
    const q = query();
    const r = await api("GET", `/api/v1/daily-reports?${q}`);
    if (r.status !== 200) { refuseBeside(document, r, "daily-msg"); return; }
    $("daily-msg").textContent = "";
    const d = r.json;
    $("daily-name").textContent = `${d.name} · ${d.day}`;
    const at = d.kept_at || chinaTime(new Date());
    $("daily-kept").textContent = `${d.kept_at ? W.kept : W.counted} ${at.slice(5, 16).replace("T", " ")}`;
    const p = d.positives;
    const [open, close] = document.documentElement.lang.startsWith("zh") ? ["（", "）"] : [" (", ")"];
    $("daily-positives").textContent = p ? `${W.positives}: ${W.pcr} ${p.pcr_tubes} ${W.tubes_unit}${open}${p.pcr_persons} ${W.persons_unit}${close} · ${W.antigen} ${p.antigen} ${W.persons_unit}` : "";
    const body = table.tBodies[0];
    body.textContent = "";
    for (const l of d.lines) body.append(el("tr", {}, ...cells(l.code, l.name, l.figures, d.level !== "county")));
    if (!d.lines.length && d.level !== "checkpoint") body.append(el("tr", {}, el("td", { colspan: "15", class: "hint" }, W.none)));
    table.tFoot.textContent = "";
    table.tFoot.append(el("tr", { class: "total" }, ...cells(d.scope, `${W.total} · ${d.name}`, d.total, false)));
    $("daily-up").hidden = trail.length === 0;
    q.set("lang", document.documentElement.lang.startsWith("zh") ? "zh" : "en");
    $("daily-excel").href = `/api/v1/daily-reports.xlsx?${q}`;
    const here = new URLSearchParams({ day: $("daily-day").value });
    if (trail.length) here.set("trail", trail.join(","));
    history.replaceState(null, "", `/daily?${here}`);
  }

  table.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-scope]");
    if (!a) return;
    ev.preventDefault();
    trail.push(a.dataset.scope);
    load();
  });
  $("daily-up").onclick = () => { trail.pop(); load(); };
  $("daily-day").onchange = load;
  $("daily-live").onchange = load;
  $("daily-print").onclick = () => window.print();
  load();
})();
