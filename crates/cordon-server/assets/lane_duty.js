// The lane's duty line: the shift on duty at the selected checkpoint (its lead and hours: the
// registrations made now belong to it) and what the shift before handed over; or, in red, that
// nobody is on duty. Read when the checkpoint changes and every five minutes. Where the roster
// is not kept (an edge station holds none; no shift from yesterday to tomorrow), the line stays
// hidden: tomorrow counts, so that late in the evening, with the next shift after midnight, the
// lane still says nobody is on duty.
"use strict";
(function laneDuty() {
  const line = $("duty-line");
  if (!line) return;
  const W = JSON.parse($("duty-words").textContent);
  const cp = $("checkpoint");
  const hm = (iso) => iso.slice(11, 16);

  async function load() {
    const now = Date.now();
    const yesterday = chinaTime(new Date(now - 86400e3)).slice(0, 10);
    const r = await api("GET", `/api/v1/checkpoints/${cp.value}/roster?from=${yesterday}&days=3`);
    line.textContent = "";
    if (r.status !== 200 || !r.json.shifts.length) { line.hidden = true; return; }
    const shifts = r.json.shifts;
    const i = shifts.findIndex((s) => s.state === "on_duty");
    line.hidden = false;
    line.classList.toggle("bad", i < 0);
    if (i < 0) { line.append(el("b", {}, W.nobody)); return; }
    const s = shifts[i];
    line.append(el("b", {}, `${W.s_on_duty} ${hm(s.starts_at)}–${hm(s.ends_at)}`), ` · ${W.lead} ${s.lead}`);
    const before = i > 0 ? shifts[i - 1] : null;
    if (before && before.handover) line.append(el("br"), el("span", {}, `${W.handover_from}: ${before.handover.note}`));
  }

  cp.addEventListener("change", load);
  load();
  setInterval(load, 300000);
})();
