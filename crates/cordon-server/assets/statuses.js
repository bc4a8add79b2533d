// The person-status page: request a change (reason and evidence), the queue a second commander
// approves or rejects with a note, the decisions, and one person's changes. Document numbers
// travel only in request bodies.
"use strict";
(function statusPage() {
  const form = $("request");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const decides = $("pending").dataset.decides === "true";
  const when = (iso) => iso ? iso.slice(0, 16).replace("T", " ") : "";
  const statusLabel = (s) => W["status_" + s] || s;
  const stateLabel = (s) => W[s] || s;
  const evidenceLabel = (e) => `${W["evidence_" + e.kind] || e.kind} ${e.reference}`;


  function row(c, withDecision) {
    const cells = [
      el("td", { class: "num" }, c.document.number),
      el("td", {}, statusLabel(c.status)),
    ];
    if (withDecision) cells.push(el("td", { class: "state-" + c.state }, stateLabel(c.state)));
    cells.push(el("td", {}, c.reason), el("td", {}, evidenceLabel(c.evidence)),
      el("td", {}, `${c.requested_by} · ${when(c.requested_at)}`));
    if (withDecision) {
      cells.push(el("td", {}, c.decided_by ? `${c.decided_by} · ${when(c.decided_at)}` : ""),
        el("td", {}, c.decision_note || ""));
    }
    return el("tr", { "data-id": String(c.id) }, ...cells);
  }

  async function decide(c, tr, note, verb) {
    const msg = tr.querySelector(".field-error");
    msg.textContent = "";
    const body = note.value.trim() ? { note: note.value.trim() } : {};
    const r = await api("POST", `/api/v1/status-changes/${c.id}/${verb}`, body);
    if (r.status !== 200) { msg.textContent = refusal(r).replace(/^note: /, ""); note.focus(); return; }
    tr.remove();
    loadPending();
    loadHistory(true);
  }

  async function loadPending() {
    const r = await api("GET", "/api/v1/status-changes?state=pending&limit=200");
    const body = $("pending").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { body.append(el("tr", {}, el("td", { colspan: "7", class: "error" }, refusal(r)))); return; }
    $("pending-count").textContent = `(${r.json.changes.length})`;
    if (!r.json.changes.length) body.append(el("tr", {}, el("td", { colspan: "7" }, W.none_yet)));
    for (const c of r.json.changes) {
      const tr = row(c, false);
      if (decides) {
        const note = el("input", { class: "note", "aria-label": W.note, placeholder: W.note_hint, maxlength: "500" });
        tr.append(el("td", {}, note, el("span", { class: "field-error", role: "alert" })),
          el("td", { class: "actions" },
            el("button", { type: "button", class: "primary small approve", onclick: () => decide(c, tr, note, "approve") }, W.approve), " ",
            el("button", { type: "button", class: "secondary small reject", onclick: () => decide(c, tr, note, "reject") }, W.reject)));
      }
      body.append(tr);
    }
  }

  let next = null;
  async function loadHistory(fresh) {
    const state = $("history-state").value;
    let path = "/api/v1/status-changes?limit=50" + (state ? `&state=${state}` : "");
    if (!fresh && next !== null) path += `&before=${next}`;
    const r = await api("GET", path);
    const body = $("history").querySelector("tbody");
    if (fresh) body.textContent = "";
    if (r.status !== 200) { body.append(el("tr", {}, el("td", { colspan: "8", class: "error" }, refusal(r)))); return; }
    if (fresh && !r.json.changes.length) body.append(el("tr", {}, el("td", { colspan: "8" }, W.none_yet)));
    for (const c of r.json.changes) body.append(row(c, true));
    next = r.json.next;
    $("history-more").hidden = next === null || next === undefined;
  }
  $("history-state").onchange = () => loadHistory(true);
  $("history-more").onclick = () => loadHistory(false);

  const local = (d) => chinaTime(d).slice(0, 16);
  $("until").min = local(new Date());
  $("person-type").innerHTML = $("doc-type").innerHTML;

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals(form);
    $("request-error").textContent = "";
    $("request-msg").textContent = "";
    const number = $("doc-number").value.trim().toUpperCase();
    if ($("doc-type").value === "resident_id" && !idOk(number)) {
      refuseBeside(form, { json: { error: { field: "document", message: T.invalid_id } } }, $("request-error"));
      return;
    }
    const body = {
      document: { type: $("doc-type").value, number },
      status: $("status").value,
      reason: $("reason").value.trim(),
      evidence: { kind: $("evidence-kind").value, reference: $("reference").value.trim() },
    };
    if ($("until").value) body.until = $("until").value + ":00+08:00";
    $("submit").disabled = true;
    const r = await api("POST", "/api/v1/status-changes", body);
    $("submit").disabled = false;
    if (r.status !== 201) { refuseBeside(form, r, $("request-error")); return; }
    $("request-msg").textContent = W.requested.replace("{id}", r.json.id);
    $("request-msg").scrollIntoView({ block: "center" });
    for (const id of ["doc-number", "reason", "reference", "until"]) $(id).value = "";
    loadPending();
    loadHistory(true);
  };

  $("person-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const pf = $("person-form");
    clearRefusals(pf);
    const number = $("person-number").value.trim().toUpperCase();
    const type = $("person-type").value;
    if (type === "resident_id" && !idOk(number)) {
      refuseBeside(pf, { json: { error: { field: "document", message: T.invalid_id } } }, $("request-error"));
      return;
    }
    const r = await api("POST", "/api/v1/status-changes/person", { document: { type, number } });
    const table = $("person-changes");
    const body = table.querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { refuseBeside(pf, r, $("request-error")); return; }
    if (!r.json.changes.length) body.append(el("tr", {}, el("td", { colspan: "8" }, W.none_yet)));
    for (const c of r.json.changes) body.append(row(c, true));
    table.hidden = false;
    table.scrollIntoView({ block: "nearest" });
  };

  loadPending();
  loadHistory(true);
})();
