// The lane's directives: what the command sent to the selected checkpoint, most urgent first,
// until an officer acknowledges it. Asked with the clock of the last answer, the hub holds the
// question up to 15 s and answers as soon as anything changes (a long poll: a new directive is
// on the lane within a second or two); in full every 30 s (a directive scheduled ahead comes
// into force).
// Opening one notes it read; acknowledging names the signed-in officer, with an optional reply.
"use strict";
(function laneDirectives() {
  const section = $("directives");
  if (!section) return;
  // (Reports to the command are in the same feed: see renderReports.)
  const W = JSON.parse($("directive-words").textContent);
  const cp = $("checkpoint"), list = $("directive-list");
  const time = (iso) => iso ? iso.slice(5, 16).replace("T", " ") : "";
  const open = new Set(), opened = new Set(), replies = {};
  let clock = null, shown = [], lastFull = 0;

  function item(d) {
    const key = `${d.id}.${d.revision}`;
    const overdue = !d.acknowledged_at && Date.parse(d.ack_deadline) < Date.now();
    const li = el("li", { class: `directive p-${d.priority}${overdue ? " overdue" : ""}`, "data-id": String(d.id) });
    const head = el("div", { class: "directive-head" },
      el("span", { class: "tag p-" + d.priority }, W["p_" + d.priority] || d.priority),
      el("b", { class: "directive-title" }, d.title));
    li.append(head);
    const meta = [`${W.lane_due} ${time(d.ack_deadline)}`, `${W.lane_from} ${d.issued_by}`];
    if (overdue) meta.unshift(W.lane_overdue);
    li.append(el("p", { class: "hint" }, meta.join(" · ")));
    if (d.reminded_at && !d.acknowledged_at) li.append(el("p", { class: "banner" }, W.lane_reminded));
    if (d.revision > 1 && !d.acknowledged_at) li.append(el("p", { class: "msg bad" }, `${W.lane_updated}${d.update_note ? ": " + d.update_note : ""}`));
    const body = el("div", { class: "directive-body" }, el("pre", { class: "directive-text" }, d.text));
    const reply = el("input", { class: "reply", maxlength: "500", "aria-label": W.lane_reply, placeholder: W.lane_reply });
    reply.value = replies[key] || "";
    reply.oninput = () => { replies[key] = reply.value; };
    const err = el("p", { class: "field-error", role: "alert" });
    const ack = el("button", { type: "button", class: "primary big ack" }, W.lane_ack);
    ack.onclick = () => acknowledge(d, reply, err, ack);
    body.append(reply, ack, err);
    body.hidden = !open.has(key);
    const toggle = el("button", { type: "button", class: "secondary toggle" }, open.has(key) ? W.lane_close : W.lane_open);
    toggle.onclick = () => {
      const show = body.hidden;
      body.hidden = !show;
      toggle.textContent = show ? W.lane_close : W.lane_open;
      if (show) { open.add(key); markRead(d); body.scrollIntoView({ block: "nearest" }); } else open.delete(key);
    };
    head.append(toggle);
    li.append(body);
    return li;
  }

  function done(d) {
    return el("li", { class: "directive acked" }, el("span", { class: "tag ok" }, W.lane_acked), " ",
      el("span", {}, d.title), el("span", { class: "hint" }, ` · ${d.acknowledged_by} · ${time(d.acknowledged_at)}`));
  }

  function render() {
    list.textContent = "";
    const waiting = shown.filter((d) => !d.acknowledged_at);
    for (const d of waiting) list.append(item(d));
    for (const d of shown.filter((d) => d.acknowledged_at)) list.append(done(d));
    $("directives-count").textContent = waiting.length ? String(waiting.length) : "";
    section.hidden = shown.length === 0;
    section.classList.toggle("waiting", waiting.length > 0);
  }

  async function markRead(d) {
    const key = `${d.id}.${d.revision}`;
    if (opened.has(key)) return;
    opened.add(key);
    await api("POST", `/api/v1/directives/${d.id}/read`, { checkpoint: cp.value, revision: d.revision });
  }

  async function acknowledge(d, reply, err, button) {
    err.textContent = "";
    button.disabled = true;
    const body = { checkpoint: cp.value, revision: d.revision };
    if (reply.value.trim()) body.reply = reply.value.trim();
    const r = await api("POST", `/api/v1/directives/${d.id}/acknowledge`, body);
    button.disabled = false;
    if (r.status === 409 || r.status === 404) { err.textContent = W.lane_gone; poll(true); return; }
    if (r.status !== 200) { err.textContent = refusal(r).replace(/^reply: /, ""); return; }
    open.delete(`${d.id}.${d.revision}`);
    poll(true);
  }

  // One question; answers whether the lane may ask again at once.
  async function poll(full) {
    if (!cp.value) return false;
    if (Date.now() - lastFull > 30000) full = true;
    const asked = cp.value;
    const q = !full && clock !== null ? `?known=${clock}&wait=15` : "";
    let r;
    try { r = await api("GET", `/api/v1/checkpoints/${encodeURIComponent(asked)}/directives${q}`); } catch (_) { return false; }
    if (asked !== cp.value) return true;
    if (r.status !== 200) { section.hidden = true; return false; }
    clock = r.json.clock;
    if (r.json.unchanged) return true;
    if (full) lastFull = Date.now();
    shown = r.json.directives;
    render();
    renderReports(r.json.reports || []);
    return true;
  }

  // Reports to the command: a category, an urgency and a few words; the answer comes back here.
  const rform = $("report-form"), rlist = $("report-list");
  let category = null, urgency = "urgent", reportId = null;
  $("report-open").onclick = () => { rform.hidden = !rform.hidden; if (!rform.hidden) rform.scrollIntoView({ block: "nearest" }); };
  for (const b of rform.querySelectorAll("[data-cat]")) {
    b.onclick = () => { category = b.dataset.cat; for (const x of rform.querySelectorAll("[data-cat]")) x.classList.toggle("on", x === b); };
  }
  for (const b of rform.querySelectorAll(".urg")) {
    b.onclick = () => { urgency = b.dataset.urg; for (const x of rform.querySelectorAll(".urg")) x.classList.toggle("on", x === b); };
  }
  // A report keeps its id until it is answered, so a retry never files it twice.
  $("report-text").oninput = () => { reportId = reportId || uuid(); };
  rform.onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals(rform);
    $("report-msg").textContent = "";
    reportId = reportId || uuid();
    const body = { id: reportId, checkpoint: cp.value, category: category || "", urgency, text: $("report-text").value };
    const r = await api("POST", "/api/v1/reports", body);
    if (r.status !== 201 && r.status !== 200) { refuseBeside(rform, r, "report-msg"); return; }
    reportId = null;
    category = null;
    $("report-text").value = "";
    for (const x of rform.querySelectorAll("[data-cat]")) x.classList.remove("on");
    rform.hidden = true;
    say("report-msg", W.lane_reported, true);
    poll(true);
  };

  // An answer that came while the lane was open is announced at the top (a tap shows it).
  let answered = null;
  $("answer-banner").onclick = () => { $("answer-banner").hidden = true; $("reports").scrollIntoView({ block: "start" }); };
  function renderReports(reports) {
    const now = new Set(reports.filter((r) => r.answer).map((r) => r.id));
    if (answered !== null) {
      const fresh = reports.find((r) => r.answer && !answered.has(r.id));
      if (fresh) {
        const b = $("answer-banner");
        b.textContent = `${W.lane_answer} · ${W["c_" + fresh.category] || fresh.category}: ${fresh.answer}`;
        b.hidden = false;
      }
    }
    answered = now;
    rlist.textContent = "";
    // The latest few: the lane is for registering.
    for (const r of reports.slice(0, 5)) {
      const li = el("li", { class: `directive p-${r.urgency}${r.answer ? " acked" : ""}` },
        el("div", { class: "directive-head" }, el("span", { class: "tag p-" + r.urgency }, W["p_" + r.urgency] || r.urgency),
          el("b", { class: "directive-title" }, W["c_" + r.category] || r.category),
          el("span", { class: "hint" }, time(r.reported_at))),
        el("p", {}, r.text));
      li.append(r.answer
        ? el("p", { class: "answer-line" }, el("b", {}, `${W.lane_answer}: `), r.answer, el("span", { class: "hint" }, ` · ${r.answered_by} · ${time(r.answered_at)}`))
        : el("p", { class: "hint" }, W.lane_waiting));
      rlist.append(li);
    }
  }

  // The long poll, for as long as the page is open; a failure waits 3 s.
  (async function listen() {
    for (;;) {
      const again = await poll(false);
      if (!again) await new Promise((res) => setTimeout(res, 3000));
    }
  })();
  cp.addEventListener("change", () => { clock = null; shown = []; render(); poll(true); });
})();
