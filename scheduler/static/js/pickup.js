// Pickup desk camera: a QR code read by the camera (js/qrscan.js) fills the look-up field
// and submits it; when the card is ready, the collector fields get the focus. Without a
// camera or JavaScript the typed or pasted look-up works as before.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var collector = document.querySelector("input[name=collected_by]");
  // The look-up found a card to hand over: the clerk goes on with who collects it.
  if (collector && input && input.value) { collector.focus(); }
  var box = document.getElementById("scanner");
  var note = document.getElementById("camera-note");
  var form = document.getElementById("lookup");
  if (!box || !note || !form || !input || !window.AntreQR) { return; }
  if (!window.AntreQR.supported()) { window.AntreQR.attach(box, null, note); return; }
  var status = document.getElementById("scan-status");
  var toggle = document.getElementById("scan-toggle");
  var shown = input.value;  // what this page already looked up
  var KEY = "antre-pickup-scan";

  function recent(text) {
    // The same code still in front of the camera after the page changed: not again.
    try {
      var last = JSON.parse(window.sessionStorage.getItem(KEY) || "{}");
      return last.text === text && Date.now() - last.at < 10000;
    } catch (e) { return false; }
  }

  var scanner = new window.AntreQR.Scanner(
    document.getElementById("camera"), document.getElementById("frame"), function (text) {
      if (text === shown || recent(text)) { return; }
      try { window.sessionStorage.setItem(KEY, JSON.stringify({ text: text, at: Date.now() })); } catch (e) { /* private mode */ }
      scanner.hold(60000);
      input.value = text;
      status.textContent = box.getAttribute("data-msg-found");
      form.submit();
    }
  );

  toggle.addEventListener("click", function () {
    scanner.setPaused(!scanner.paused);
    toggle.textContent = scanner.paused ? toggle.getAttribute("data-resume") : toggle.getAttribute("data-pause");
  });

  status.textContent = box.getAttribute("data-msg-start");
  window.AntreQR.attach(box, scanner, note);
})();
