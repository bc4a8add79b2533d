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

  // Where from and where to: a place name or initials, chosen from the country's divisions.
  const places = { origin: placeField($("origin"), $("origin-places"), $("origin-chosen")),
    destination: placeField($("destination"), $("destination-places"), $("destination-chosen")) };
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
      const code = await places[k].code();
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
