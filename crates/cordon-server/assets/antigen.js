// The sampling page's antigen card: a person's ID scanned as the swab is taken starts their
// 15 minutes, counted down on the list; when the time is up the cassette is read with one of
// three large buttons (negative, positive, invalid: swab again). The list follows the site
// chosen on the page and is read again every 30 seconds (other samplers at the site).
"use strict";
(function antigen() {
  const A = JSON.parse($("antigen-words").textContent);
  let site = null;
  let waiting = [];

  const time = (ms) => new Date(ms).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  const word = (r) => A[r] || r;

  function left(t) {
    const ms = t.read_after_ms - Date.now();
    if (ms <= 0) return null;
    const s = Math.ceil(ms / 1000);
    return A.read_in.replace("{m}", Math.floor(s / 60)).replace("{s}", String(s % 60).padStart(2, "0"));
  }

  function item(t) {
    const li = el("li", { "data-id": String(t.id) });
    const head = el("p", { class: "ag-head" }, el("b", {}, `${t.name} ${t.document.number}`), " ");
    const timer = el("span", { class: "ag-timer" });
    head.append(timer);
    const buttons = el("div", { class: "ag-read" });
    for (const r of ["negative", "positive", "invalid"]) {
      buttons.append(el("button", { type: "button", class: `big ag-${r}`, onclick: () => read(t, r, li) }, word(r)));
    }
    li.append(head, buttons, el("span", { class: "field-error", "data-for": "result" }));
    tick(t, li);
    return li;
  }

  // The timer, or the buttons once the 15 minutes are up.
  function tick(t, li) {
    const l = left(t);
    const timer = li.querySelector(".ag-timer");
    const ready = l === null;
    timer.textContent = ready ? A.ready : l;
    timer.className = "ag-timer" + (ready ? " ready" : "");
    const buttons = li.querySelector(".ag-read");
    if (buttons.hidden === ready) {
      buttons.hidden = !ready;
      if (ready && navigator.vibrate) navigator.vibrate(200);
    }
  }

  async function load() {
    if (!site) return;
    const r = await api("GET", `/api/v1/testing/sites/${site}/antigen`);
    if (r.status !== 200) { say("antigen-msg", refusal(r), false); return; }
    waiting = r.json.waiting;
    const list = $("antigen-waiting");
    list.textContent = "";
    if (!waiting.length) list.append(el("li", { class: "hint" }, A.none_waiting));
    for (const t of waiting) list.append(item(t));
    const done = $("antigen-read");
    done.textContent = "";
    for (const t of r.json.read) {
      done.append(el("li", { class: t.result === "positive" ? "bad" : "" },
        `${time(t.read_at_ms)} ${t.name} ${t.document.number} · ${word(t.result)}`));
    }
  }

  async function read(t, result, li) {
    clearRefusals(li);
    const r = await api("POST", `/api/v1/testing/antigen/${t.id}/result`, { result });
    if (r.status !== 201 && r.status !== 200) { refuseBeside(li, r, "antigen-msg", () => "result"); return; }
    const said = A.read_as.replace("{name}", t.name).replace("{r}", word(result));
    if (result === "positive") say("antigen-msg", `${said} · ${A.positive_next}`, false);
    else if (result === "invalid") say("antigen-msg", `${said} · ${A.invalid_next}`, false);
    else say("antigen-msg", said, true);
    await load();
    $("ag-number").focus();
  }

  // A scanner may send the number and the name on one line ("130102… 张三"): split it.
  $("ag-number").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    const parts = $("ag-number").value.trim().split(/[\s,，]+/);
    if (parts.length > 1) {
      $("ag-number").value = parts[0];
      $("ag-name").value = parts.slice(1).join("");
      $("antigen-form").requestSubmit();
    } else $("ag-name").focus();
  });

  $("antigen-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $("antigen-form");
    clearRefusals(form);
    const number = $("ag-number").value.trim().toUpperCase();
    const kind = /^\d{17}[\dX]$/.test(number) ? "resident_id" : "passport";
    const r = await api("POST", `/api/v1/testing/sites/${site}/antigen`,
      { document: { type: kind, number }, name: $("ag-name").value.trim() });
    if (r.status !== 201 && r.status !== 200) {
      refuseBeside(form, r, "antigen-msg", (e) => (e.field || "").startsWith("document") ? "document" : (e.field || "").split(/[.[]/)[0]);
      return;
    }
    const t = r.json.test;
    say("antigen-msg", r.status === 200 ? A.already : A.swabbed.replace("{name}", t.name).replace("{t}", time(t.read_after_ms)), true);
    $("ag-number").value = "";
    $("ag-name").value = "";
    await load();
    $("ag-number").focus();
  };

  document.addEventListener("cordon:site", (ev) => { site = ev.detail; load(); });
  setInterval(() => {
    for (const t of waiting) {
      const li = document.querySelector(`#antigen-waiting li[data-id="${t.id}"]`);
      if (li) tick(t, li);
    }
  }, 1000);
  setInterval(load, 30000);
})();
