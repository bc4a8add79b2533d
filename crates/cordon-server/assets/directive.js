// A directive's board: its text and counts, the stations not yet acknowledged (delivered,
// read, reminded, overdue) and those that have (by whom, when, their reply); remind the rest,
// publish a revision (every station acknowledges again), or cancel it. Refreshed every 5 s.
"use strict";
(function directiveBoard() {
  const board = $("board");
  if (!board) return;
  const W = JSON.parse($("words").textContent);
  const id = board.dataset.id;
  const when = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  const mark = (iso) => iso ? "✓ " + when(iso).slice(11) : "–";
  let filled = false;

  function counts(c) {
    const box = $("b-counts");
    box.textContent = "";
    for (const [key, n, cls] of [["recipients", c.recipients, ""], ["delivered", c.delivered, ""], ["read", c.read, ""],
      ["acknowledged", c.acknowledged, "ok"], ["overdue", c.overdue, c.overdue ? "bad" : ""]]) {
      box.append(el("div", { class: "count " + cls }, el("b", {}, String(n)), el("span", {}, W[key])));
    }
  }

  async function load() {
    const r = await api("GET", `/api/v1/directives/${id}`);
    if (r.status !== 200) { $("b-title").textContent = refusal(r); return; }
    const d = r.json.directive;
    $("b-title").textContent = d.title;
    $("b-meta").textContent = [W["p_" + d.priority], W["state_" + d.state], `${W.revision} ${d.revision}`,
      `${W.issued_by} ${d.issued_by} · ${when(d.issued_at)}`, `${W.deadline} ${when(d.ack_deadline)}`].join(" · ");
    $("b-text").textContent = d.text;
    $("b-note").textContent = d.update_note ? `${W.update_note}: ${d.update_note}` : "";
    const cancelled = d.state === "cancelled";
    $("b-cancelled").hidden = !cancelled;
    if (cancelled) $("b-cancelled").textContent = `${W.cancelled} · ${d.cancelled.by} · ${when(d.cancelled.at)} · ${d.cancelled.reason}`;
    $("b-actions").hidden = cancelled;
    $("change").hidden = cancelled;
    counts(d.counts);
    if (!filled) {
      $("r-title").value = d.title;
      $("r-text").value = d.text;
      $("r-priority").value = d.priority;
      filled = true;
    }
    const pending = $("pending").querySelector("tbody"), done = $("done").querySelector("tbody");
    pending.textContent = "";
    done.textContent = "";
    const rs = r.json.recipients;
    const waiting = rs.filter((s) => !s.acknowledged_at);
    // The overdue first, then those not yet opened.
    waiting.sort((a, b) => (b.overdue - a.overdue) || (!!a.read_at - !!b.read_at) || a.checkpoint.localeCompare(b.checkpoint));
    $("pending-count").textContent = `(${waiting.length})`;
    if (!waiting.length) pending.append(el("tr", {}, el("td", { colspan: "5", class: "ok" }, W.all_done)));
    for (const s of waiting) {
      pending.append(el("tr", { class: s.overdue ? "overdue" : "" },
        el("td", {}, `${s.name} · ${s.checkpoint}`), el("td", {}, mark(s.delivered_at)), el("td", {}, mark(s.read_at)),
        el("td", {}, s.reminded_at ? when(s.reminded_at) : ""), el("td", { class: s.overdue ? "bad" : "" }, s.overdue ? W.overdue : "")));
    }
    const acked = rs.filter((s) => s.acknowledged_at);
    $("done-count").textContent = `(${acked.length})`;
    for (const s of acked) {
      done.append(el("tr", {}, el("td", {}, `${s.name} · ${s.checkpoint}`), el("td", {}, s.acknowledged_by || ""),
        el("td", {}, when(s.acknowledged_at)), el("td", {}, s.reply || "")));
    }
  }

  $("remind").onclick = async () => {
    const r = await api("POST", `/api/v1/directives/${id}/remind`, {});
    if (r.status !== 200) { say("remind-msg", refusal(r), false); return; }
    say("remind-msg", W.reminded.replace("{n}", r.json.reminded), true);
    load();
  };

  $("revise").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("revise");
    clearRefusals(form);
    $("revise-error").textContent = "";
    const body = { title: $("r-title").value, text: $("r-text").value, priority: $("r-priority").value, note: $("r-note").value };
    if ($("r-deadline").value) body.ack_deadline = $("r-deadline").value + ":00+08:00";
    const r = await api("POST", `/api/v1/directives/${id}/revise`, body);
    if (r.status !== 200) { refuseBeside(form, r, "revise-error"); return; }
    $("r-note").value = "";
    $("r-deadline").value = "";
    say("revise-msg", W.revised.replace("{n}", r.json.revision), true);
    load();
  };

  $("cancel").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("cancel");
    clearRefusals(form);
    $("cancel-error").textContent = "";
    const r = await api("POST", `/api/v1/directives/${id}/cancel`, { reason: $("c-reason").value });
    if (r.status !== 200) { refuseBeside(form, r, "cancel-error"); return; }
    load();
    board.scrollIntoView({ block: "start" });
  };

  load();
  setInterval(load, 5000);
})();
