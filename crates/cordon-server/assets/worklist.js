// A caller's worklist, on a phone: the persons to call (then, for a lead, to visit), each opened
// with every list's facts and the phone as a tel: link, the questionnaire for a person reached,
// and one button per outcome. After each outcome the list comes back with what was recorded.
"use strict";
(function worklist() {
  const W = JSON.parse($("words").textContent);
  const when = (ms) => chinaTime(new Date(ms)).slice(5, 16).replace("T", " ");
  const stateLabel = (s) => W["state_" + s] || s;
  let open = null;

  async function load(said) {
    const r = await api("GET", "/api/v1/followup/worklist");
    const list = $("items");
    list.textContent = "";
    if (r.status !== 200) { say("list-msg", refusal(r), false); return; }
    const items = r.json.items, now = Date.now();
    const visits = items.filter((i) => i.state === "escalated").length;
    $("counts").textContent = items.length ? `${W.to_call.replace("{n}", items.length - visits)} · ${W.to_visit.replace("{n}", visits)}` : W.nothing;
    for (const i of items) {
      const late = i.deadline_ms < now;
      const facts = [stateLabel(i.state), W.calls.replace("{n}", i.calls)];
      if (i.next_call_ms && i.next_call_ms > now && i.state !== "escalated") facts.push(W.next_call.replace("{t}", when(i.next_call_ms)));
      facts.push(`${W.deadline} ${when(i.deadline_ms)}${late ? " · " + W.overdue : ""}`);
      list.append(el("li", {}, el("button", { type: "button", class: "work-item" + (late ? " late" : ""), "data-subject": String(i.subject), onclick: () => show(i.subject) },
        el("span", { class: "who" }, i.name), el("span", { class: "num" }, i.document ? i.document.number : ""),
        el("span", { class: "hint" }, facts.join(" · ")))));
    }
    $("person").hidden = true;
    $("list-card").hidden = false;
    if (said) say("list-msg", said, true);
  }

  // A lead's team: its persons whose work is not over, ticked and handed to a caller of it.
  async function team() {
    const r = await api("GET", "/api/v1/followup/team?limit=500");
    if (r.status !== 200 || !r.json.teams.length) return;
    const members = [...new Set(r.json.teams.flatMap((t) => t.members))].sort();
    const to = $("team-to");
    to.textContent = "";
    for (const m of members) to.append(el("option", { value: m }, m));
    const list = $("team-items");
    list.textContent = "";
    for (const i of r.json.items) {
      list.append(el("li", {}, el("label", { class: "check" },
        el("input", { type: "checkbox", value: String(i.subject) }),
        ` ${i.name} ${i.document ? i.document.number : ""} · ${stateLabel(i.state)} · ${W.assignee} ${i.assignee || "–"}`)));
    }
    $("team-card").hidden = false;
  }
  $("team-hand").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("team-hand");
    clearRefusals(form);
    const subjects = [...form.querySelectorAll("#team-items input:checked")].map((c) => Number(c.value));
    if (!subjects.length) { say("team-msg", W.none_selected, false); return; }
    const r = await api("POST", "/api/v1/followup/team/reassign", { subjects, to: $("team-to").value });
    if (r.status !== 200) { refuseBeside(form, r, "team-msg", (e) => e.field || ""); return; }
    say("team-msg", W.handed.replace("{n}", r.json.handed), true);
    await team();
    await load();
  };

  function fact(label, value) { return value ? el("p", {}, el("b", {}, label + "："), value) : ""; }

  async function show(id) {
    const r = await api("GET", `/api/v1/followup/subjects/${id}`);
    if (r.status !== 200) { say("list-msg", refusal(r), false); return; }
    open = r.json;
    const v = open;
    $("person-name").textContent = `${v.item.name} ${v.item.document ? v.item.document.number : ""}`;
    $("person-state").textContent = `${stateLabel(v.item.state)} · ${W.calls.replace("{n}", v.item.calls)}`;
    const sources = $("sources");
    sources.textContent = "";
    for (const s of v.sources) {
      const f = s.facts || {};
      sources.append(el("div", { class: "source" },
        el("h3", {}, s.label),
        el("p", { class: "who" }, f.name || ""),
        f.phone ? el("a", { class: "tel", href: `tel:${f.phone}` }, f.phone) : "",
        fact(W.from, f.from), fact(W.arrived_on, f.arrived_on), fact(W.address, f.address), fact(W.note, f.note)));
    }
    const history = $("history");
    history.textContent = "";
    for (const a of v.attempts) history.append(el("li", {}, `${when(a.at_ms)} ${a.kind === "visit" ? W.visit : W.call} · ${W[a.outcome] || a.outcome} · ${a.caller}${a.note ? " · " + a.note : ""}`));
    $("answers").hidden = true; $("elsewhere").hidden = true;
    $("person-msg").textContent = "";
    $("list-card").hidden = true;
    $("person").hidden = false;
    $("person").focus();
    window.scrollTo(0, 0);
  }
  $("back").onclick = () => load();

  // One field per question, by its kind; each with a slot for its refusal.
  function question(q, facts) {
    const box = el("div", { class: "question", "data-q": q.id, "data-kind": q.kind });
    const label = el("label", {}, q.text + (q.required ? " *" : ""));
    const err = el("span", { class: "field-error", "data-for": "answers." + q.id });
    const select = (cls, opts) => { const s = el("select", { class: cls }, el("option", { value: "" }, "–")); for (const [v, t] of opts) s.append(el("option", { value: v }, t)); return s; };
    switch (q.kind) {
      case "text": case "address": {
        const i = el("input", { class: "a", maxlength: "500" });
        if (q.kind === "address" && facts.address) i.value = facts.address;
        label.append(i); break;
      }
      case "yes_no": label.append(select("a", [["true", W.yes], ["false", W.no]])); break;
      case "date": label.append(el("input", { class: "a", type: "date" })); break;
      case "temperature": label.append(el("input", { class: "a", type: "number", step: "0.1", min: "34", max: "43", inputmode: "decimal" })); break;
      case "choice": label.append(select("a", q.options.map((o) => [o, o]))); break;
      case "choices":
        for (const o of q.options) box.append(el("label", { class: "check" }, el("input", { type: "checkbox", value: o }), " " + o));
        break;
      case "transport":
        label.append(select("t-kind", ["train", "flight", "bus", "car", "ship", "other"].map((k) => [k, W["t_" + k]])));
        box.append(el("label", {}, W.transport_number, el("input", { class: "t-number", maxlength: "20", autocapitalize: "characters" })));
        break;
      case "test":
        label.append(select("x-kind", [["pcr", "PCR"], ["antigen", W.antigen]]));
        box.append(el("label", {}, W.date, el("input", { class: "x-date", type: "date" })),
          el("label", {}, W.test_result, select("x-result", [["negative", T.negative], ["positive", T.positive], ["pending", T.pending]])));
        break;
      case "places": {
        const rows = el("div", { class: "places" });
        const addRow = () => {
          const id = "pl-" + Math.random().toString(36).slice(2);
          const input = el("input", { class: "p-place", list: id, autocomplete: "off" });
          const dl = el("datalist", { id });
          const row = el("div", { class: "row place-row" }, el("label", { class: "grow" }, W.place, input, dl), el("label", {}, W.date, el("input", { class: "p-date", type: "date" })));
          row.field = placeField(input, dl, null);
          rows.append(row);
        };
        addRow();
        box.append(rows, el("button", { type: "button", class: "secondary small", onclick: addRow }, W.add_place));
        break;
      }
    }
    box.prepend(label);
    box.append(err);
    return box;
  }

  // The answers as the API takes them; null (with the refusal shown) if a place is unknown.
  async function answers() {
    const out = {};
    for (const box of $("questions").children) {
      const q = box.dataset.q, kind = box.dataset.kind;
      const a = box.querySelector(".a");
      let v = null;
      if (kind === "yes_no") v = a.value === "" ? null : a.value === "true";
      else if (kind === "temperature") v = a.value === "" ? null : +a.value;
      else if (kind === "choices") { const c = [...box.querySelectorAll("input:checked")].map((x) => x.value); v = c.length ? c : null; }
      else if (kind === "transport") { const k = box.querySelector(".t-kind").value; v = k ? { kind: k, number: box.querySelector(".t-number").value.trim() } : null; }
      else if (kind === "test") { const k = box.querySelector(".x-kind").value; v = k ? { kind: k, date: box.querySelector(".x-date").value, result: box.querySelector(".x-result").value } : null; }
      else if (kind === "places") {
        const list = [];
        for (const row of box.querySelectorAll(".place-row")) {
          const input = row.querySelector(".p-place");
          if (!input.value.trim()) continue;
          const code = await row.field.code();
          if (!code) { box.querySelector(".field-error").textContent = W.place_unknown; input.classList.add("bad"); input.focus(); return null; }
          list.push({ division: code, date: row.querySelector(".p-date").value });
        }
        v = list.length ? list : null;
      } else v = a.value.trim() || null;
      if (v !== null) out[q] = v;
    }
    return out;
  }

  async function record(outcome, extra) {
    const kind = open.visit ? "visit" : "call";
    const r = await api("POST", `/api/v1/followup/subjects/${open.item.subject}/attempts`, Object.assign({ kind, outcome }, extra));
    if (r.status !== 201) {
      const form = outcome === "reached" ? $("answers") : $("elsewhere");
      refuseBeside(form, r, "person-msg", (e) => e.field || "");
      return;
    }
    const said = W.recorded.replace("{s}", `${open.item.name} · ${W[outcome]}`) + (r.json.proposed_status_change ? " · " + W.proposed : "");
    await load(said);
  }

  for (const b of document.querySelectorAll("[data-outcome]")) {
    b.onclick = () => {
      const outcome = b.dataset.outcome;
      $("answers").hidden = true; $("elsewhere").hidden = true;
      if (outcome === "reached") {
        if (!open.questionnaire) { say("person-msg", W.no_questionnaire, false); return; }
        const qs = $("questions");
        qs.textContent = "";
        const facts = (open.sources.find((s) => s.facts) || {}).facts || {};
        for (const q of open.questionnaire.questionnaire.questions) qs.append(question(q, facts));
        $("answers").hidden = false;
        $("answers").scrollIntoView({ block: "start" });
        const first = qs.querySelector("input,select");
        if (first) first.focus();
      } else if (outcome === "lives_elsewhere") {
        $("elsewhere").hidden = false;
        $("where").focus();
      } else record(outcome, {});
    };
  }
  $("answers").onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals($("answers"));
    const a = await answers();
    if (a === null) return;
    record("reached", { questionnaire: open.questionnaire.version, answers: a });
  };
  $("elsewhere").onsubmit = (ev) => {
    ev.preventDefault();
    clearRefusals($("elsewhere"));
    const where = $("where").value.trim();
    record("lives_elsewhere", where ? { moved_to: where } : {});
  };
  load();
  team();
})();
