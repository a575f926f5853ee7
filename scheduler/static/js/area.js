// The desa/kelurahan select follows the kecamatan select: it offers only the chosen
// kecamatan's desa, from the regency's region data (GET /api/v1/regency). Without
// JavaScript the page does the same in two steps (the "show its desa" button).
(function () {
  "use strict";
  var script = document.currentScript;
  var selects = document.querySelectorAll("select[data-kecamatan-of]");
  if (!script || !selects.length || !window.fetch) { return; }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function follow(desa, regency) {
    var kecamatan = document.getElementById(desa.getAttribute("data-kecamatan-of"));
    if (!kecamatan) { return; }
    var byCode = {};
    var kinds = {};
    regency.kecamatan.forEach(function (k) {
      byCode[k.code] = k;
      k.desa.forEach(function (d) { kinds[d.kind] = true; });
    });
    var mixed = kinds.desa && kinds.kelurahan;
    var pattern = desa.getAttribute("data-kelurahan-label") || "{name}";
    var step = desa.form && desa.form.querySelector("[data-area-step]");
    if (step) { step.hidden = true; }

    function fill() {
      var keep = desa.value;
      var chosen = byCode[kecamatan.value];
      desa.textContent = "";
      desa.appendChild(option("", "—"));
      (chosen ? [chosen] : regency.kecamatan).forEach(function (k) {
        var group = document.createElement("optgroup");
        group.label = k.name;
        k.desa.forEach(function (d) {
          var label = mixed && d.kind === "kelurahan" ? pattern.replace("{name}", d.name) : d.name;
          group.appendChild(option(d.name, label));
        });
        desa.appendChild(group);
      });
      desa.value = keep;
      if (desa.value !== keep) { desa.value = ""; }
    }

    kecamatan.addEventListener("change", fill);
    fill();
  }

  fetch(script.getAttribute("data-regency-url"), { credentials: "omit" })
    .then(function (resp) { return resp.ok ? resp.json() : Promise.reject(resp.status); })
    .then(function (regency) {
      Array.prototype.forEach.call(selects, function (desa) { follow(desa, regency); });
    })
    .catch(function () { /* the two-step form still works */ });
})();
