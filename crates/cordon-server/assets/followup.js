// The follow-up lists page: the lists of the caller's jurisdiction with their counts, a file's
// upload (its bad rows each reported at their line), and a list's persons, masked. A list is
// opened by its row, or by #list=ID in the address (where a trace's "make a list" leads).
"use strict";
(function followupPage() {
  const W = JSON.parse($("words").textContent);
  const when = (ms) => chinaTime(new Date(ms)).slice(0, 16).replace("T", " ");
  const sourceLabel = (s) => W["source_" + s] || s;
  let lists = [], open = null, next = null;

  async function load() {
    const r = await api("GET", "/api/v1/followup/lists");
    const body = $("lists").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { say("lists-msg", refusal(r), false); return; }
    lists = r.json.lists;
    if (!lists.length) body.append(el("tr", {}, el("td", { colspan: "10", class: "hint" }, W.no_lists)));
    const now = Date.now();
    for (const l of lists) {
      const late = l.deadline_ms < now;
      const name = el("a", { href: `#list=${l.id}`, onclick: (ev) => { ev.preventDefault(); show(l.id); } }, l.label);
      body.append(el("tr", { "data-id": l.id, class: open === l.id ? "selected" : "" },
        el("td", {}, name), el("td", {}, sourceLabel(l.source)), el("td", {}, l.brought_by),
        el("td", {}, when(l.brought_at_ms)),
        el("td", { class: late ? "st-closed" : "" }, when(l.deadline_ms) + (late ? ` · ${W.overdue}` : "")),
        el("td", { class: "num" }, String(l.rows)), el("td", { class: "num" }, String(l.subjects)),
        el("td", { class: "num" }, String(l.new_subjects)), el("td", { class: "num" }, String(l.unverified)),
        el("td", { class: "num" }, String(l.skipped))));
    }
    const wanted = (location.hash.match(/list=([0-9a-f-]{36})/) || [])[1];
    if (wanted && open !== wanted) show(wanted);
  }

  function person(s) {
    return el("tr", { "data-subject": String(s.subject) },
      el("td", { class: "num" }, String(s.row)), el("td", {}, s.name),
      el("td", { class: "num" }, s.document ? `${T["doc_" + s.document.type] || s.document.type} ${s.document.number}` : "–"),
      el("td", { class: s.verified ? "" : "st-closed" }, s.verified ? W.verified : W.by_phone),
      el("td", {}, s.home_area_name || s.home_area || "–"), el("td", { class: "num" }, String(s.lists)),
      el("td", {}, W["state_" + s.state] || s.state));
  }

  async function page(id, fresh) {
    const q = new URLSearchParams({ limit: "200" });
    if (!fresh && next !== null) q.set("after", String(next));
    const r = await api("GET", `/api/v1/followup/lists/${id}/subjects?${q}`);
    const body = $("persons").querySelector("tbody");
    if (fresh) body.textContent = "";
    if (r.status !== 200) { say("lists-msg", refusal(r), false); return; }
    for (const s of r.json.subjects) body.append(person(s));
    next = r.json.next;
    $("more").hidden = next === null;
  }

  async function show(id) {
    open = id; next = null;
    if (location.hash !== `#list=${id}`) history.replaceState(null, "", `#list=${id}`);
    for (const tr of $("lists").querySelectorAll("tbody tr")) tr.classList.toggle("selected", tr.dataset.id === id);
    const l = lists.find((x) => x.id === id);
    $("persons-label").textContent = l ? l.label : "";
    $("persons-card").hidden = false;
    await page(id, true);
    $("persons-card").scrollIntoView({ block: "start" });
  }
  $("more").onclick = () => page(open, false);

  // One id per chosen file: sending it again (a double press, a lost answer) takes nothing twice.
  let uploadId = uuid();
  $("file").onchange = () => { uploadId = uuid(); };
  $("upload").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("upload"), problems = $("upload-problems");
    clearRefusals(form);
    problems.textContent = "";
    const file = $("file").files[0];
    if (!file) { refuseBeside(form, { json: { error: { field: "file", message: W.file } } }, "upload-msg"); return; }
    const xlsx = /\.xlsx$/i.test(file.name);
    const q = new URLSearchParams({ id: uploadId, name: file.name, deadline_hours: $("deadline").value || "24" });
    if ($("label").value.trim()) q.set("label", $("label").value.trim());
    if ($("skip").checked) q.set("skip_bad_rows", "true");
    const r = await fetch("/api/v1/followup/lists/import?" + q.toString(), {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "content-type": xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv",
        "x-csrf-token": CSRF, "accept-language": document.documentElement.lang },
    });
    let json = null;
    try { json = await r.json(); } catch (_) { /* none */ }
    const listed = (json && (json.problems || json.skipped)) || [];
    for (const p of listed) problems.append(el("li", {}, `${p.line ? W.line.replace("{n}", p.line) : ""} ${p.field ? p.field + ": " : ""}${p.message}`));
    if (r.status === 201 || r.status === 200) {
      const said = r.status === 200 ? W.already : W.uploaded.replace("{r}", json.list.rows).replace("{p}", json.list.subjects).replace("{n}", json.list.new_subjects);
      say("upload-msg", said + (listed.length ? ` · ${W.skipped}: ${json.list.skipped}` : ""), true);
      location.hash = `list=${json.list.id}`;
      await load();
      return;
    }
    if (listed.length) { say("upload-msg", W.refused_rows, false); return; }
    const e = json && json.error;
    refuseBeside(form, { status: r.status, json }, "upload-msg", () => e && e.field === "deadline_hours" ? "deadline_hours" : (e && e.field === "label" ? "label" : ""));
  };

  window.addEventListener("hashchange", () => {
    const wanted = (location.hash.match(/list=([0-9a-f-]{36})/) || [])[1];
    if (wanted && wanted !== open) show(wanted);
  });
  load();
})();
