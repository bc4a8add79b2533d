// The directives page: issue a directive to a jurisdiction (narrowed by defence line or kind)
// or to listed checkpoints; the stations overdue in the commander's jurisdiction; the
// directives with their counts, each opening its board.
"use strict";
(function directivesPage() {
  const form = $("issue");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const when = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  const stateLabel = (s) => W["state_" + s] || s;
  const priorityLabel = (p) => W["p_" + p] || p;
  let before = null;

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals(form);
    $("issue-error").textContent = "";
    $("issue-msg").textContent = "";
    const listed = $("d-listed").value.split(/[\s,，]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);
    const target = listed.length ? { checkpoints: listed } : { division: $("d-division").value };
    if (!listed.length && $("d-line").value) target.defence_line = $("d-line").value;
    if (!listed.length && $("d-kind").value) target.kind = $("d-kind").value;
    const body = { title: $("d-title").value, text: $("d-text").value, priority: $("d-priority").value, target };
    if ($("d-effective").value) body.effective_at = $("d-effective").value + ":00+08:00";
    if ($("d-deadline").value) body.ack_deadline = $("d-deadline").value + ":00+08:00";
    const button = $("issue-submit");
    button.disabled = true;
    const r = await api("POST", "/api/v1/directives", body);
    button.disabled = false;
    if (r.status !== 201) { refuseBeside(form, r, "issue-error"); return; }
    say("issue-msg", W.issued.replace("{n}", r.json.counts.recipients), true);
    for (const id of ["d-title", "d-text", "d-effective", "d-deadline", "d-listed"]) $(id).value = "";
    load(true);
  };

  function row(d) {
    const c = d.counts;
    return el("tr", { "data-id": String(d.id), class: d.state === "cancelled" ? "muted" : "" },
      el("td", {}, el("a", { href: `/directives/${d.id}` }, d.title)),
      el("td", { class: "p-" + d.priority }, priorityLabel(d.priority)),
      el("td", {}, stateLabel(d.state) + (d.revision > 1 ? ` · ${W.revision} ${d.revision}` : "")),
      el("td", { class: "num" }, `${c.acknowledged} / ${c.recipients}`),
      el("td", { class: c.overdue ? "num bad" : "num" }, String(c.overdue)),
      el("td", {}, when(d.ack_deadline)),
      el("td", {}, `${d.issued_by} · ${when(d.issued_at)}`),
      el("td", {}, el("a", { href: `/directives/${d.id}`, class: "button secondary small" }, W.open)));
  }

  async function load(fresh) {
    if (fresh) before = null;
    const q = new URLSearchParams({ limit: "50" });
    if ($("show-cancelled").checked) q.set("cancelled", "true");
    if (before) q.set("before", before);
    const r = await api("GET", `/api/v1/directives?${q}`);
    const body = $("directives").querySelector("tbody");
    if (fresh) body.textContent = "";
    if (r.status !== 200) { body.append(el("tr", {}, el("td", { colspan: "8", class: "error" }, refusal(r)))); return; }
    if (fresh && !r.json.directives.length) body.append(el("tr", {}, el("td", { colspan: "8" }, W.none_yet)));
    for (const d of r.json.directives) body.append(row(d));
    before = r.json.next;
    $("more").hidden = !before;
  }

  async function loadOverdue() {
    const r = await api("GET", "/api/v1/directives/overdue?limit=500");
    const body = $("overdue").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) return;
    $("overdue-count").textContent = `(${r.json.overdue.length})`;
    if (!r.json.overdue.length) body.append(el("tr", {}, el("td", { colspan: "5" }, W.none_overdue)));
    for (const o of r.json.overdue) {
      const s = o.recipient;
      body.append(el("tr", { class: "overdue" },
        el("td", {}, `${s.name} · ${s.checkpoint}`),
        el("td", {}, el("a", { href: `/directives/${o.directive}` }, o.title)),
        el("td", { class: "p-" + o.priority }, priorityLabel(o.priority)),
        el("td", {}, when(o.ack_deadline)),
        el("td", {}, s.reminded_at ? when(s.reminded_at) : "")));
    }
  }

  // A CAP 1.2 alert from another system, issued as this commander.
  $("cap-file").onchange = async () => {
    const f = $("cap-file").files[0];
    if (!f) return;
    const r = await fetch("/api/v1/directives/cap", {
      method: "POST", credentials: "same-origin", body: await f.text(),
      headers: { "x-csrf-token": CSRF, "accept-language": document.documentElement.lang, "content-type": "application/xml" },
    });
    let json = null;
    try { json = await r.json(); } catch (_) { /* an empty answer */ }
    $("cap-file").value = "";
    if (r.status !== 201) { say("cap-msg", refusal({ status: r.status, json }), false); return; }
    say("cap-msg", W.cap_imported.replace("{n}", json.counts.recipients), true);
    load(true);
  };

  // A directive drafted elsewhere (a policy published, a risk area declared) arrives filled in.
  const drafted = new URLSearchParams(location.search);
  if (drafted.get("title") || drafted.get("text")) {
    $("d-title").value = drafted.get("title") || "";
    $("d-text").value = drafted.get("text") || "";
    form.scrollIntoView({ block: "start" });
    $("d-title").focus();
  }

  $("show-cancelled").onchange = () => load(true);
  $("more").onclick = () => load(false);
  load(true);
  loadOverdue();
  setInterval(() => { load(true); loadOverdue(); }, 15000);
})();
