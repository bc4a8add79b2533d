// Testing campaigns (commanders): the campaigns of the jurisdiction with their sites and what
// each site has sampled; a campaign opened for an area (typed by name) with its deadline and
// pool size; a site added to a campaign; the labs that test the tubes, and a lab registered.
"use strict";
(function testing() {
  const W = JSON.parse($("words").textContent);
  const when = (ms) => chinaTime(new Date(ms)).slice(0, 16).replace("T", " ");
  const area = placeField($("c-area"), $("c-area-places"), $("c-area-chosen"));
  const labArea = placeField($("l-area"), $("l-area-places"), $("l-area-chosen"));

  async function labs() {
    const r = await api("GET", "/api/v1/testing/labs");
    const list = $("labs");
    list.textContent = "";
    if (r.status !== 200) return;
    for (const l of r.json.labs) list.append(el("li", {}, `${l.name}（${l.area}）`));
  }

  $("lab-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("lab-form");
    clearRefusals(form);
    const code = await labArea.code();
    const r = await api("POST", "/api/v1/testing/labs", { name: $("l-name").value.trim(), area: code || $("l-area").value.trim() });
    if (r.status !== 201) { refuseBeside(form, r, "lab-msg"); return; }
    say("lab-msg", `${W.lab_added}：${r.json.name}`, true);
    form.reset();
    labs();
  };
  labs();

  async function load() {
    const r = await api("GET", "/api/v1/testing/campaigns");
    const box = $("campaigns");
    box.textContent = "";
    if (r.status !== 200) { say("campaigns-msg", refusal(r), false); return; }
    if (!r.json.campaigns.length) box.append(el("p", { class: "hint" }, W.no_campaigns));
    for (const c of r.json.campaigns) {
      const rows = c.sites.map((s) => el("tr", {}, el("td", {}, s.name), el("td", { class: "num" }, String(s.lanes)),
        el("td", { class: "num" }, String(s.open_tubes)), el("td", { class: "num" }, String(s.sealed_tubes)),
        el("td", { class: "num" }, String(s.persons))));
      const form = el("form", { class: "row site-form", novalidate: "" },
        el("label", { class: "grow" }, W.site, el("input", { name: "name", maxlength: "64" }), el("span", { class: "field-error", "data-for": "name" })),
        el("label", {}, W.lanes, el("input", { name: "lanes", type: "number", min: "1", max: "50", value: "1", inputmode: "numeric" }), el("span", { class: "field-error", "data-for": "lanes" })),
        el("button", { type: "submit", class: "secondary" }, W.add_site));
      const msg = el("p", { class: "msg", role: "status" });
      form.onsubmit = async (ev) => {
        ev.preventDefault();
        clearRefusals(form);
        const body = { name: form.elements.name.value.trim(), lanes: Number(form.elements.lanes.value || "1") };
        const s = await api("POST", `/api/v1/testing/campaigns/${c.id}/sites`, body);
        if (s.status !== 201) { refuseBeside(form, s, msg); return; }
        await load();
        say("campaigns-msg", `${W.site_added}：${s.json.name}`, true);
      };
      const article = el("article", { class: "campaign", "data-campaign": String(c.id) },
        el("h2", {}, c.name, " ", el("small", {}, `${c.area_name} · ${W.deadline} ${when(c.deadline_ms)} · ${W["pool_" + c.pool_size] || c.pool_size}`)),
        el("p", { class: "progress", role: "status" }),
        el("div", { class: "board" }),
        el("div", { class: "scroll" }, el("table", { class: "list sites" },
          el("thead", {}, el("tr", {}, ...[W.sites, W.lanes, W.open_tubes, W.sealed_tubes, W.persons].map((h) => el("th", {}, h)))),
          el("tbody", {}, ...rows))),
        form, msg, rosterForm(c), el("div", { class: "scroll" }, el("table", { class: "list buildings" })),
        el("div", { class: "missing" }));
      box.append(article);
      progress(c, article);
      board(c, article);
    }
  }

  // A run's recalled persons, masked, each with their re-test and where they have passed in the
  // last 14 days.
  async function recall(run, out) {
    const r = await api("GET", `/api/v1/testing/runs/${run}/recall`);
    out.textContent = "";
    if (r.status !== 200) { out.append(el("p", { class: "msg bad" }, refusal(r))); return; }
    const body = el("tbody", {});
    for (const p of r.json.persons) {
      const trips = p.passages.length ? p.passages.map((x) => `${x.observed_at.slice(5, 16).replace("T", " ")} ${x.checkpoint}`).join("；") : W.no_passages;
      // The re-test the recall asks for: not yet, waiting for its result, or its result.
      const re = p.retest;
      const retest = !re ? W.retest_none
        : `${re.tube} · ${re.result ? (W["result_" + re.result] || re.result) : W.retest_waiting}`;
      body.append(el("tr", {}, el("td", {}, p.tube), el("td", {}, p.name), el("td", {}, p.document.number),
        el("td", {}, W["result_" + p.result] || p.result),
        el("td", { class: !re ? "bad" : (re.result === "negative" ? "ok" : "") }, retest),
        el("td", {}, p.home || "–"), el("td", {}, trips)));
    }
    out.append(el("div", { class: "scroll" }, el("table", { class: "list" },
      el("thead", {}, el("tr", {}, ...[W.tube, W.person_name, W.document_number, W.result, W.retest, W.home, W.passages14].map((h) => el("th", {}, h)))), body)));
    out.scrollIntoView({ block: "nearest" });
  }

  // Where the campaign's tubes stand, the late ones, the labs' pace and the positives.
  async function board(c, article) {
    const r = await api("GET", `/api/v1/testing/campaigns/${c.id}/board`);
    const box = article.querySelector(".board");
    box.textContent = "";
    if (r.status !== 200) return;
    const b = r.json;
    const t = b.tubes;
    const ag = b.antigen;
    if (ag.waiting || ag.read) {
      box.append(el("p", { class: "stages" }, el("span", { class: "stage " + (ag.positive ? "bad" : "") },
        W.antigen_counts.replace("{w}", ag.waiting).replace("{r}", ag.read).replace("{p}", ag.positive))));
    }
    if (!t.open && !t.in_transit && !t.in_lab && !t.resulted) return;
    const stage = (label, n, cls) => el("span", { class: "stage " + (cls || "") }, `${label} ${n}`);
    box.append(el("p", { class: "stages" }, stage(W.stage_open, t.open), stage(W.stage_transit, t.in_transit),
      stage(W.stage_lab, t.in_lab), stage(W.stage_resulted, t.resulted),
      stage(W.positive_tubes.replace("{t}", b.positive_tubes).replace("{r}", b.recalled), "", b.positive_tubes ? "bad" : "")));
    const pace = b.per_hour.map((h) => h.tubes).join(" · ");
    const turn = b.turnaround_p50_minutes === null ? W.no_turnaround
      : W.turnaround.replace("{p50}", b.turnaround_p50_minutes).replace("{p95}", b.turnaround_p95_minutes);
    box.append(el("p", { class: "hint" }, `${W.per_hour}：${pace}；${turn}`));
    for (const x of b.recalls) {
      const out = el("div", { class: "recall" });
      const button = el("button", { type: "button", class: "secondary", onclick: () => recall(x.run, out) }, W.show_recall);
      box.append(el("p", { class: "row" }, W.recall_run.replace("{r}", x.run).replace("{t}", x.tubes).replace("{n}", x.persons), " ", button), out);
    }
    if (b.late) {
      box.append(el("p", { class: "msg bad" }, W.late.replace("{n}", b.late).replace("{h}", b.late_after_hours)),
        el("ul", { class: "late" }, ...b.late_tubes.map((x) => el("li", {}, `${x.barcode} · ${x.site_name} · ${x.persons} · ${when(x.sealed_at_ms)}`))));
    }
  }

  // The roster taken from a follow-up list: its persons known by a document, where it says they
  // live.
  function fromList(c) {
    const select = el("select", { name: "list" }, el("option", { value: "" }, W.choose_list));
    const msg = el("p", { class: "msg", role: "status" });
    const error = el("span", { class: "field-error", "data-for": "list" });
    const button = el("button", { type: "button", class: "secondary" }, W.take_list);
    const box = el("div", { class: "from-list" },
      el("div", { class: "row" }, el("label", { class: "grow" }, W.from_list, select, error), button), msg);
    api("GET", "/api/v1/followup/lists").then((r) => {
      if (r.status !== 200) return;
      for (const l of r.json.lists) select.append(el("option", { value: l.id }, `${l.label} · ${l.rows}`));
    });
    button.onclick = async () => {
      clearRefusals(box);
      if (!select.value) { error.textContent = W.choose_list; return; }
      const r = await api("POST", `/api/v1/testing/campaigns/${c.id}/roster/from-list`, { list: select.value });
      if (r.status !== 200) { refuseBeside(box, r, msg, () => "list"); return; }
      msg.textContent = W.list_taken.replace("{a}", r.json.added).replace("{b}", r.json.already).replace("{n}", r.json.not_taken);
      msg.className = "msg ok";
      msg.scrollIntoView({ block: "nearest" });
      progress(c, box.closest("article"));
    };
    return box;
  }

  // The roster: a file of who is expected, all or nothing unless bad rows are skipped.
  function rosterForm(c) {
    const problems = el("ol", { class: "problems" });
    const msg = el("p", { class: "msg", role: "status" });
    const file = el("input", { type: "file", name: "file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    const skip = el("input", { type: "checkbox", name: "skip" });
    const form = el("form", { class: "roster-form", novalidate: "" },
      el("h3", {}, W.roster), el("p", { class: "hint" }, W.roster_hint),
      el("div", { class: "row" }, el("label", { class: "grow" }, W.file, file),
        el("label", { class: "check" }, skip, " ", W.skip_bad_rows),
        el("button", { type: "submit", class: "secondary" }, W.upload_roster)), msg, problems,
      fromList(c));
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      problems.textContent = "";
      const f = file.files[0];
      if (!f) { msg.textContent = W.file; msg.className = "msg bad"; return; }
      const xlsx = /\.xlsx$/i.test(f.name);
      const r = await fetch(`/api/v1/testing/campaigns/${c.id}/roster${skip.checked ? "?skip_bad_rows=true" : ""}`, {
        method: "POST", credentials: "same-origin", body: f,
        headers: { "content-type": xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv",
          "x-csrf-token": CSRF, "accept-language": document.documentElement.lang },
      });
      let json = null;
      try { json = await r.json(); } catch (_) { /* none */ }
      const listed = (json && (json.problems || json.skipped)) || [];
      for (const p of listed) problems.append(el("li", {}, `${p.line ? W.line.replace("{n}", p.line) : ""} ${p.field ? p.field + ": " : ""}${p.message}`));
      if (r.status === 200) {
        msg.textContent = W.roster_added.replace("{a}", json.added).replace("{b}", json.already);
        msg.className = "msg ok";
        progress(c, form.closest("article"));
        return;
      }
      msg.textContent = listed.length ? W.refused_rows : (json && json.error ? json.error.message : `${T.failed} (${r.status})`);
      msg.className = "msg bad";
      msg.scrollIntoView({ block: "nearest" });
    };
    return form;
  }

  // How complete a campaign is, building by building; a building's persons not yet sampled.
  async function progress(c, article) {
    const r = await api("GET", `/api/v1/testing/campaigns/${c.id}/completeness`);
    if (r.status !== 200) return;
    const d = r.json;
    const said = article.querySelector(".progress");
    const missingCount = d.expected - d.sampled;
    said.textContent = !d.expected ? "" : (missingCount === 0
      ? W.none_missed.replace("{e}", d.expected).replace("{s}", d.sampled)
      : W.progress.replace("{e}", d.expected).replace("{s}", d.sampled).replace("{m}", missingCount).replace("{w}", d.walk_ins));
    said.className = "progress " + (d.expected && missingCount === 0 ? "ok" : "");
    // Persons sampled who are not on the roster: listed on demand.
    if (d.walk_ins) {
      said.append(" ", el("a", { href: "#", class: "walk-ins", onclick: (ev) => { ev.preventDefault(); walkIns(c, article); } },
        W.walk_ins_link.replace("{w}", d.walk_ins)));
    }
    const table = article.querySelector("table.buildings");
    table.textContent = "";
    if (!d.buildings.length) return;
    table.append(el("thead", {}, el("tr", {}, ...[W.compound, W.building, W.expected, W.sampled, W.missing].map((h) => el("th", {}, h)))));
    const body = el("tbody", {});
    for (const b of d.buildings) {
      const gap = b.expected - b.sampled;
      body.append(el("tr", {}, el("td", {}, b.compound), el("td", {}, b.building || "–"),
        el("td", { class: "num" }, String(b.expected)), el("td", { class: "num" }, String(b.sampled)),
        el("td", { class: "num" }, gap ? el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); missing(c, b, article); } }, String(gap)) : "0")));
    }
    table.append(body);
  }

  async function missing(c, b, article) {
    const q = new URLSearchParams({ compound: b.compound, building: b.building });
    const r = await api("GET", `/api/v1/testing/campaigns/${c.id}/missing?${q}`);
    const box = article.querySelector(".missing");
    box.textContent = "";
    if (r.status !== 200) { box.append(el("p", { class: "msg bad" }, refusal(r))); return; }
    box.append(el("h3", {}, W.missing_of.replace("{b}", `${b.compound} ${b.building}`)),
      el("ol", {}, ...r.json.persons.map((p) => el("li", {}, `${p.name} ${p.document.number}`))));
    box.scrollIntoView({ block: "nearest" });
  }

  async function walkIns(c, article) {
    const r = await api("GET", `/api/v1/testing/campaigns/${c.id}/walk-ins`);
    const box = article.querySelector(".missing");
    box.textContent = "";
    if (r.status !== 200) { box.append(el("p", { class: "msg bad" }, refusal(r))); return; }
    const when = (ms) => new Date(ms).toLocaleString(document.documentElement.lang, { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    box.append(el("h3", {}, W.walk_ins_title),
      el("ol", {}, ...r.json.persons.map((p) => el("li", {}, `${p.name} ${p.document.number} · ${p.site} · ${p.tube} · ${when(p.sampled_at_ms)}`))));
    box.scrollIntoView({ block: "nearest" });
  }

  $("campaign").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("campaign");
    clearRefusals(form);
    const code = await area.code();
    const local = $("c-deadline").value;
    const body = { name: $("c-name").value.trim(), area: code || $("c-area").value.trim(),
      deadline: local ? `${local}:00+08:00` : "", pool_size: Number($("c-pool").value) };
    const r = await api("POST", "/api/v1/testing/campaigns", body);
    if (r.status !== 201) { refuseBeside(form, r, "campaign-msg"); return; }
    say("campaign-msg", `${W.campaign_added}：${r.json.name}`, true);
    form.reset();
    await load();
  };
  load();
})();
