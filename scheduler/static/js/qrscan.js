// Reading QR codes from the device camera, shared by the check-in and the pickup desks:
// BarcodeDetector where the browser has it, the vendored jsQR otherwise. A page makes
// `new AntreQR.Scanner(video, canvas, onText)` and calls start(); onText gets each text
// read while the scanner is neither paused nor held.
(function () {
  "use strict";

  function supported() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function Scanner(video, canvas, onText) {
    this.video = video;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.onText = onText;
    this.paused = false;
    this.holdUntil = 0;
    this.detector = null;
    if ("BarcodeDetector" in window) {
      try { this.detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { this.detector = null; }
    }
  }

  // No reading for `ms` milliseconds (an answer is on its way, or being read).
  Scanner.prototype.hold = function (ms) { this.holdUntil = Date.now() + ms; };

  Scanner.prototype.setPaused = function (paused) {
    this.paused = paused;
    if (paused) { this.video.pause(); } else { this.video.play(); }
  };

  Scanner.prototype.readFrame = function () {
    var self = this, video = this.video;
    if (video.readyState < 2 || !video.videoWidth) { return Promise.resolve(null); }
    if (this.detector) {
      return this.detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      }).catch(function () { self.detector = null; return null; });
    }
    if (!window.jsQR) { return Promise.resolve(null); }
    var w = video.videoWidth, h = video.videoHeight;
    var scale = Math.min(1, 800 / Math.max(w, h));
    var canvas = this.canvas;
    canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
    this.ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = this.ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  };

  Scanner.prototype.loop = function () {
    var self = this;
    if (this.stopped) { return; }
    if (this.paused || Date.now() < this.holdUntil) {
      window.setTimeout(function () { self.loop(); }, 250);
      return;
    }
    this.readFrame().then(function (text) {
      if (text && !self.paused && Date.now() >= self.holdUntil) { self.onText(text); }
      window.setTimeout(function () { self.loop(); }, 200);
    });
  };

  // Opens the back camera and starts reading; rejects when there is no camera to open.
  Scanner.prototype.start = function () {
    var self = this;
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        self.video.srcObject = stream;
        return self.video.play();
      })
      .then(function () { self.loop(); });
  };

  // Why no camera opened, as the key of the page's message (data-msg-<key> on the box):
  // "insecure" (a plain http address: browsers give cameras to https pages only),
  // "denied" (permission refused), "nodevice", "busy" (another app holds it), or "nocamera".
  function reason(error) {
    if (!window.isSecureContext) { return "insecure"; }
    if (!error) { return "nocamera"; }
    switch (error.name) {
      case "NotAllowedError": case "SecurityError": case "PermissionDeniedError": return "denied";
      case "NotFoundError": case "OverconstrainedError": case "DevicesNotFoundError": return "nodevice";
      case "NotReadableError": case "TrackStartError": case "AbortError": return "busy";
      default: return "nocamera";
    }
  }

  // The camera box stays hidden until a camera shows a picture; when none opens, the box
  // stays hidden and `note` (an element outside it) says why, in the page's words.
  function attach(box, scanner, note) {
    function explain(error) {
      box.hidden = true;
      if (scanner) { scanner.stop(); }
      var key = reason(error);
      note.textContent = box.getAttribute("data-msg-" + key) || box.getAttribute("data-msg-nocamera");
      note.setAttribute("data-reason", key);
      note.hidden = false;
    }
    if (!scanner || !supported()) { explain(null); return; }
    scanner.start().then(function () {
      box.hidden = false;
      note.hidden = true;
    }, explain);
  }

  Scanner.prototype.stop = function () {
    var stream = this.video.srcObject;
    if (stream && stream.getTracks) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    this.video.srcObject = null;
    this.stopped = true;
  };

  window.AntreQR = { supported: supported, Scanner: Scanner, reason: reason, attach: attach };
})();
