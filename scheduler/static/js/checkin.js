// Check-in by camera: read the resident's QR code in the browser (js/qrscan.js) and post
// the text; the server verifies it. Without a camera or JavaScript the typed-code form
// below still works.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  var note = document.getElementById("camera-note");
  if (!box || !note || !window.AntreQR) { return; }
  if (!window.AntreQR.supported() || !window.fetch) { window.AntreQR.attach(box, null, note); return; }
  var status = document.getElementById("scan-status");
  var verdict = document.getElementById("verdict");
  var toggle = document.getElementById("scan-toggle");
  var siteSelect = document.querySelector("select[name=site_id]");
  var lastText = "";
  var lastAt = 0;
  var audio = null;
  var scanner = new window.AntreQR.Scanner(
    document.getElementById("camera"), document.getElementById("frame"), found
  );

  function beep(ok) {
    // A busy clerk hears the answer: one short high tone for success, two low ones for a refusal.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = ok ? [[880, 0, 0.15]] : [[220, 0, 0.25], [220, 0.35, 0.25]];
      tones.forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = t[0];
        gain.gain.value = 0.2;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + t[1]);
        osc.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) { /* no sound: the colour still tells */ }
  }

  function show(ok, title, detail) {
    verdict.className = "verdict " + (ok ? "verdict-ok" : "verdict-bad");
    verdict.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = title;
    verdict.appendChild(strong);
    if (detail) {
      verdict.appendChild(document.createElement("br"));
      var span = document.createElement("span");
      span.textContent = detail;
      verdict.appendChild(span);
    }
    beep(ok);
  }

  function submit(text) {
    var body = { qr: text };
    if (siteSelect && siteSelect.value) { body.site_id = parseInt(siteSelect.value, 10); }
    scanner.hold(60000);
    fetch(box.getAttribute("data-scan-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return { ok: false, message: box.getAttribute("data-msg-network") }; });
    }).then(function (data) {
      if (data.ok) {
        var nik = data.nik_masked + (data.home_regency ? " (" + data.home_regency + ")" : "");
        show(true, data.message, nik + " · " + data.code + " · " + data.site);
      } else {
        show(false, data.message, "");
      }
    }).catch(function () {
      show(false, box.getAttribute("data-msg-network"), "");
    }).then(function () {
      scanner.hold(2500);  // time to read the answer before the next scan
    });
  }

  function found(text) {
    var now = Date.now();
    if (text === lastText && now - lastAt < 8000) { return; }  // the same code still in view
    lastText = text; lastAt = now;
    submit(text);
  }

  toggle.addEventListener("click", function () {
    scanner.setPaused(!scanner.paused);
    toggle.textContent = scanner.paused ? toggle.getAttribute("data-resume") || "▶" : toggle.getAttribute("data-pause") || "⏸";
  });

  status.textContent = box.getAttribute("data-msg-start");
  window.AntreQR.attach(box, scanner, note);
})();
