// Testing campaigns (commanders): the campaigns of the jurisdiction with their sites and what
// each site has sampled; a campaign opened for an area (typed by name) with its deadline and
// pool size; a site added to a campaign.
"use strict";
(function testing() {
  const W = JSON.parse($("words").textContent);
  const when = (ms) => chinaTime(new Date(ms)).slice(0, 16).replace("T", " ");
  const area = placeField($("c-area"), $("c-area-places"), $("c-area-chosen"));

  async function load() {
    const r = await api("GET", "/api/v1/testing/campaigns");
    const box = $("campaigns");
    box.textContent = "";
    if (r.status !== 200) { say("campaigns-msg", refusal(r), false); return; }
    if (!r.json.campaigns.length) box.append(el("p", { class: "hint" }, W.no_campaigns));
    for (const c of r.json.campaigns) {
      const rows = c.sites.map((s) => el("tr", {}, el("td", {}, s.name), el("td", { class: "num" }, String(s.lanes)),
        el("td", { class: "num" }, String(s.open_tubes)), el("td", { class: "num" }, String(s.sealed_tubes)),
        el("td", { class: "num" }, String(s.persons))));
      const form = el("form", { class: "row site-form", novalidate: "" },
        el("label", { class: "grow" }, W.site, el("input", { name: "name", maxlength: "64" }), el("span", { class: "field-error", "data-for": "name" })),
        el("label", {}, W.lanes, el("input", { name: "lanes", type: "number", min: "1", max: "50", value: "1", inputmode: "numeric" }), el("span", { class: "field-error", "data-for": "lanes" })),
        el("button", { type: "submit", class: "secondary" }, W.add_site));
      const msg = el("p", { class: "msg", role: "status" });
      form.onsubmit = async (ev) => {
        ev.preventDefault();
        clearRefusals(form);
        const body = { name: form.elements.name.value.trim(), lanes: Number(form.elements.lanes.value || "1") };
        const s = await api("POST", `/api/v1/testing/campaigns/${c.id}/sites`, body);
        if (s.status !== 201) { refuseBeside(form, s, msg); return; }
        await load();
        say("campaigns-msg", `${W.site_added}：${s.json.name}`, true);
      };
      box.append(el("article", { class: "campaign" },
        el("h2", {}, c.name, " ", el("small", {}, `${c.area_name} · ${W.deadline} ${when(c.deadline_ms)} · ${W["pool_" + c.pool_size] || c.pool_size}`)),
        el("div", { class: "scroll" }, el("table", { class: "list" },
          el("thead", {}, el("tr", {}, ...[W.sites, W.lanes, W.open_tubes, W.sealed_tubes, W.persons].map((h) => el("th", {}, h)))),
          el("tbody", {}, ...rows))),
        form, msg));
    }
  }

  $("campaign").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("campaign");
    clearRefusals(form);
    const code = await area.code();
    const local = $("c-deadline").value;
    const body = { name: $("c-name").value.trim(), area: code || $("c-area").value.trim(),
      deadline: local ? `${local}:00+08:00` : "", pool_size: Number($("c-pool").value) };
    const r = await api("POST", "/api/v1/testing/campaigns", body);
    if (r.status !== 201) { refuseBeside(form, r, "campaign-msg"); return; }
    say("campaign-msg", `${W.campaign_added}：${r.json.name}`, true);
    form.reset();
    await load();
  };
  load();
})();
