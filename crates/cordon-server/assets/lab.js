// The lab's page: the lab chosen once; tubes received by scanning at the door; runs listed and
// made; a run opened shows its steps with their times, its plate (8 rows by 12 columns, each
// well's tube and reading), a scan to place the next tube, the next step to record, the
// instrument's file to import, and its release by a second person with the recall list it
// made.
"use strict";
(function lab() {
  const W = JSON.parse($("words").textContent);
  const STEPS = ["created", "inactivated", "sorted", "amplified", "resulted", "released"];
  let run = null;
  let receivedNow = 0;

  const labId = () => $("lab").value;
  const stepWord = (s) => W["step_" + s] || s;
  const time = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(5, 16).replace("T", " ");

  async function labs() {
    const r = await api("GET", "/api/v1/testing/labs");
    const select = $("lab");
    select.textContent = "";
    if (r.status !== 200) { say("lab-msg", refusal(r), false); return; }
    if (!r.json.labs.length) { say("lab-msg", W.no_labs, false); return; }
    for (const l of r.json.labs) select.append(el("option", { value: String(l.id) }, l.name));
    const kept = localStorage.getItem("cordon.lab");
    if (kept && r.json.labs.some((l) => String(l.id) === kept)) select.value = kept;
    select.onchange = () => { localStorage.setItem("cordon.lab", select.value); runs(); };
    await Promise.all([runs(), assays()]);
    $("receive-code").focus();
  }

  async function assays() {
    const r = await api("GET", "/api/v1/testing/assays");
    if (r.status !== 200) return;
    const list = $("assays");
    const select = $("run-assay");
    list.textContent = "";
    select.textContent = "";
    for (const a of r.json.assays) {
      const targets = a.targets.map((t) => `${t.name} < ${t.cutoff}`).join("，");
      list.append(el("li", {}, `${a.id} · ${a.name}（${targets}；${a.positive_when === "all" ? W.when_all : W.when_any}）`));
      select.append(el("option", { value: String(a.id) }, `${a.id} · ${a.name}`));
    }
  }

  async function runs() {
    const box = $("runs");
    box.textContent = "";
    if (!labId()) return;
    const r = await api("GET", `/api/v1/testing/labs/${labId()}/runs`);
    if (r.status !== 200) { box.append(el("p", { class: "msg bad" }, refusal(r))); return; }
    if (!r.json.runs.length) { box.append(el("p", { class: "hint" }, W.no_runs)); return; }
    const head = [W.run, W.step, W.tubes, W.positives, W.controls, W.made_by, W.made_at, ""];
    const body = el("tbody", {});
    for (const x of r.json.runs) {
      const controls = x.controls_ok === null ? "–" : (x.controls_ok ? W.controls_ok : W.controls_failed);
      body.append(el("tr", {}, el("td", { class: "num" }, String(x.id)), el("td", {}, stepWord(x.step)),
        el("td", { class: "num" }, String(x.tubes)),
        el("td", { class: "num" + (x.positives ? " bad" : "") }, String(x.positives)),
        el("td", {}, controls), el("td", {}, x.made_by), el("td", {}, time(x.made_at_ms)),
        el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => open(x.id) }, W.open_run))));
    }
    box.append(el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))), body)));
  }

  async function open(id) {
    const r = await api("GET", `/api/v1/testing/runs/${id}`);
    if (r.status !== 200) { say("new-run-msg", refusal(r), false); return; }
    show(r.json);
    $("run-card").scrollIntoView({ block: "start" });
  }

  // The steps done, each with who and when and the minutes since the one before.
  function steps(v) {
    const list = $("steps");
    list.textContent = "";
    let before = null;
    for (const s of v.steps) {
      const took = before === null ? "" : ` · ${W.minutes.replace("{m}", Math.round((s.at_ms - before) / 60000))}`;
      list.append(el("li", { class: "done" }, `${stepWord(s.step)} ${time(s.at_ms)} ${s.by}${took}`));
      before = s.at_ms;
    }
    const at = STEPS.indexOf(v.step);
    for (const s of STEPS.slice(at + 1)) list.append(el("li", {}, stepWord(s)));
  }

  function plate(v) {
    const table = $("plate");
    table.textContent = "";
    const byWell = new Map(v.wells.map((w) => [w.well, w]));
    const cols = Array.from({ length: 12 }, (_, i) => i + 1);
    table.append(el("thead", {}, el("tr", {}, el("th", {}, ""), ...cols.map((c) => el("th", {}, String(c))))));
    const body = el("tbody", {});
    for (const row of "ABCDEFGH") {
      const cells = cols.map((c) => {
        const w = byWell.get(row + c);
        if (!w) return el("td", { class: "empty", title: row + c }, "");
        const label = w.kind === "tube" ? w.tube.slice(-6) : (w.kind === "negative" ? "NC" : "PC");
        const reading = w.reading ? ` ${W["reading_" + w.reading]}` : "";
        const cts = w.cts ? ` Ct ${w.cts.map((c) => (c === null ? "–" : c)).join("/")}` : "";
        return el("td", { class: `${w.kind === "tube" ? "tube" : "control"} ${w.reading || ""}`, title: `${row}${c} ${w.tube || w.kind}${reading}${cts}` }, label);
      });
      body.append(el("tr", {}, el("th", {}, row), ...cells));
    }
    table.append(body);
  }

  function show(v, said, ok) {
    run = v;
    $("run-card").hidden = false;
    $("run-title").textContent = `${W.plate.replace("{n}", v.id)} · ${v.assay.name}`;
    steps(v);
    plate(v);
    const at = STEPS.indexOf(v.step);
    const next = STEPS[at + 1];
    const plating = v.step === "created" || v.step === "inactivated";
    $("place-form").hidden = !plating;
    if (!plating) $("place-msg").textContent = "";
    // The wells that did not read negative, with their values: what the reviewer looks at.
    const flagged = v.wells.filter((w) => w.kind === "tube" && w.reading && w.reading !== "negative");
    $("positives").textContent = "";
    for (const w of flagged) {
      const cts = w.cts.map((c, i) => `${v.assay.targets[i].name} ${c === null ? "–" : c}`).join(" / ");
      $("positives").append(el("li", {}, `${w.well} · ${w.tube} · ${W.persons_n.replace("{n}", w.persons)} · ${W["reading_" + w.reading]} · Ct ${cts}`));
    }
    const byHand = ["inactivated", "sorted", "amplified"].includes(next);
    $("next-step").hidden = !byHand;
    $("next-step").textContent = byHand ? W.record_step.replace("{s}", stepWord(next)) : "";
    $("results-form").hidden = !(v.step === "amplified" || v.step === "resulted");
    $("release-box").hidden = v.step !== "resulted";
    if (said) say("run-msg", said, ok);
    else $("run-msg").textContent = "";
    if (plating) $("place-code").focus();
  }

  $("receive-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("receive-form");
    clearRefusals(form);
    const code = $("receive-code").value.trim();
    const r = await api("POST", `/api/v1/testing/labs/${labId()}/received`, { barcode: code });
    if (r.status !== 201 && r.status !== 200) { refuseBeside(form, r, "receive-msg"); $("receive-code").select(); return; }
    if (r.status === 201) receivedNow += 1;
    if (r.status === 201) receivedNow += r.json.tubes - 1;
    const said = r.json.already ? W.received_before.replace("{b}", r.json.barcode)
      : (r.json.tubes > 1 ? W.received_box.replace("{b}", r.json.barcode).replace("{t}", r.json.tubes).replace("{n}", r.json.persons)
        : W.received.replace("{b}", r.json.barcode).replace("{n}", r.json.persons));
    say("receive-msg", `${said} · ${W.received_count.replace("{n}", receivedNow)}`, true);
    $("receive-code").value = "";
    $("receive-code").focus();
  };

  $("place-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("place-form");
    clearRefusals(form);
    const code = $("place-code").value.trim();
    const well = $("place-well").value.trim();
    const r = await api("POST", `/api/v1/testing/runs/${run.id}/tubes`, well ? { barcode: code, well } : { barcode: code });
    if (r.status !== 200) { refuseBeside(form, r, "place-msg"); $("place-code").select(); return; }
    const w = r.json.wells.find((x) => x.tube === code.toUpperCase());
    show(r.json);
    say("place-msg", W.placed.replace("{b}", code.toUpperCase()).replace("{w}", w ? w.well : ""), true);
    $("place-code").value = "";
    $("place-well").value = "";
    $("place-code").focus();
  };

  $("next-step").onclick = async () => {
    const next = STEPS[STEPS.indexOf(run.step) + 1];
    const r = await api("POST", `/api/v1/testing/runs/${run.id}/steps`, { step: next });
    if (r.status !== 200) { say("run-msg", refusal(r), false); return; }
    show(r.json, W.record_step.replace("{s}", stepWord(next)), true);
    runs();
  };

  $("results-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("results-form");
    const problems = $("results-problems");
    clearRefusals(form);
    problems.textContent = "";
    const f = $("results-file").files[0];
    if (!f) { refuseBeside(form, { status: 422, json: { error: { field: "file", message: W.results_file } } }, "run-msg"); return; }
    const xlsx = /\.xlsx$/i.test(f.name);
    const resp = await fetch(`/api/v1/testing/runs/${run.id}/results`, {
      method: "POST", credentials: "same-origin", body: f,
      headers: { "content-type": xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv",
        "x-csrf-token": CSRF, "accept-language": document.documentElement.lang },
    });
    let json = null;
    try { json = await resp.json(); } catch (_) { /* none */ }
    if (resp.status === 200) {
      const p = json.wells.filter((w) => w.kind === "tube" && w.reading && w.reading !== "negative").length;
      show(json, W.results_read.replace("{p}", p), json.controls_ok !== false);
      if (json.controls_ok === false) say("run-msg", `${W.controls}: ${W.controls_failed}`, false);
      runs();
      return;
    }
    const listed = (json && json.problems) || [];
    if (listed.length) {
      problems.append(el("p", { class: "msg bad" }, W.refused_rows),
        el("ol", {}, ...listed.map((p) => el("li", {}, `${p.line ? W.line.replace("{n}", p.line) : ""} ${p.field ? p.field + ": " : ""}${p.message}`))));
      problems.scrollIntoView({ block: "nearest" });
      return;
    }
    refuseBeside(form, { status: resp.status, json }, "run-msg", () => "file");
  };

  $("release").onclick = async () => {
    const r = await api("POST", `/api/v1/testing/runs/${run.id}/release`);
    if (r.status !== 200) { say("run-msg", refusal(r), false); return; }
    show(r.json.run);
    const said = W.released.replace("{t}", r.json.tubes).replace("{n}", r.json.persons).replace("{r}", r.json.recalled);
    say("run-msg", said, true);
    if (r.json.recall_list) $("run-msg").append(" · ", W.recall_list);
    runs();
  };

  $("run-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("run-form");
    clearRefusals(form);
    const body = { lab: Number(labId()), assay: Number($("run-assay").value),
      negative_control: $("run-neg").value.trim(), positive_control: $("run-pos").value.trim() };
    const r = await api("POST", "/api/v1/testing/runs", body);
    if (r.status !== 201) { refuseBeside(form, r, "new-run-msg"); return; }
    say("new-run-msg", W.run_made.replace("{n}", r.json.id), true);
    await runs();
    show(r.json);
    $("run-card").scrollIntoView({ block: "start" });
    $("place-code").focus();
  };

  $("assay-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("assay-form");
    clearRefusals(form);
    const targets = $("assay-targets").value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const m = l.match(/^(.*\S)\s+([\d.]+)$/);
      return m ? { name: m[1], cutoff: Number(m[2]) } : { name: l, cutoff: 0 };
    });
    const body = { name: $("assay-name").value.trim(), targets, positive_when: $("assay-when").value };
    const r = await api("POST", "/api/v1/testing/assays", body);
    if (r.status !== 201) { refuseBeside(form, r, "assay-msg"); return; }
    say("assay-msg", W.assay_made.replace("{n}", r.json.id), true);
    form.reset();
    assays();
  };

  labs();
})();
