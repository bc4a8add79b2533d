// The policy page: the version in force and its log, the versions, a draft checked as one types
// (each problem at its line), the diff of two versions, a dry run, publication and rollback.
"use strict";
(function policies() {
  const src = $("source");
  if (!src) return;
  const W = JSON.parse($("words").textContent);
  const when = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  const local = (d) => chinaTime(d).slice(0, 16);
  const OUTCOMES = ["pass", "test_on_site", "hold", "refer", "persuade_return"];
  let versions = [];

  // The gutter: line numbers, a problem's lines marked.
  let problemLines = new Set();
  function gutter() {
    const n = src.value.split("\n").length;
    let out = "";
    for (let i = 1; i <= n; i++) out += (problemLines.has(i) ? "● " : "  ") + i + "\n";
    $("gutter").textContent = out;
    $("gutter").scrollTop = src.scrollTop;
  }
  src.addEventListener("scroll", () => { $("gutter").scrollTop = src.scrollTop; });
  function goToLine(line) {
    const lines = src.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    src.focus();
    src.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const h = parseFloat(getComputedStyle(src).lineHeight) || 18;
    src.scrollTop = Math.max(0, (line - 4) * h);
  }

  let checkTimer = null, lastChecked = null, lastValid = false;
  async function check() {
    const source = src.value;
    if (source === lastChecked) return lastValid;
    say("check-summary", W.checking, true);
    const r = await api("POST", "/api/v1/policies/validate", { source });
    const list = $("problems");
    list.textContent = "";
    problemLines = new Set();
    if (r.status !== 200) { say("check-summary", refusal(r), false); gutter(); return false; }
    lastChecked = source; lastValid = r.json.valid;
    if (r.json.valid) {
      say("check-summary", W.valid.replace("{n}", r.json.summary ? r.json.summary.rules : 0), true);
    } else {
      say("check-summary", W.problems.replace("{n}", r.json.problems.length), false);
      for (const p of r.json.problems) {
        if (p.line) problemLines.add(p.line);
        const where = p.line ? W.line.replace("{n}", p.line) : p.field;
        list.append(el("li", {}, el("a", { href: "#", "data-line": String(p.line || ""), onclick: (ev) => { ev.preventDefault(); if (p.line) goToLine(p.line); } }, where), ` ${p.field ? p.field + ": " : ""}${localized(p.message)}`));
      }
    }
    gutter();
    return r.json.valid;
  }
  src.addEventListener("input", () => { gutter(); clearTimeout(checkTimer); checkTimer = setTimeout(check, 600); });
  $("check").onclick = check;
  $("save").onclick = async () => {
    if (!(await check())) { say("save-msg", W.fix_first, false); return; }
    const r = await api("POST", "/api/v1/policies", { source: src.value, note: $("note").value.trim() });
    if (r.status !== 201) { say("save-msg", refusal(r), false); return; }
    say("save-msg", W.saved.replace("{v}", r.json.version), true);
    const before = $("publish-version").value;
    await load();
    // The new version is the one to compare, replay and publish; compared with the one before.
    for (const id of ["diff-to", "run-version", "publish-version"]) $(id).value = String(r.json.version);
    if (before && before !== String(r.json.version)) $("diff-from").value = before;
  };

  async function edit(v) {
    const r = await api("GET", `/api/v1/policies/${v}`);
    if (r.status !== 200) return;
    src.value = r.json.source;
    $("note").value = "";
    lastChecked = null;
    gutter();
    check();
    $("editor-card").scrollIntoView({ block: "start" });
  }

  async function load() {
    const [list, log] = await Promise.all([api("GET", "/api/v1/policies"), api("GET", "/api/v1/policies/publications")]);
    if (list.status !== 200) return;
    versions = list.json.versions;
    const body = $("versions").querySelector("tbody");
    body.textContent = "";
    for (const v of [...versions].reverse()) {
      body.append(el("tr", { "data-version": String(v.version) },
        el("td", {}, String(v.version) + (v.version === list.json.in_force ? " ✓" : "")), el("td", {}, v.name), el("td", {}, v.note),
        el("td", {}, `${v.created_by} · ${when(v.created_at)}`),
        el("td", {}, el("button", { type: "button", class: "secondary small", onclick: () => edit(v.version) }, W.edit))));
    }
    for (const s of document.querySelectorAll(".version-pick")) {
      const keep = s.value;
      s.textContent = "";
      for (const v of [...versions].reverse()) s.append(el("option", { value: String(v.version) }, `${v.version} · ${v.name}`));
      if (keep) s.value = keep;
    }
    if (versions.length > 1 && !$("diff-from").dataset.set) {
      $("diff-from").value = String(list.json.in_force || versions[versions.length - 2].version);
      $("diff-from").dataset.set = "1";
    }
    if (log.status === 200) {
      const f = log.json.in_force;
      say("in-force", f ? `${W.in_force}: ${W.version} ${f.version} · ${W.effective_at} ${when(f.effective_at)} · ${f.reason}` : W.none_in_force, !!f);
      const lb = $("log").querySelector("tbody");
      lb.textContent = "";
      for (const p of [...log.json.publications].reverse()) {
        lb.append(el("tr", {}, el("td", {}, String(p.version)), el("td", {}, W["action_" + p.action] || p.action), el("td", {}, when(p.effective_at)),
          el("td", {}, p.reason), el("td", {}, p.actor), el("td", {}, when(p.at))));
      }
    }
  }

  $("compare").onclick = async () => {
    const r = await api("GET", `/api/v1/policies/diff?from=${$("diff-from").value}&to=${$("diff-to").value}`);
    const table = $("diff"), body = table.querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { say("diff-summary", refusal(r), false); table.hidden = true; return; }
    const d = r.json;
    const header = d.header.length ? W.header_changed.replace("{f}", d.header.join(", ")) : "";
    say("diff-summary", d.rules.length || header ? header : W.no_changes, true);
    for (const c of d.rules) body.append(el("tr", { class: "change-" + c.change }, el("td", {}, c.rule), el("td", {}, W["change_" + c.change] || c.change), el("td", {}, (c.parts || []).join(", "))));
    table.hidden = d.rules.length === 0;
  };

  $("run-to").value = local(new Date());
  $("run-from").value = local(new Date(Date.now() - 24 * 3600e3));
  $("effective").min = local(new Date());
  $("run").onclick = async () => {
    for (const e of document.querySelectorAll(".field-error")) e.textContent = "";
    say("run-summary", W.running, true);
    $("run").disabled = true;
    const body = { examples: 3 };
    if ($("run-from").value) body.from = $("run-from").value + ":00+08:00";
    if ($("run-to").value) body.to = $("run-to").value + ":00+08:00";
    const r = await api("POST", `/api/v1/policies/${$("run-version").value}/dry-run`, body);
    $("run").disabled = false;
    if (r.status !== 200) { say("run-summary", refusal(r), false); return; }
    const d = r.json;
    say("run-summary", W.replayed.replace("{p}", d.passages).replace("{c}", d.changed).replace("{t}", d.elapsed_ms), true);
    const counts = $("run-counts").querySelector("tbody");
    counts.textContent = "";
    for (const o of OUTCOMES) {
      counts.append(el("tr", {}, el("td", { class: "o-" + o }, outcomeLabel(o)), el("td", {}, String(d.before[o] || 0)),
        el("td", { class: d.before[o] !== d.after[o] ? "changed" : "" }, String(d.after[o] || 0))));
    }
    const t = $("transitions");
    t.textContent = "";
    for (const x of d.transitions) t.append(el("li", {}, `${outcomeLabel(x.from)} → ${outcomeLabel(x.to)}: ${x.passages} (${x.examples.map((e) => e.slice(0, 8)).join(", ")})`));
    $("run-result").hidden = false;
  };

  $("publish").onclick = async () => {
    const v = $("publish-version").value, t = $("effective").value;
    const body = { reason: $("publish-reason").value.trim() };
    if (t) body.effective_at = t + ":00+08:00";
    if (!confirm(W.confirm_publish.replace("{v}", v).replace("{t}", t ? t.replace("T", " ") : W.now))) return;
    const r = await api("POST", `/api/v1/policies/${v}/publish`, body);
    if (r.status !== 201) { say("publish-msg", refusal(r), false); $("publish-reason").focus(); return; }
    say("publish-msg", W.published.replace("{v}", v).replace("{t}", when(r.json.effective_at)), true);
    const fill = (s) => s.replace("{v}", v).replace("{t}", when(r.json.effective_at)).replace("{r}", body.reason);
    offerDirective("publish-msg", fill(T.draft_policy_title), fill(T.draft_policy_text));
    load();
  };
  $("rollback").onclick = async () => {
    if (!confirm(W.confirm_rollback)) return;
    const r = await api("POST", "/api/v1/policies/rollback", { reason: $("rollback-reason").value.trim() });
    if (r.status !== 201) { say("rollback-msg", refusal(r), false); $("rollback-reason").focus(); return; }
    say("rollback-msg", W.rolled_back.replace("{v}", r.json.version), true);
    load();
  };

  gutter();
  load().then(() => { if (versions.length) edit(versions[versions.length - 1].version); });
})();
