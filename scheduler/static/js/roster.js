// The roster refreshes itself: the table is fetched again every few seconds and swapped
// in, unless the clerk is in the middle of something (a form open or focused).
(function () {
  "use strict";
  var box = document.getElementById("roster");
  if (!box || !window.fetch) { return; }
  var every = (parseInt(box.getAttribute("data-refresh"), 10) || 20) * 1000;

  var shownAt = Date.now();

  function busy() {
    if (box.querySelector("details[open]")) { return true; }
    // A refusal shown next to a row stays a minute: time to read it and act on it.
    if (box.querySelector(".row-error") && Date.now() - shownAt < 60000) { return true; }
    return box.contains(document.activeElement) && document.activeElement !== document.body;
  }

  function refresh() {
    if (document.hidden || busy()) { return; }
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) { if (!busy()) { box.innerHTML = html; } })
      .catch(function () { /* keep the last good table; the next poll tries again */ });
  }

  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
})();
