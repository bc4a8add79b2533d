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

  const manage = $("reassign") !== null;
  function person(s) {
    const pick = manage ? [el("td", {}, el("input", { type: "checkbox", class: "pick", value: String(s.subject), "aria-label": `${W.row} ${s.row}` }))] : [];
    return el("tr", { "data-subject": String(s.subject) }, ...pick,
      el("td", { class: "num" }, String(s.row)), el("td", {}, s.name),
      el("td", { class: "num" }, s.document ? `${T["doc_" + s.document.type] || s.document.type} ${s.document.number}` : "–"),
      el("td", { class: s.verified ? "" : "st-closed" }, s.verified ? W.verified : W.by_phone),
      el("td", {}, s.home_area_name || s.home_area || "–"), el("td", { class: "num" }, String(s.lists)),
      el("td", {}, W["state_" + s.state] || s.state),
      manage && s.lists > 1 ? el("td", {}, splitButton(s)) : el("td", {}));
  }

  // A wrong match split: this row becomes a person of its own, with a reason.
  function splitButton(s) {
    const cell = el("span", { class: "split" });
    const reason = el("input", { class: "split-reason", maxlength: "500", "aria-label": W.split_reason, placeholder: W.split_reason });
    const go = el("button", { type: "button", class: "secondary small", onclick: async () => {
      const r = await api("POST", `/api/v1/followup/subjects/${s.subject}/split`, { list: open, row: s.row, reason: reason.value.trim() });
      if (r.status !== 201) { reason.classList.add("bad"); say("reassign-msg", refusal(r), false); reason.focus(); return; }
      say("reassign-msg", W.split_done.replace("{n}", s.row), true);
      await page(open, true);
      board();
    } }, W.split);
    cell.append(el("button", { type: "button", class: "secondary small", onclick: (ev) => { ev.target.replaceWith(reason, go); reason.focus(); } }, W.not_same));
    return cell;
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
    $("answers-csv").href = `/api/v1/followup/lists/${id}/answers.csv`;
    $("answers-xlsx").href = `/api/v1/followup/lists/${id}/answers.xlsx`;
    $("persons-card").hidden = false;
    await page(id, true);
    $("persons-card").scrollIntoView({ block: "start" });
  }
  $("more").onclick = () => page(open, false);
  // Commanders hand the selected persons to another caller of a team of the jurisdiction.
  if (manage) {
    $("all-persons").onchange = () => { for (const c of document.querySelectorAll("#persons .pick")) c.checked = $("all-persons").checked; };
    $("reassign").onsubmit = async (ev) => {
      ev.preventDefault();
      clearRefusals($("reassign"));
      const subjects = [...document.querySelectorAll("#persons .pick:checked")].map((c) => +c.value);
      if (!subjects.length) { say("reassign-msg", W.none_selected, false); return; }
      const r = await api("POST", "/api/v1/followup/reassign", { subjects, to: $("hand-to").value.trim() });
      if (r.status !== 200) { refuseBeside($("reassign"), r, "reassign-msg", (e) => e.field || ""); return; }
      say("reassign-msg", W.handed.replace("{n}", r.json.handed), true);
      board(); teams();
    };
  }

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
      board();
      transfers();
      return;
    }
    if (listed.length) { say("upload-msg", W.refused_rows, false); return; }
    const e = json && json.error;
    refuseBeside(form, { status: r.status, json }, "upload-msg", () => e && e.field === "deadline_hours" ? "deadline_hours" : (e && e.field === "label" ? "label" : ""));
  };

  // A list from the passages: one id per form's content, so a double press makes one list.
  const queryPlace = placeField($("query-division"), $("query-places"), $("query-chosen"));
  let queryId = uuid();
  for (const f of ["query-division", "query-days", "query-kind", "query-label", "query-deadline"]) {
    $(f).addEventListener("change", () => { queryId = uuid(); });
  }
  $("query").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("query");
    clearRefusals(form);
    const division = await queryPlace.code();
    if (!division) {
      refuseBeside(form, { json: { error: { field: "division", message: W.place_unknown } } }, "query-msg");
      return;
    }
    const body = { id: queryId, division, kind: $("query-kind").value,
      days: Number($("query-days").value || "14"), deadline_hours: Number($("query-deadline").value || "24") };
    if ($("query-label").value.trim()) body.label = $("query-label").value.trim();
    $("query-msg").textContent = "…";
    $("query-msg").className = "msg";
    const r = await api("POST", "/api/v1/followup/lists/from-passages", body);
    if (r.status === 201 || r.status === 200) {
      const l = r.json.list;
      say("query-msg", r.status === 200 ? W.already : W.query_made.replace("{p}", l.subjects).replace("{n}", l.new_subjects), true);
      location.hash = `list=${l.id}`;
      await load();
      board();
      transfers();
      return;
    }
    refuseBeside(form, r, "query-msg", (e) => e.field || "");
  };

  // The day's persons handed on, by the province they went to; a commander takes each group
  // away as a list the other side takes.
  const commander = !!$("team");
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  $("transfers-day").value = today;
  async function transfers() {
    const day = $("transfers-day").value || today;
    const r = await api("GET", `/api/v1/followup/transfers?day=${day}`);
    const groups = $("transfer-groups"), body = $("transfers").querySelector("tbody");
    groups.textContent = ""; body.textContent = "";
    if (r.status !== 200) { groups.append(el("li", {}, refusal(r))); return; }
    if (!r.json.transfers.length) groups.append(el("li", {}, W.no_transfers));
    for (const g of r.json.groups) {
      const q = `to=${g.province}&day=${day}`;
      groups.append(el("li", {}, el("strong", {}, g.name || W.unknown_place), " ", W.persons_n.replace("{n}", g.persons),
        ...(commander ? [" · ", el("a", { href: `/api/v1/followup/transfers/list?${q}`, download: `transfers-${g.province}-${day}.json` }, W.download_json),
          " · ", el("a", { href: `/api/v1/followup/transfers/list.csv?${q}`, download: `transfers-${g.province}-${day}.csv` }, W.download_csv)] : [])));
    }
    for (const t of r.json.transfers) {
      const to = t.within_province ? `${t.to_name} · ${W.within_province}` : (t.to_name || W.unknown_place);
      body.append(el("tr", {}, el("td", {}, t.name), el("td", { class: "num" }, t.document ? t.document.number : "–"),
        el("td", {}, W["reason_" + t.reason] || t.reason), el("td", {}, to), el("td", {}, t.by), el("td", {}, when(t.at_ms))));
    }
  }
  $("transfers-day").onchange = transfers;
  transfers();

  // The completion board, by list, team or county.
  let boardBy = "list";
  async function board() {
    const r = await api("GET", `/api/v1/followup/board?by=${boardBy}`);
    const body = $("board").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { say("lists-msg", refusal(r), false); return; }
    let total = 0, done = 0;
    for (const l of r.json.lines) {
      total += l.total; done += l.closed + l.transferred;
      const label = boardBy === "list" || l.key === "-" ? l.label
        : el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); linePersons(l, true); } }, l.label);
      body.append(el("tr", {}, el("td", {}, label),
        ...[l.total, l.pending, l.in_progress, l.escalated, l.transferred, l.closed, l.reached].map((n) => el("td", { class: "num" }, String(n))),
        el("td", { class: l.overdue ? "num st-closed" : "num" }, String(l.overdue))));
    }
    $("done-share").textContent = total ? W.done_share.replace("{d}", done).replace("{t}", total) : "";
  }
  // The persons behind a line by team or county, masked, page by page.
  let line = null, lineNext = null;
  async function linePersons(l, fresh) {
    if (fresh) { line = { by: boardBy, key: l.key, label: l.label }; lineNext = null; }
    const q = new URLSearchParams({ by: line.by, key: line.key, limit: "200" });
    if (!fresh && lineNext !== null) q.set("after", String(lineNext));
    const r = await api("GET", `/api/v1/followup/board/persons?${q}`);
    const body = $("line-persons").querySelector("tbody");
    if (fresh) body.textContent = "";
    if (r.status !== 200) { say("lists-msg", refusal(r), false); return; }
    for (const i of r.json.items) {
      body.append(el("tr", {}, el("td", {}, i.name),
        el("td", { class: "num" }, i.document ? i.document.number : "–"),
        el("td", { class: i.verified ? "" : "st-closed" }, i.verified ? W.verified : W.by_phone),
        el("td", {}, W["state_" + i.state] || i.state), el("td", { class: "num" }, String(i.calls)),
        el("td", {}, i.assignee || "–"), el("td", {}, when(i.deadline_ms))));
    }
    lineNext = r.json.next;
    $("line-more").hidden = lineNext === null;
    $("line-label").textContent = line.label;
    $("line-card").hidden = false;
    if (fresh) $("line-card").scrollIntoView({ block: "start" });
  }
  $("line-more").onclick = () => linePersons(null, false);
  for (const b of document.querySelectorAll("[data-by]")) {
    b.onclick = () => {
      boardBy = b.dataset.by;
      $("board-csv").href = `/api/v1/followup/board.csv?by=${boardBy}`;
      $("board-xlsx").href = `/api/v1/followup/board.xlsx?by=${boardBy}`;
      for (const x of document.querySelectorAll("[data-by]")) x.classList.toggle("on", x === b);
      board();
    };
  }

  async function teams() {
    const r = await api("GET", "/api/v1/followup/teams");
    const body = $("teams").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) return;
    for (const t of r.json.teams) {
      body.append(el("tr", {}, el("td", {}, t.name), el("td", {}, t.county_name || t.county), el("td", {}, t.lead),
        el("td", {}, t.members.join("、")), el("td", { class: "num" }, String(t.open))));
    }
  }
  const teamForm = $("team");
  if (teamForm) {
    const county = placeField($("team-county"), $("team-county-places"), null);
    teamForm.onsubmit = async (ev) => {
      ev.preventDefault();
      clearRefusals(teamForm);
      const code = await county.code();
      if (!code) { refuseBeside(teamForm, { json: { error: { field: "county", message: W.place_unknown } } }, "team-msg"); return; }
      const members = $("team-members").value.split(/[,，、\s]+/).map((m) => m.trim()).filter(Boolean);
      const r = await api("POST", "/api/v1/followup/teams", { name: $("team-name").value.trim(), county: code, lead: $("team-lead").value.trim(), members });
      if (r.status !== 201) { refuseBeside(teamForm, r, "team-msg", (e) => (e.field || "").split(/[.[]/)[0]); return; }
      say("team-msg", W.team_added, true);
      teamForm.reset();
      teams();
    };
  }

  // Questionnaires: versions, publish one, and a draft checked at its lines before it is saved.
  async function versions() {
    const table = $("versions");
    if (!table) return;
    const r = await api("GET", "/api/v1/questionnaires");
    const body = table.querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) return;
    for (const v of r.json.versions) {
      const act = v.published_at_ms ? "" : el("button", { type: "button", class: "secondary small", onclick: async () => {
        const p = await api("POST", `/api/v1/questionnaires/${v.version}/publish`, {});
        say("versions-msg", p.status === 200 ? `${W.published}: ${W.version} ${v.version}` : refusal(p), p.status === 200);
        versions();
      } }, W.publish);
      body.append(el("tr", { "data-version": String(v.version) }, el("td", { class: "num" }, String(v.version)), el("td", {}, v.name), el("td", {}, v.created_by),
        el("td", {}, v.published_at_ms ? `${when(v.published_at_ms)} · ${v.published_by}` : W.not_published), el("td", {}, act)));
    }
    const src = $("q-source");
    if (!src.value && r.json.versions.length) {
      const latest = await api("GET", `/api/v1/questionnaires/${r.json.versions[0].version}`);
      if (latest.status === 200) src.value = latest.json.source;
    }
  }
  async function checkDraft() {
    const list = $("q-problems");
    list.textContent = "";
    const r = await api("POST", "/api/v1/questionnaires/validate", { source: $("q-source").value });
    if (r.status !== 200) { say("q-msg", refusal(r), false); return false; }
    if (r.json.valid) { say("q-msg", W.valid.replace("{n}", r.json.questionnaire.questions.length), true); return true; }
    say("q-msg", W.problems.replace("{n}", r.json.problems.length), false);
    for (const p of r.json.problems) list.append(el("li", {}, `${p.line ? W.line.replace("{n}", p.line) : ""} ${p.field ? p.field + ": " : ""}${p.message}`));
    return false;
  }
  if ($("questionnaire")) {
    $("q-check").onclick = checkDraft;
    $("questionnaire").onsubmit = async (ev) => {
      ev.preventDefault();
      if (!(await checkDraft())) return;
      const r = await api("POST", "/api/v1/questionnaires", { source: $("q-source").value });
      if (r.status !== 201) { say("q-msg", refusal(r), false); return; }
      say("q-msg", W.saved.replace("{v}", r.json.version), true);
      versions();
    };
  }

  window.addEventListener("hashchange", () => {
    const wanted = (location.hash.match(/list=([0-9a-f-]{36})/) || [])[1];
    if (wanted && wanted !== open) show(wanted);
  });
  load();
  board();
  teams();
  versions();
})();
