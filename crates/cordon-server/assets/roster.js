// A checkpoint's roster: a week of shifts by day (on duty, upcoming, ended), each with its lead,
// officers, masked volunteers, registrations and hand-over note; for a commander in scope or the
// station's lead, a form to plan or change a shift (refusals beside their fields), delete an
// upcoming one and show the volunteers' contacts for a stated purpose; for a commander, the
// station's leads.
"use strict";
(function rosterPage() {
  const card = $("roster-card");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  const code = card.dataset.code;
  const form = $("plan");
  let roster = null;
  let editing = null;

  const day = (iso) => iso.slice(0, 10);
  const hm = (iso) => iso.slice(11, 16);
  const localInput = (iso) => iso.slice(0, 16);
  const fromInput = (v) => v ? `${v}:00+08:00` : "";
  const today = () => chinaTime(new Date()).slice(0, 10);
  const shiftDays = (d, n) => new Date(Date.parse(`${d}T00:00:00+08:00`) + n * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
  $("from").value = shiftDays(today(), -1);

  function handoverBox(s) {
    const box = el("div", { class: "handover" });
    if (s.handover) {
      box.append(el("p", {}, el("b", {}, `${W.handover}: `), s.handover.note,
        el("span", { class: "hint" }, ` · ${s.handover.by} · ${s.handover.at.slice(5, 16).replace("T", " ")}`)));
    }
    if (s.state === "upcoming") return box;
    const open = el("button", { type: "button", class: "secondary" }, W.handover_write);
    const text = el("textarea", { rows: "3", maxlength: "2000", "aria-label": W.handover, hidden: "" });
    const slot = el("span", { class: "field-error", "data-for": "text" });
    const send = el("button", { type: "button", class: "primary", hidden: "" }, W.save);
    const msg = el("p", { class: "msg", role: "status" });
    open.onclick = () => { text.hidden = false; send.hidden = false; open.hidden = true; text.value = s.handover ? s.handover.note : ""; text.focus(); };
    send.onclick = async () => {
      clearRefusals(box);
      const r = await api("POST", `/api/v1/shifts/${s.id}/handover`, { text: text.value });
      if (r.status !== 200) { refuseBeside(box, r, msg); return; }
      msg.textContent = W.handover_saved; msg.className = "msg ok";
      load();
    };
    const label = el("label", {}, text, slot);
    box.append(open, label, send, msg);
    return box;
  }

  function shiftItem(s, before) {
    const li = el("li", { class: `shift s-${s.state}`, "data-id": s.id });
    li.append(el("div", { class: "directive-head" },
      el("span", { class: "tag" + (s.state === "on_duty" ? " ok" : "") }, W["s_" + s.state]),
      el("b", {}, `${hm(s.starts_at)}–${day(s.ends_at) !== day(s.starts_at) ? s.ends_at.slice(5, 10) + " " : ""}${hm(s.ends_at)}`),
      el("span", {}, `${W.lead}: ${s.lead}`)));
    const people = [];
    if (s.officers.length) people.push(`${W.officers}: ${s.officers.join("、")}`);
    if (s.volunteers.length) people.push(`${W.volunteers}: ${s.volunteers.map((v) => `${v.name} ${v.phone}`).join("、")}`);
    if (people.length) li.append(el("p", { class: "crew" }, people.join(" · ")));
    // What the shift before left for this one, where it is about to start or under way.
    if (before && before.handover && s.state !== "ended") {
      li.append(el("p", { class: "handed" }, el("b", {}, `${W.handover_from}: `), before.handover.note,
        el("span", { class: "hint" }, ` · ${before.handover.by}`)));
    }
    const meta = [`${W.planned_by}: ${s.planned_by}`];
    if (s.state !== "upcoming") meta.push(`${W.registrations}: ${s.registrations}`);
    li.append(el("p", { class: "hint" }, meta.join(" · ")));
    if (roster.may_plan && s.state !== "ended") {
      const edit = el("button", { type: "button", class: "secondary" }, W.edit);
      edit.onclick = () => startEdit(s);
      li.append(edit);
      if (s.state === "upcoming") {
        const del = el("button", { type: "button", class: "secondary danger" }, W.drop);
        del.onclick = async () => {
          if (!confirm(W.drop_confirm)) return;
          const r = await api("DELETE", `/api/v1/shifts/${s.id}`);
          if (r.status !== 204) { say("roster-msg", refusal(r), false); return; }
          load();
        };
        li.append(del);
      }
    }
    if (roster.may_plan && s.volunteers.length) {
      const reveal = el("button", { type: "button", class: "secondary" }, W.reveal);
      reveal.onclick = async () => {
        const purpose = prompt(W.purpose);
        if (!purpose) return;
        const r = await api("POST", `/api/v1/shifts/${s.id}/volunteers`, { purpose });
        if (r.status !== 200) { say("roster-msg", refusal(r), false); return; }
        li.querySelector(".crew").textContent = `${W.volunteers}: ${r.json.volunteers.map((v) => `${v.name} ${v.phone}`).join("、")}`;
      };
      li.append(reveal);
    }
    li.append(handoverBox(s));
    return li;
  }

  function showDays() {
    const box = $("days");
    box.textContent = "";
    const byDay = new Map();
    for (let i = 0; i < 7; i++) byDay.set(shiftDays($("from").value, i), []);
    for (const s of roster.shifts) {
      const d = day(s.starts_at);
      if (!byDay.has(d)) byDay.set(d, []);
      byDay.get(d).push(s);
    }
    for (const [d, list] of [...byDay.entries()].sort()) {
      const sec = el("section", { class: "roster-day" + (d === today() ? " today" : "") }, el("h3", {}, d));
      if (!list.length) sec.append(el("p", { class: "hint" }, W.none_planned));
      else {
        const ol = el("ol", { class: "directive-list" });
        for (const s of list) {
          const i = roster.shifts.indexOf(s);
          ol.append(shiftItem(s, i > 0 ? roster.shifts[i - 1] : null));
        }
        sec.append(ol);
      }
      box.append(sec);
    }
  }

  function volunteerRow(v) {
    const li = el("li", { class: "row" });
    const name = el("input", { class: "v-name", "aria-label": W.v_name, placeholder: W.v_name, value: v ? v.name : "" });
    const phone = el("input", { class: "v-phone num", inputmode: "tel", "aria-label": W.v_phone, placeholder: W.v_phone, value: v ? v.phone : "" });
    const i = $("s-volunteers").children.length;
    const rm = el("button", { type: "button", class: "secondary" }, W.remove);
    rm.onclick = () => li.remove();
    li.append(el("label", {}, name, el("span", { class: "field-error", "data-for": `volunteers[${i}].name` })),
      el("label", {}, phone, el("span", { class: "field-error", "data-for": `volunteers[${i}].phone` })), rm);
    $("s-volunteers").append(li);
  }

  function fillForm(s) {
    const lead = $("s-lead");
    lead.textContent = "";
    for (const o of roster.officers) lead.append(el("option", { value: o.username }, o.username));
    const box = $("s-officers");
    box.textContent = "";
    if (!roster.officers.length) box.append(el("p", { class: "hint" }, W.no_officers));
    for (const o of roster.officers) {
      const c = el("input", { type: "checkbox", value: o.username });
      if (s && s.officers.includes(o.username)) c.checked = true;
      box.append(el("label", { class: "inline" }, c, ` ${o.username}`));
    }
    if (s) lead.value = s.lead;
    $("s-volunteers").textContent = "";
    $("s-start").disabled = !!(s && s.state === "on_duty");
    if (s) {
      $("s-start").value = localInput(s.starts_at);
      $("s-end").value = localInput(s.ends_at);
    } else {
      const last = roster.shifts.filter((x) => x.state !== "ended").map((x) => x.ends_at).sort().pop();
      const start = last || `${chinaTime(new Date(Date.now() + 3600e3)).slice(0, 13)}:00:00+08:00`;
      $("s-start").value = localInput(start);
      $("s-end").value = localInput(chinaTime(new Date(Date.parse(start) + 8 * 3600e3)));
    }
  }

  function startEdit(s) {
    editing = s;
    clearRefusals(form);
    fillForm(s);
    // Volunteers are shown masked: a change keeps them only if typed again in full.
    $("plan-title").textContent = W.replan;
    $("plan-cancel").hidden = false;
    $("plan-card").scrollIntoView({ block: "start" });
  }

  function endEdit() {
    editing = null;
    $("plan-title").textContent = W.plan;
    $("plan-cancel").hidden = true;
    fillForm(null);
  }

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals(form);
    $("plan-error").textContent = "";
    $("plan-msg").textContent = "";
    const body = {
      starts_at: fromInput($("s-start").value),
      ends_at: fromInput($("s-end").value),
      lead: $("s-lead").value,
      officers: [...$("s-officers").querySelectorAll("input:checked")].map((c) => c.value),
      volunteers: [...$("s-volunteers").children].map((li) => ({
        name: li.querySelector(".v-name").value, phone: li.querySelector(".v-phone").value,
      })).filter((v) => v.name || v.phone),
    };
    if (!body.starts_at) { $("s-start").focus(); return; }
    const r = editing
      ? await api("PUT", `/api/v1/shifts/${editing.id}`, body)
      : await api("POST", `/api/v1/checkpoints/${code}/shifts`, body);
    if (r.status !== 200 && r.status !== 201) {
      refuseBeside(form, r, "plan-error", (p) => (p.field || "").startsWith("volunteers[") ? p.field : (p.field || "").split(/[.[]/)[0]);
      return;
    }
    $("plan-msg").textContent = W.planned;
    endEdit();
    await load();
    const li = document.querySelector(`.shift[data-id="${r.json.id}"]`);
    if (li) li.scrollIntoView({ block: "center" });
  };
  $("plan-cancel").onclick = endEdit;
  $("add-volunteer").onclick = () => volunteerRow(null);

  function showLeads() {
    const box = $("leads");
    if (!box) return;
    box.textContent = "";
    if (!roster.officers.length) box.append(el("p", { class: "hint" }, W.no_officers));
    for (const o of roster.officers) {
      const c = el("input", { type: "checkbox", value: o.username });
      c.checked = o.lead;
      box.append(el("label", { class: "inline" }, c, ` ${o.username}`));
    }
  }
  if ($("leads-save")) $("leads-save").onclick = async () => {
    const card = $("leads-card");
    clearRefusals(card);
    const leads = [...$("leads").querySelectorAll("input:checked")].map((c) => c.value);
    const r = await api("PUT", `/api/v1/checkpoints/${code}/leads`, { leads });
    if (r.status !== 200) { refuseBeside(card, r, "leads-msg"); return; }
    say("leads-msg", W.leads_saved, true);
  };

  async function load() {
    const r = await api("GET", `/api/v1/checkpoints/${code}/roster?from=${$("from").value}&days=7`);
    if (r.status !== 200) { say("roster-msg", refusal(r), false); return; }
    const first = roster === null;
    roster = r.json;
    $("cp-name").textContent = `${roster.checkpoint_name} · ${roster.checkpoint}`;
    showDays();
    $("plan-card").hidden = !roster.may_plan;
    $("not-planner").hidden = roster.may_plan;
    if (first) { fillForm(null); showLeads(); }
  }

  $("earlier").onclick = () => { $("from").value = shiftDays($("from").value, -7); load(); };
  $("later").onclick = () => { $("from").value = shiftDays($("from").value, 7); load(); };
  $("from").onchange = load;
  load();
})();
