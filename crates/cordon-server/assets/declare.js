// The public pre-declaration form: the vehicle, where from and to, and everyone in it; checked as
// one types; the answer is a QR code the driver shows at the lane.
"use strict";
(function declare() {
  const list = $("occupants"), plate = $("plate"), province = $("province");
  provincePicker(province, $("provinces"), plate);
  plate.oninput = () => {
    const bad = plate.value !== "" && !plateOk(fullPlate(province, plate));
    plate.classList.toggle("bad", bad);
    $("plate-error").textContent = bad ? T.invalid_plate : "";
  };
  const add = (o) => list.append(occupantEditor(o, false));

  // Where from and where to: a place name or initials, suggestions from the country's
  // divisions; each suggestion reads "石家庄市 · 河北省 (130100)" and the code is what is sent.
  const found = { origin: [], destination: [] };
  const label = (p) => `${p.name}${p.within ? " · " + p.within : ""} (${p.code})`;
  async function suggest(k) {
    const q = $(k).value.trim();
    if (!q || /\(\d{6}\)$/.test(q)) return;
    const r = await api("GET", `/api/v1/places?q=${encodeURIComponent(q.slice(0, 32))}&limit=10`);
    if (r.status !== 200) return;
    found[k] = r.json.places;
    const dl = $(`${k}-places`);
    dl.textContent = "";
    for (const p of found[k]) dl.append(el("option", { value: label(p) }));
  }
  // The code of what was typed or chosen: a six-digit code, a chosen suggestion, or the one
  // place whose name is exactly what was typed.
  async function placeCode(k) {
    const v = $(k).value.trim();
    const m = v.match(/(?:^|\()(\d{6})\)?$/);
    if (m) return m[1];
    await suggest(k);
    const exact = found[k].filter((p) => p.name === v || p.name.replace(/[市区县省]$/, "") === v);
    return exact.length >= 1 ? exact[0].code : (found[k].length === 1 ? found[k][0].code : null);
  }
  for (const k of ["origin", "destination"]) {
    let timer = null;
    $(k).addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => suggest(k), 250);
      const m = $(k).value.match(/\((\d{6})\)$/);
      $(`${k}-chosen`).textContent = m ? m[1] : "";
    });
  }
  add({ role: "driver" });
  $("add-person").onclick = () => add({ role: "passenger" });
  $("declare").onsubmit = async (ev) => {
    ev.preventDefault();
    $("form-error").textContent = "";
    if (!codesSet(list)) return;
    const cls = $("vehicle-class").value;
    const body = { occupants: [...list.children].map((li) => li.read()) };
    if (cls) body.vehicle = { plate: fullPlate(province, plate), plate_color: $("plate-color").value, class: cls };
    for (const k of ["origin", "destination"]) {
      $(`${k}-error`).textContent = "";
      if (!$(k).value.trim()) continue;
      const code = await placeCode(k);
      if (!code) { $(`${k}-error`).textContent = T.place_unknown; $(k).focus(); $(k).scrollIntoView({ block: "center" }); return; }
      body[k] = code;
    }
    const r = await api("POST", "/api/v1/declarations", body);
    if (r.status !== 201) {
      const rest = showBeside(r, list, plate, $("plate-error"));
      $("form-error").textContent = rest;
      if (rest && !list.querySelector(".bad") && !plate.classList.contains("bad")) $("form-error").scrollIntoView({ block: "center" });
      return;
    }
    $("qr").innerHTML = r.json.qr_svg;
    $("expires").textContent = r.json.expires_at.slice(0, 16).replace("T", " ");
    $("declaration-id").textContent = r.json.id;
    $("token").value = r.json.token;
    $("declare").hidden = true;
    $("issued").hidden = false;
    window.scrollTo(0, 0);
  };
})();
