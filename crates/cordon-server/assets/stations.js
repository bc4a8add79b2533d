// The station page: issue a credential (shown once, with the command that starts the station),
// each station's series and lag, and revocation after a confirmation.
"use strict";
(function stations() {
  const form = $("issue");
  if (!form) return;
  const W = JSON.parse($("words").textContent);
  async function load() {
    const r = await api("GET", "/api/v1/stations");
    const body = $("stations").querySelector("tbody");
    body.textContent = "";
    if (r.status !== 200) { say("row-msg", refusal(r), false); return; }
    for (const s of r.json.stations) {
      const lag = s.lag_seconds === null ? "–" : `${Math.round(s.lag_seconds / 60)} ${W.minutes}`;
      body.append(el("tr", { "data-account": s.account }, el("td", {}, s.account), el("td", {}, s.checkpoint || s.site_name || ""), el("td", {}, String(s.high_water)),
        el("td", {}, s.last_sync_at ? s.last_sync_at.slice(5, 16).replace("T", " ") : W.never), el("td", {}, lag),
        el("td", {}, s.revoked ? W.revoked.replace("{a}", "") : el("button", { type: "button", class: "secondary small revoke", onclick: async () => {
          if (!confirm(W.confirm_revoke.replace("{a}", s.account))) return;
          const r = await api("POST", `/api/v1/stations/${encodeURIComponent(s.account)}/revoke`);
          if (r.status !== 204) { say("row-msg", refusal(r), false); return; }
          say("row-msg", W.revoked.replace("{a}", s.account), true);
          load();
        } }, W.revoke))));
    }
    if (!r.json.stations.length) body.append(el("tr", {}, el("td", { colspan: "6" }, W.none)));
  }
  // A credential issued: shown once, with the command that starts the station.
  function issued(j, label, flag) {
    $("issued-what").textContent = W.issued.replace("{a}", j.account).replace("{c}", label);
    $("token").value = j.token;
    $("start").textContent = `cordon serve --listen 0.0.0.0:8080 --data DIR --upstream ${location.origin} ${flag}`;
    $("issued").hidden = false;
    $("issued").scrollIntoView({ block: "center" });
    load();
  }
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const slot = form.querySelector(".field-error");
    slot.textContent = "";
    const checkpoint = $("issue-checkpoint").value.trim().toUpperCase();
    const r = await api("POST", "/api/v1/stations", { checkpoint });
    if (r.status !== 201) { slot.textContent = r.json && r.json.error ? r.json.error.message : refusal(r); $("issue-checkpoint").focus(); return; }
    issued(r.json, r.json.checkpoint, `--checkpoint ${r.json.checkpoint}`);
  };
  // A sampling site's station: the sites of the commander's campaigns.
  const siteForm = $("issue-site-form");
  async function sites() {
    const r = await api("GET", "/api/v1/testing/campaigns");
    const select = $("issue-site");
    select.textContent = "";
    const all = r.status === 200 ? r.json.campaigns.flatMap((c) => c.sites.map((s) => ({ c, s }))) : [];
    for (const { c, s } of all) select.append(el("option", { value: String(s.id) }, `${c.name} · ${s.name}`));
    siteForm.querySelector("button").disabled = !all.length;
    if (!all.length) siteForm.querySelector(".field-error").textContent = W.no_sites;
  }
  siteForm.onsubmit = async (ev) => {
    ev.preventDefault();
    const slot = siteForm.querySelector(".field-error");
    slot.textContent = "";
    const select = $("issue-site");
    const r = await api("POST", "/api/v1/stations", { site: Number(select.value) });
    if (r.status !== 201) { slot.textContent = r.json && r.json.error ? r.json.error.message : refusal(r); select.focus(); return; }
    issued(r.json, select.selectedOptions[0].textContent, `--site ${r.json.site}`);
  };
  sites();
  $("copy").onclick = async () => {
    $("token").select();
    try { await navigator.clipboard.writeText($("token").value); } catch (_) { document.execCommand("copy"); }
    $("copy").textContent = W.copied;
  };
  load();
})();
