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
      body.append(el("tr", { "data-account": s.account }, el("td", {}, s.account), el("td", {}, s.checkpoint), el("td", {}, String(s.high_water)),
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
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const slot = form.querySelector(".field-error");
    slot.textContent = "";
    const checkpoint = $("issue-checkpoint").value.trim().toUpperCase();
    const r = await api("POST", "/api/v1/stations", { checkpoint });
    if (r.status !== 201) { slot.textContent = r.json && r.json.error ? r.json.error.message : refusal(r); $("issue-checkpoint").focus(); return; }
    $("issued-what").textContent = W.issued.replace("{a}", r.json.account).replace("{c}", r.json.checkpoint);
    $("token").value = r.json.token;
    $("start").textContent = `cordon serve --listen 0.0.0.0:8080 --data DIR --upstream ${location.origin} --checkpoint ${r.json.checkpoint}`;
    $("issued").hidden = false;
    $("issued").scrollIntoView({ block: "center" });
    load();
  };
  $("copy").onclick = async () => {
    $("token").select();
    try { await navigator.clipboard.writeText($("token").value); } catch (_) { document.execCommand("copy"); }
    $("copy").textContent = W.copied;
  };
  load();
})();
