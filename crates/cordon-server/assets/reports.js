// The command's inbox of reports from the stations: the unanswered first, most urgent and
// longest waiting first; take one, answer it (the answer shows on that station's lane). Read
// again every 10 s, keeping what is being typed.
"use strict";
(function reportsPage() {
  const list = $("inbox");
  if (!list) return;
  const W = JSON.parse($("words").textContent);
  const when = (iso) => iso ? iso.slice(5, 16).replace("T", " ") : "";
  const typed = {};

  function item(r) {
    const waited = Math.max(0, Math.round((Date.now() - Date.parse(r.reported_at)) / 60000));
    const li = el("li", { class: `directive p-${r.urgency}${r.state === "answered" ? " acked" : ""}`, "data-id": r.id });
    li.append(el("div", { class: "directive-head" },
      el("span", { class: "tag p-" + r.urgency }, W["p_" + r.urgency] || r.urgency),
      el("b", { class: "directive-title" }, `${W["c_" + r.category] || r.category} · ${r.checkpoint_name}`),
      el("span", { class: "hint" }, W["r_state_" + r.state] || r.state)));
    li.append(el("pre", { class: "directive-text" }, r.text));
    const meta = [`${r.reported_by} · ${when(r.reported_at)}`, r.checkpoint];
    if (r.state !== "answered") meta.push(`${W.r_waiting} ${waited} ${W.minutes}`);
    if (r.assigned_to) meta.push(`${W.r_state_assigned}: ${r.assigned_to}`);
    li.append(el("p", { class: "hint" }, meta.join(" · ")));
    if (r.state === "answered") {
      li.append(el("p", {}, el("b", {}, `${W.r_answer}: `), r.answer, el("span", { class: "hint" }, ` · ${r.answered_by} · ${when(r.answered_at)}`)));
      return li;
    }
    const err = el("p", { class: "field-error", role: "alert" });
    if (r.state === "open") {
      const take = el("button", { type: "button", class: "secondary take" }, W.r_take);
      take.onclick = async () => {
        const res = await api("POST", `/api/v1/reports/${r.id}/assign`, {});
        if (res.status !== 200) { err.textContent = refusal(res); return; }
        load();
      };
      li.append(take);
    }
    const answer = el("textarea", { class: "answer", rows: "2", maxlength: "1000", "aria-label": W.r_answer, placeholder: W.r_answer });
    answer.value = typed[r.id] || "";
    answer.oninput = () => { typed[r.id] = answer.value; };
    const send = el("button", { type: "button", class: "primary send" }, W.r_send);
    send.onclick = async () => {
      err.textContent = "";
      const res = await api("POST", `/api/v1/reports/${r.id}/answer`, { answer: answer.value });
      if (res.status !== 200) { err.textContent = refusal(res).replace(/^answer: /, ""); answer.focus(); return; }
      delete typed[r.id];
      load();
    };
    li.append(answer, send, err);
    return li;
  }

  async function load() {
    const q = $("open-only").checked ? "?open=true" : "";
    const r = await api("GET", `/api/v1/reports${q}`);
    if (r.status !== 200) { say("inbox-msg", refusal(r), false); return; }
    // Not while an answer is being typed: its box would lose the focus.
    if (document.activeElement && document.activeElement.classList.contains("answer")) return;
    list.textContent = "";
    const open = r.json.reports.filter((x) => x.state !== "answered");
    $("open-count").textContent = `(${open.length})`;
    if (!r.json.reports.length) list.append(el("li", { class: "hint" }, W.r_none));
    for (const x of r.json.reports) list.append(item(x));
  }

  $("open-only").onchange = load;
  load();
  setInterval(load, 10000);
})();
