// The audit page: entries by account, action, subject (turned into its keyed hash through the
// API, never put in an address in clear) and time; an entry's details; the chain verified.
"use strict";
(function audit() {
  const form = $("search");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  const when = (ms) => chinaTime(new Date(ms)).slice(0, 19).replace("T", " ");
  let query = null, next = null;

  $("subject-kind").onchange = () => { $("subject").disabled = $("subject-kind").value === ""; if (!$("subject").disabled) $("subject").focus(); };
  const clear = () => { clearRefusals(form); $("search-error").textContent = ""; };

  function row(e) {
    const details = el("tr", { class: "details", hidden: "" }, el("td", { colspan: "8" }, el("dl", { class: "entry" },
      ...[[W.role, e.role], [W.scope, e.scope], [W.address, e.address], [W.subjects, (e.subjects || []).join(" ")],
        [W.prev_hash, e.prev_hash], [W.hash, e.hash]].flatMap(([k, v]) => [el("dt", {}, k), el("dd", { class: "num" }, v || "–")]))));
    const action = el("a", { href: "#", class: "action", onclick: (ev) => { ev.preventDefault(); $("action").value = e.action; form.requestSubmit(); } }, e.action);
    const tr = el("tr", { "data-seq": String(e.seq), class: "entry-row", onclick: (ev) => { if (ev.target.tagName !== "A") details.hidden = !details.hidden; } },
      el("td", {}, String(e.seq)), el("td", {}, when(e.at_ms)), el("td", {}, e.actor), el("td", {}, action),
      el("td", { class: e.outcome === "ok" ? "st-open" : "st-closed" }, W["outcome_" + e.outcome] || e.outcome),
      el("td", { class: "num" }, e.target), el("td", {}, e.purpose), el("td", {}, String(e.persons)));
    return [tr, details];
  }

  async function page(fresh) {
    let path = "/api/v1/audit?" + new URLSearchParams(query).toString();
    if (!fresh && next !== null) path += `&after=${next}`;
    const r = await api("GET", path);
    const body = $("entries").querySelector("tbody");
    if (fresh) body.textContent = "";
    if (r.status !== 200) {
      refuseBeside(form, r, "search-error", (e) => e.field || "");
      return;
    }
    for (const e of r.json.entries) body.append(...row(e));
    const shown = body.querySelectorAll("tr.entry-row").length;
    $("found").textContent = shown ? W.found.replace("{n}", shown) : W.nothing;
    next = r.json.next;
    $("more").hidden = next === null || next === undefined;
  }

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clear();
    const q = { limit: "100" };
    if ($("actor").value.trim()) q.actor = $("actor").value.trim();
    if ($("action").value.trim()) q.action = $("action").value.trim();
    if ($("from").value) q.from = $("from").value + ":00+08:00";
    if ($("to").value) q.to = $("to").value + ":00+08:00";
    const kind = $("subject-kind").value;
    if (kind) {
      const v = $("subject").value.trim().toUpperCase();
      const body = kind === "plate" ? { plate: v.replace(/[\s·.\-]/g, "") } : { document: { type: "resident_id", number: v } };
      const r = await api("POST", "/api/v1/audit/subject", body);
      if (r.status !== 200) { refuseBeside(form, r, "search-error", () => "subject"); return; }
      q.subject = r.json.subject;
    }
    query = q; next = null;
    await page(true);
  };
  $("more").onclick = () => page(false);

  $("verify").onclick = async () => {
    const out = $("verdict");
    out.className = "msg"; out.textContent = W.verifying;
    const r = await api("GET", "/api/v1/audit/verify");
    if (r.status !== 200) { out.className = "msg bad"; out.textContent = refusal(r); return; }
    const v = r.json;
    if (v.intact) {
      out.className = "msg ok";
      out.textContent = W.intact.replace("{n}", v.entries).replace("{h}", v.head);
    } else {
      out.className = "msg bad";
      out.textContent = W.broken.replace("{s}", v.broken_at).replace("{r}", v.reason || "");
      out.append(" ", el("a", { href: "#", onclick: async (ev) => {
        ev.preventDefault();
        query = { limit: "100", after: String(Math.max(0, v.broken_at - 2)) }; next = null;
        await page(true);
        const tr = document.querySelector(`#entries tr[data-seq="${v.broken_at}"]`);
        if (tr) { tr.classList.add("broken"); tr.scrollIntoView({ block: "center" }); }
      } }, W.show_break));
    }
  };
  // The latest entries at once.
  query = { limit: "100" };
  page(true);
})();
