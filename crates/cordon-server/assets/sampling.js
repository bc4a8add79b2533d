// The sampler's page, on a phone with a scanner: the site chosen once; a tube's barcode scanned
// opens it (or takes it up again); each ID scanned goes into it, the count shown large
// ("5 / 10"); full, it is sealed (short, with a reason) and the next tube is scanned.
"use strict";
(function sampling() {
  const W = JSON.parse($("words").textContent);
  let tube = null;

  async function sites() {
    const r = await api("GET", "/api/v1/testing/campaigns");
    const select = $("site");
    select.textContent = "";
    if (r.status !== 200) { say("site-msg", refusal(r), false); return; }
    const all = r.json.campaigns.flatMap((c) => c.sites.map((s) => ({ c, s })));
    if (!all.length) { say("site-msg", W.no_sites, false); return; }
    const kept = localStorage.getItem("cordon.site");
    for (const { c, s } of all) {
      select.append(el("option", { value: String(s.id) }, `${s.name} · ${c.name}`));
    }
    if (kept && all.some(({ s }) => String(s.id) === kept)) select.value = kept;
    // The other cards of the page (antigen tests) follow the site chosen.
    const chosen = () => document.dispatchEvent(new CustomEvent("cordon:site", { detail: select.value }));
    select.onchange = () => { localStorage.setItem("cordon.site", select.value); gaps(); chosen(); };
    gaps();
    chosen();
    $("barcode").focus();
  }

  // At a sampling site's station: what is not yet at the hub, and what the hub refused.
  async function link() {
    const r = await api("GET", "/api/v1/link");
    const s = r.status === 200 && r.json.sampling;
    if (!s) return;
    const when = s.last_sync_at ? s.last_sync_at.slice(11, 16) : "–";
    const out = $("link");
    out.hidden = false;
    out.textContent = (s.pending ? W.link_pending : W.link_done).replace("{n}", s.pending).replace("{t}", when);
    out.className = s.pending && (!s.last_sync_at || Date.now() - Date.parse(s.last_sync_at) > 60000) ? "msg bad link" : "hint link";
    const list = $("refused");
    list.textContent = "";
    for (const f of s.refused) list.append(el("li", { "data-code": f.code }, `${f.what} — ${f.message}`));
    $("refused-box").hidden = !s.refused.length;
    setTimeout(link, 5000);
  }

  // The site's barcode series with the numbers skipped, so that a lost tube is noticed.
  async function gaps() {
    const r = await api("GET", `/api/v1/testing/sites/${$("site").value}/series`);
    if (r.status !== 200) { $("gaps").textContent = ""; return; }
    const code = (s, n) => s.series + String(n).padStart(s.width, "0");
    const runs = r.json.series.flatMap((s) => s.gaps.map((g) => g.from === g.to ? code(s, g.from) : `${code(s, g.from)}–${code(s, g.to)}`));
    $("gaps").textContent = !r.json.series.length ? "" : (runs.length ? W.gaps.replace("{g}", runs.join("、")) : W.no_gaps);
    $("gaps").className = runs.length ? "msg bad" : "hint";
  }

  function show(t, said, ok) {
    tube = t;
    $("tube-code").textContent = t.barcode;
    const n = t.members.length;
    const count = $("count");
    count.textContent = W.count.replace("{n}", n).replace("{size}", t.pool_size);
    count.classList.toggle("full", n >= t.pool_size);
    const list = $("members");
    list.textContent = "";
    for (const m of t.members) list.append(el("li", {}, `${m.name} ${m.document.number}`));
    $("fill-card").hidden = false;
    const sealed = t.state === "sealed";
    $("person-form").hidden = sealed || n >= t.pool_size;
    $("number-form").hidden = sealed || n >= t.pool_size;
    $("seal-form").hidden = sealed;
    $("short-reason").parentElement.hidden = n >= t.pool_size;
    if (said) say("person-msg", said, ok);
    if (sealed) {
      $("barcode").value = "";
      $("barcode").focus();
    } else if (n >= t.pool_size) {
      say("person-msg", W.full, true);
      $("seal-form").querySelector("button").focus();
    } else {
      $("doc-number").focus();
    }
  }

  $("tube-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("tube-form");
    clearRefusals(form);
    const barcode = $("barcode").value.trim().toUpperCase();
    const site = Number($("site").value);
    // A tube of one for a recalled person's re-test; else the campaign's pool.
    const pool = $("pool").value;
    let r = await api("POST", "/api/v1/testing/tubes", pool ? { site, barcode, pool_size: Number(pool) } : { site, barcode });
    if (r.status === 409) {
      // A tube opened before (a page reloaded, a tube taken up again): shown as it stands.
      const again = await api("GET", `/api/v1/testing/tubes/${encodeURIComponent(barcode)}`);
      if (again.status === 200 && again.json.state === "open") r = { status: 201, json: again.json };
    }
    if (r.status !== 201) { refuseBeside(form, r, "tube-msg", (e) => e.field === "pool_size" ? "pool_size" : "barcode"); return; }
    say("tube-msg", "", true);
    show(r.json);
    gaps();
  };

  // A scanner may send the number and the name on one line ("130102… 张三"): split it.
  $("doc-number").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    const parts = $("doc-number").value.trim().split(/[\s,，]+/);
    if (parts.length > 1) {
      $("doc-number").value = parts[0];
      $("person-name").value = parts.slice(1).join("");
      $("person-form").requestSubmit();
    } else $("person-name").focus();
  });

  $("person-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("person-form");
    clearRefusals(form);
    const number = $("doc-number").value.trim().toUpperCase();
    const kind = /^\d{17}[\dX]$/.test(number) ? "resident_id" : "passport";
    const r = await api("POST", `/api/v1/testing/tubes/${encodeURIComponent(tube.barcode)}/members`,
      { document: { type: kind, number }, name: $("person-name").value.trim() });
    if (r.status !== 201 && r.status !== 200) {
      refuseBeside(form, r, "person-msg", (e) => (e.field || "").startsWith("document") ? "document" : (e.field || "").split(/[.[]/)[0]);
      return;
    }
    $("doc-number").value = "";
    $("person-name").value = "";
    const last = r.json.tube.members[r.json.tube.members.length - 1];
    show(r.json.tube, r.status === 200 ? W.already : W.added.replace("{name}", last ? last.name : ""), r.status === 201);
  };

  // A person scanned in by their queue number at this site today.
  $("number-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("number-form");
    clearRefusals(form);
    const r = await api("POST", `/api/v1/testing/tubes/${encodeURIComponent(tube.barcode)}/members/by-number`,
      { number: Number($("by-number").value) });
    if (r.status !== 201 && r.status !== 200) { refuseBeside(form, r, "person-msg", () => "number"); return; }
    $("by-number").value = "";
    const last = r.json.tube.members[r.json.tube.members.length - 1];
    show(r.json.tube, r.status === 200 ? W.already : W.added.replace("{name}", last ? last.name : ""), r.status === 201);
  };

  // A person registered on the spot gets the site's next number for today, shown large.
  $("queue-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("queue-form");
    clearRefusals(form);
    $("queue-number").textContent = "";
    const number = $("q-number").value.trim().toUpperCase();
    const kind = /^\d{17}[\dX]$/.test(number) ? "resident_id" : "passport";
    const r = await api("POST", `/api/v1/testing/sites/${$("site").value}/queue`,
      { document: { type: kind, number }, name: $("q-name").value.trim() });
    if (r.status !== 201 && r.status !== 200) {
      refuseBeside(form, r, "queue-msg", (e) => (e.field || "").startsWith("document") ? "document" : (e.field || "").split(/[.[]/)[0]);
      return;
    }
    $("queue-number").textContent = W.number_is.replace("{n}", r.json.number);
    say("queue-msg", r.status === 200 ? W.number_again.replace("{n}", r.json.number) : "", true);
    $("q-number").value = "";
    $("q-name").value = "";
    $("q-number").focus();
  };

  $("seal-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("seal-form");
    clearRefusals(form);
    const reason = $("short-reason").value.trim();
    const r = await api("POST", `/api/v1/testing/tubes/${encodeURIComponent(tube.barcode)}/seal`, reason ? { short_reason: reason } : {});
    if (r.status !== 200) { refuseBeside(form, r, "person-msg"); return; }
    $("short-reason").value = "";
    show(r.json, W.sealed.replace("{n}", r.json.members.length), true);
  };
  // A box: opened by its barcode, the site's sealed tubes packed by theirs, handed over by name.
  let box = null;
  function showBox(b, said, ok) {
    box = b;
    $("box-fill").hidden = false;
    $("box-code").textContent = b.barcode;
    $("box-count").textContent = W.box_count.replace("{t}", b.tubes.length).replace("{n}", b.persons);
    $("box-tubes").textContent = "";
    for (const t of b.tubes) $("box-tubes").append(el("li", {}, t));
    const handed = b.handed_at_ms !== null;
    $("pack-form").hidden = handed;
    $("handover-form").hidden = handed;
    if (handed) said = W.handed.replace("{to}", b.handed_to).replace("{t}", b.tubes.length);
    if (said) say("box-msg", said, ok !== false);
    if (!handed) $("pack-tube").focus();
  }

  $("box-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("box-form");
    clearRefusals(form);
    const r = await api("POST", "/api/v1/testing/boxes", { site: Number($("site").value), barcode: $("box-code-in").value.trim() });
    if (r.status !== 200) { refuseBeside(form, r, "box-msg", () => "barcode"); return; }
    $("box-code-in").value = "";
    showBox(r.json, "", true);
  };

  $("pack-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("pack-form");
    clearRefusals(form);
    const code = $("pack-tube").value.trim().toUpperCase();
    const r = await api("POST", `/api/v1/testing/boxes/${encodeURIComponent(box.barcode)}/tubes`, { tube: code });
    if (r.status !== 200) { refuseBeside(form, r, "box-msg", () => "tube"); $("pack-tube").select(); return; }
    $("pack-tube").value = "";
    showBox(r.json, W.packed.replace("{b}", code), true);
  };

  $("handover-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("handover-form");
    clearRefusals(form);
    const r = await api("POST", `/api/v1/testing/boxes/${encodeURIComponent(box.barcode)}/handover`, { to: $("hand-to").value.trim() });
    if (r.status !== 200) { refuseBeside(form, r, "box-msg", () => "to"); return; }
    $("hand-to").value = "";
    showBox(r.json);
  };
  sites();
  link();
})();
