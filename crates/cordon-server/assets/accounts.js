// The account pages: an admin's list of accounts (create, disable and enable, unlock, reset a
// password), and everyone's own password change.
"use strict";
(function accounts() {
  const W = JSON.parse(($("words") || { textContent: "{}" }).textContent);
  const when = (ms) => ms ? chinaTime(new Date(ms)).slice(0, 16).replace("T", " ") : "";
  // A refusal beside its field (the codes that name no field are placed by what they are about).
  const fieldOf = (e) => e.field ? e.field.split(/[.[]/)[0] : /username/.test(e.code) ? "username" : /scope/.test(e.code) ? "scope" : "";
  const refuse = (form, r, fallback) => refuseBeside(form, r, fallback, fieldOf);

  const create = $("create");
  if (create) {
    const rowMsg = (text, ok) => { const m = $("row-msg"); m.textContent = text; m.className = "msg " + (ok ? "ok" : "bad"); };
    async function act(a, path, body, done) {
      const r = await api("POST", `/api/v1/accounts/${encodeURIComponent(a.username)}/${path}`, body);
      if (r.status >= 300) { rowMsg(`${a.username}: ${refusal(r)}`, false); return; }
      rowMsg(done, true);
      load();
    }
    async function load() {
      const r = await api("GET", "/api/v1/accounts");
      const body = $("accounts").querySelector("tbody");
      body.textContent = "";
      if (r.status !== 200) { rowMsg(refusal(r), false); return; }
      const now = Date.now();
      for (const a of r.json.accounts) {
        const locked = a.locked_until_ms > now;
        const state = a.disabled ? W.disabled : locked ? W.locked_until.replace("{t}", when(a.locked_until_ms)) : W.active;
        const buttons = el("td", { class: "actions" });
        if (a.role !== "station") {
          buttons.append(a.disabled
            ? el("button", { type: "button", class: "secondary small enable", onclick: () => act(a, "enable", undefined, W.done) }, W.enable)
            : el("button", { type: "button", class: "secondary small disable", onclick: () => act(a, "disable", undefined, W.done) }, W.disable), " ");
          if (locked) buttons.append(el("button", { type: "button", class: "secondary small unlock", onclick: () => act(a, "unlock", undefined, W.done) }, W.unlock), " ");
          const pw = el("input", { type: "password", class: "reset-password", autocomplete: "new-password", "aria-label": W.reset_prompt.replace("{u}", a.username), placeholder: W.reset_prompt.replace("{u}", a.username) });
          buttons.append(pw, el("button", { type: "button", class: "secondary small reset", onclick: () => act(a, "password", { password: pw.value }, W.reset_done.replace("{u}", a.username)) }, W.reset));
        }
        body.append(el("tr", { "data-username": a.username },
          el("td", {}, a.username), el("td", {}, W["role_" + a.role] || a.role), el("td", {}, a.scope),
          el("td", { class: a.disabled || locked ? "st-closed" : "st-open" }, state), el("td", {}, a.created_by),
          el("td", {}, when(a.password_changed_at_ms)), buttons));
      }
      $("filter").oninput();
    }
    $("filter").oninput = () => {
      const q = $("filter").value.trim().toLowerCase();
      for (const tr of $("accounts").querySelectorAll("tbody tr")) tr.hidden = q !== "" && !tr.textContent.toLowerCase().includes(q);
    };
    create.onsubmit = async (ev) => {
      ev.preventDefault();
      clearRefusals(create);
      $("create-error").textContent = ""; $("create-msg").textContent = "";
      const body = { username: $("username").value.trim(), role: $("role").value, scope: $("scope").value.trim(), password: $("new-password").value };
      const r = await api("POST", "/api/v1/accounts", body);
      if (r.status !== 201) { refuse(create, r, $("create-error")); return; }
      $("create-msg").textContent = W.created.replace("{u}", r.json.username);
      for (const id of ["username", "scope", "new-password"]) $(id).value = "";
      load();
    };
    load();
  }

  const form = $("password-form");
  if (form) form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearRefusals(form);
    $("password-error").textContent = "";
    if ($("new").value !== $("repeat").value) {
      refuse(form, { json: { error: { field: "repeat", message: W.mismatch } } }, $("password-error"));
      return;
    }
    const r = await api("POST", "/api/v1/sessions/current/password", { current: $("current").value, new: $("new").value });
    if (r.status !== 204) { refuse(form, r, $("password-error")); return; }
    $("password-msg").textContent = W.changed;
    setTimeout(() => { location.href = "/signin"; }, 1500);
  };
})();
