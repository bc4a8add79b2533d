// The video patrols' desk: the week's rounds with what they found, the plans (start a round of
// one), a plan made from the channels in use, and the channels themselves (added with a
// refusal beside its field, retired).
"use strict";
(function patrolsPage() {
  const rounds = $("rounds");
  if (!rounds) return;
  const W = JSON.parse($("words").textContent);
  const kinds = Object.fromEntries(W.kinds);
  const when = (iso) => iso ? iso.slice(5, 16).replace("T", " ") : "";
  let channels = [];

  async function loadRounds() {
    const r = await api("GET", "/api/v1/patrol-rounds?days=7");
    if (r.status !== 200) return;
    $("round-count").textContent = `${W.rounds} ${r.json.rounds.length}`;
    $("observed-count").textContent = `${W.observed} ${r.json.observed}`;
    $("finding-count").textContent = `${W.findings} ${r.json.findings}`;
    const body = rounds.tBodies[0];
    body.textContent = "";
    if (!r.json.rounds.length) body.append(el("tr", {}, el("td", { colspan: "5", class: "hint" }, W.none)));
    for (const x of r.json.rounds) {
      body.append(el("tr", { "data-id": x.id },
        el("td", {}, el("a", { href: `/patrols/${x.id}` }, `#${x.id} ${x.plan_name}`), el("br"), el("small", {}, when(x.started_at))),
        el("td", {}, x.started_by),
        el("td", {}, `${x.seen} / ${x.channels}`),
        el("td", {}, x.findings ? el("span", { class: "tag bad" }, String(x.findings)) : "0"),
        el("td", {}, x.finished_at ? W.finished : W.under_way)));
    }
  }

  async function loadPlans() {
    const r = await api("GET", "/api/v1/patrol-plans");
    if (r.status !== 200) return;
    const ul = $("plans");
    ul.textContent = "";
    if (!r.json.plans.length) ul.append(el("li", { class: "hint" }, W.none));
    for (const p of r.json.plans) {
      const start = el("button", { type: "button", class: "primary start-round" }, W.start);
      start.onclick = async () => {
        const s = await api("POST", `/api/v1/patrol-plans/${p.id}/rounds`);
        if (s.status === 201) location.href = `/patrols/${s.json.id}`;
      };
      ul.append(el("li", { "data-id": p.id }, el("b", {}, p.name), ` · ${p.channels.length} · ${p.created_by} `, start));
    }
  }

  function showPlanChannels() {
    const q = $("plan-filter").value.trim().toLowerCase();
    const box = $("plan-channels");
    const checked = new Set([...box.querySelectorAll("input:checked")].map((c) => c.value));
    box.textContent = "";
    for (const c of channels) {
      if (c.retired) continue;
      const label = `${c.checkpoint_name} ${c.name}`;
      if (q && !label.toLowerCase().includes(q) && !c.checkpoint.toLowerCase().includes(q) && !checked.has(String(c.id))) continue;
      const box2 = el("input", { type: "checkbox", value: String(c.id) });
      box2.checked = checked.has(String(c.id));
      box.append(el("label", { class: "inline" }, box2, ` ${label}`));
    }
  }

  async function loadChannels() {
    const r = await api("GET", "/api/v1/video-channels");
    if (r.status !== 200) return;
    channels = r.json.channels;
    const body = $("channels").tBodies[0];
    body.textContent = "";
    if (!channels.length) body.append(el("tr", {}, el("td", { colspan: "5", class: "hint" }, W.none)));
    for (const c of channels) {
      const retire = c.retired ? el("span", { class: "hint" }, W.retired) : el("button", { type: "button", class: "secondary" }, W.retire);
      if (!c.retired) retire.onclick = async () => { await api("POST", `/api/v1/video-channels/${c.id}/retire`); loadChannels(); };
      body.append(el("tr", { "data-id": c.id },
        el("td", {}, c.checkpoint_name, el("br"), el("small", { class: "num" }, c.checkpoint)),
        el("td", {}, c.name), el("td", {}, kinds[c.kind] || c.kind),
        el("td", {}, el("code", { class: "stream" }, c.stream)), el("td", {}, retire)));
    }
    showPlanChannels();
  }

  $("plan-filter").oninput = showPlanChannels;
  $("plan-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("plan-form");
    clearRefusals(form);
    $("plan-error").textContent = "";
    const ids = [...$("plan-channels").querySelectorAll("input:checked")].map((c) => +c.value);
    const r = await api("POST", "/api/v1/patrol-plans", { name: $("plan-name").value, channels: ids });
    if (r.status !== 201) { refuseBeside(form, r, "plan-error"); return; }
    $("plan-name").value = "";
    for (const c of $("plan-channels").querySelectorAll("input:checked")) c.checked = false;
    loadPlans();
  };
  $("channel-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("channel-form");
    clearRefusals(form);
    $("channel-error").textContent = "";
    const body = { checkpoint: $("ch-checkpoint").value.trim().toUpperCase(), name: $("ch-name").value, stream: $("ch-stream").value, kind: $("ch-kind").value };
    const r = await api("POST", "/api/v1/video-channels", body);
    if (r.status !== 201) { refuseBeside(form, r, "channel-error"); return; }
    $("ch-name").value = ""; $("ch-stream").value = "";
    loadChannels();
  };
  loadRounds(); loadPlans(); loadChannels();
})();
