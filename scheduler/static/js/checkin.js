// Check-in by camera: read the resident's QR code in the browser (BarcodeDetector where the
// browser has it, the vendored jsQR otherwise) and post the text; the server verifies it.
// Without a camera or JavaScript the typed-code form below still works.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.fetch) { return; }
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var status = document.getElementById("scan-status");
  var verdict = document.getElementById("verdict");
  var toggle = document.getElementById("scan-toggle");
  var siteSelect = document.querySelector("select[name=site_id]");
  var detector = null;
  var paused = false;
  var waitUntil = 0;
  var lastText = "";
  var lastAt = 0;
  var audio = null;

  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }

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
    waitUntil = Date.now() + 60000;
    fetch(box.getAttribute("data-scan-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return { ok: false, message: box.getAttribute("data-msg-network") }; });
    }).then(function (data) {
      if (data.ok) {
        show(true, data.message, data.nik_masked + " · " + data.code + " · " + data.site);
      } else {
        show(false, data.message, "");
      }
    }).catch(function () {
      show(false, box.getAttribute("data-msg-network"), "");
    }).then(function () {
      waitUntil = Date.now() + 2500;  // time to read the answer before the next scan
    });
  }

  function found(text) {
    var now = Date.now();
    if (!text || now < waitUntil) { return; }
    if (text === lastText && now - lastAt < 8000) { return; }  // the same code still in view
    lastText = text; lastAt = now;
    submit(text);
  }

  function readFrame() {
    if (video.readyState < 2 || !video.videoWidth) { return Promise.resolve(null); }
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      }).catch(function () { detector = null; return null; });
    }
    if (!window.jsQR) { return Promise.resolve(null); }
    var w = video.videoWidth, h = video.videoHeight;
    var scale = Math.min(1, 800 / Math.max(w, h));
    canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  function loop() {
    if (paused || Date.now() < waitUntil) { window.setTimeout(loop, 250); return; }
    readFrame().then(function (text) {
      if (text) { found(text); }
      window.setTimeout(loop, 200);
    });
  }

  toggle.addEventListener("click", function () {
    paused = !paused;
    if (paused) { video.pause(); } else { video.play(); }
    toggle.textContent = paused ? toggle.getAttribute("data-resume") || "▶" : toggle.getAttribute("data-pause") || "⏸";
  });

  box.hidden = false;
  status.textContent = box.getAttribute("data-msg-start");
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
    .then(function (stream) {
      video.srcObject = stream;
      return video.play();
    })
    .then(loop)
    .catch(function () {
      status.textContent = box.getAttribute("data-msg-nocamera");
      toggle.hidden = true;
    });
})();
