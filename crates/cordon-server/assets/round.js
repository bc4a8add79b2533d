// A patrol round: each channel of the plan in order, its stream's address to open in the video
// client; recorded in order, with a problem (what is wrong, beside its box) or without a
// picture; a finding sent on to its checkpoint as a directive in one action; the round finished.
// The next channel to look at comes into view after each record.
"use strict";
(function roundPage() {
  const card = $("round-card");
  if (!card) return;
  const W = JSON.parse($("words").textContent);
  const id = card.dataset.id;
  const kinds = Object.fromEntries(W.kinds);
  let round = null;

  function stopItem(s, i) {
    const c = s.channel;
    const li = el("li", { class: `directive stop${s.sight ? " seen s-" + s.sight : ""}`, "data-channel": c.id });
    li.append(el("div", { class: "directive-head" },
      el("span", { class: "badge step" }, String(i + 1)),
      el("b", {}, `${c.checkpoint_name} · ${c.name}`),
      el("span", { class: "hint" }, kinds[c.kind] || c.kind)));
    // A channel seen in order shrinks to its line; the others show the address to open.
    if (s.sight !== "ok") {
      const addr = el("code", { class: "stream" }, c.stream);
      const copy = el("button", { type: "button", class: "secondary" }, W.copy);
      copy.onclick = () => navigator.clipboard && navigator.clipboard.writeText(c.stream);
      li.append(el("p", {}, addr, " ", copy));
    }
    if (s.sight) {
      const said = s.sight === "ok" ? W.ok : s.sight === "problem" ? W.problem : W.no_signal;
      li.append(el("p", {}, el("span", { class: "tag" + (s.sight === "ok" ? " ok" : " bad") }, said), s.note ? ` ${s.note}` : ""));
      if (s.sight !== "ok") {
        // A finding goes on in one action: a directive to its checkpoint, a report to the inbox.
        const err = el("p", { class: "field-error", role: "alert" });
        const turn = (kind, label, cls) => {
          const b = el("button", { type: "button", class: cls }, label);
          b.onclick = async () => {
            const r = await api("POST", `/api/v1/patrol-rounds/${id}/findings/${c.id}/${kind}`, {});
            if (r.status !== 201) { err.textContent = refusal(r); return; }
            load();
          };
          return b;
        };
        const row = el("div", { class: "seg-row" });
        if (s.directive) row.append(el("a", { href: `/directives/${s.directive}` }, `${W.directive_sent} #${s.directive}`));
        else row.append(turn("directive", W.to_directive, "primary to-directive"));
        if (s.report) row.append(el("a", { href: "/reports" }, W.report_sent));
        else row.append(turn("report", W.to_report, "secondary to-report"));
        li.append(row, err);
      }
      return li;
    }
    if (round.finished_at) return li;
    const remark = el("textarea", { rows: "2", maxlength: "500", class: "remark", "aria-label": W.remark, placeholder: W.remark });
    const slot = el("span", { class: "field-error", "data-for": "remark" });
    const record = (sight) => async () => {
      clearRefusals(li);
      const r = await api("POST", `/api/v1/patrol-rounds/${id}/observations`, { channel: c.id, sight, remark: remark.value });
      if (r.status !== 200) { refuseBeside(li, r, slot); return; }
      round = r.json;
      draw(true);
    };
    li.append(el("div", { class: "seg-row" },
      el("button", { type: "button", class: "primary big sight-ok", onclick: record("ok") }, W.ok),
      el("button", { type: "button", class: "secondary big sight-problem", onclick: record("problem") }, W.problem),
      el("button", { type: "button", class: "secondary big sight-none", onclick: record("no_signal") }, W.no_signal)),
      el("label", {}, remark, slot));
    return li;
  }

  function draw(next) {
    $("round-plan").textContent = round.plan_name;
    $("round-state").textContent = `${W.started_by}: ${round.started_by} · ${round.started_at.slice(5, 16).replace("T", " ")} · ${round.finished_at ? W.finished : W.under_way}`;
    $("round-progress").textContent = `${W.progress} ${round.seen} / ${round.channels}`;
    $("round-findings").textContent = `${W.findings} ${round.findings}`;
    const ol = $("stops");
    ol.textContent = "";
    round.stops.forEach((s, i) => ol.append(stopItem(s, i)));
    $("round-finish").hidden = !!round.finished_at;
    if (next) {
      const first = ol.querySelector(".stop:not(.seen)") || $("round-finish");
      first.scrollIntoView({ block: "center" });
    }
  }

  async function load() {
    const r = await api("GET", `/api/v1/patrol-rounds/${id}`);
    if (r.status !== 200) { say("round-msg", refusal(r), false); return; }
    round = r.json;
    // A round under way opens at the next channel to look at.
    draw(!round.finished_at && round.seen > 0);
  }
  $("round-finish").onclick = async () => {
    const r = await api("POST", `/api/v1/patrol-rounds/${id}/finish`);
    if (r.status === 200) { round = r.json; draw(false); }
  };
  load();
})();
