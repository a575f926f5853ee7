// The outreach desk without signal. With signal the page fetches the session's
// participants (name, masked NIK, code, time, status, SHA-256 of the check-in token) into
// IndexedDB (js/outreach-store.js); a scan is matched against the stored digests, a typed
// code against the codes. Every check-in and outcome is queued on the device with a UUID
// and the device's time, then sent in order to the sync endpoint whenever the network
// answers; what the server could not apply is shown under "Perlu diperiksa".
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root || !window.indexedDB || !window.fetch || !window.crypto || !window.crypto.subtle) { return; }
  var T = JSON.parse(document.getElementById("desk-text").textContent);
  var store = window.AntreDeskStore;
  var key = root.dataset.user + ":" + root.dataset.session;
  var BATCH = 200;
  var record = null;       // this user's and session's record, as stored
  var byCode = {}, byHash = {};
  var syncing = false, reachable = navigator.onLine;
  var askingFor = null;    // the participant whose failure reason is being chosen
  var el = function (id) { return document.getElementById(id); };

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }

  function blank() {
    return { key: key, user: root.dataset.user, session: root.dataset.session, savedAt: 0,
      keepHours: 24, info: null, participants: [], queue: [], problems: [], csrf: "", sentAt: 0 };
  }

  function save() { return store.put(record); }

  function index() {
    byCode = {}; byHash = {};
    record.participants.forEach(function (p) { byCode[p.code] = p; byHash[p.token_sha256] = p; });
  }

  function uuid() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function sha256(text) {
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (x) { return (x + 256).toString(16).slice(1); }).join("");
    });
  }

  // ------------------------------------------------------------------------ showing

  function verdict(ok, title, detail) {
    var v = el("verdict");
    v.className = "verdict " + (ok ? "verdict-ok" : "verdict-bad");
    v.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = title;
    v.appendChild(strong);
    if (detail) {
      v.appendChild(document.createElement("br"));
      var span = document.createElement("span");
      span.textContent = detail;
      v.appendChild(span);
    }
  }

  function button(label, onClick, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (primary) { b.className = "primary"; }
    b.addEventListener("click", onClick);
    return b;
  }

  function actionsFor(p) {
    var box = document.createElement("div");
    box.className = "desk-actions";
    if (askingFor === p.code && p.status === "checked_in") {
      reasonForm(p, box);
    } else if (p.status === "booked") {
      box.appendChild(button(T.actions.checkin, function () { checkIn(p); }, true));
      box.appendChild(button(T.actions.absent, function () { enqueue(p, "absent"); }));
    } else if (p.status === "checked_in") {
      box.appendChild(button(T.actions.recorded, function () { enqueue(p, "recorded"); }, true));
      box.appendChild(button(T.actions.recording_failed, function () { askingFor = p.code; renderList(); focusReason(); }));
    }
    return box;
  }

  // The reason's choice survives the page redrawing itself (a sync attempt, a refresh).
  function focusReason() {
    var select = document.querySelector("#participants select");
    if (select) { select.focus(); }
  }

  function reasonForm(p, box) {
    var label = document.createElement("label");
    var select = document.createElement("select");
    select.setAttribute("aria-label", T.reason);
    T.reasons.forEach(function (r) {
      var o = document.createElement("option"); o.value = r; o.textContent = r; select.appendChild(o);
    });
    label.textContent = T.reason + " ";
    label.appendChild(select);
    box.appendChild(label);
    box.appendChild(button(T.actions.recording_failed, function () { enqueue(p, "recording_failed", select.value); }, true));
    box.appendChild(button(T.cancel, function () { askingFor = null; render(); }));
  }

  function renderCounts() {
    var counts = { booked: 0, checked_in: 0, recorded: 0, recording_failed: 0, no_show: 0 };
    record.participants.forEach(function (p) { if (p.status in counts) { counts[p.status] += 1; } });
    var body = el("counts");
    body.textContent = "";
    Object.keys(counts).forEach(function (s) {
      var tr = document.createElement("tr");
      tr.dataset.status = s;
      var th = document.createElement("th"); th.scope = "row"; th.textContent = T.status[s];
      var td = document.createElement("td"); td.textContent = counts[s];
      tr.appendChild(th); tr.appendChild(td); body.appendChild(tr);
    });
  }

  function renderList() {
    var body = el("participants");
    body.textContent = "";
    record.participants.forEach(function (p) {
      var tr = document.createElement("tr");
      tr.dataset.code = p.code;
      var who = document.createElement("td");
      who.textContent = p.name;
      var small = document.createElement("small");
      small.textContent = p.nik_masked + " · " + p.code;
      who.appendChild(document.createElement("br")); who.appendChild(small);
      var time = document.createElement("td"); time.textContent = p.time;
      var status = document.createElement("td"); status.className = "desk-status"; status.textContent = T.status[p.status] || p.status;
      var acts = document.createElement("td"); acts.appendChild(actionsFor(p));
      [who, time, status, acts].forEach(function (td) { tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  function renderProblems() {
    var list = el("problem-list");
    list.textContent = "";
    el("problems").hidden = !record.problems.length;
    record.problems.forEach(function (problem, i) {
      var li = document.createElement("li");
      li.className = "bad";
      li.textContent = problem.name + " (" + problem.code + "), " + (T.actions[problem.action] || problem.action) + ": " + problem.detail + " ";
      li.appendChild(button(T.dismiss, function () { record.problems.splice(i, 1); save().then(render); }));
      list.appendChild(li);
    });
  }

  function renderState() {
    var net = el("net");
    net.textContent = reachable ? T.online : T.offline;
    net.className = "badge " + (reachable ? "badge-ok" : "badge-off");
    var n = record.queue.length;
    el("queue-state").textContent = n ? fmt(T.queued, { n: n }) : T.all_sent +
      (record.sentAt ? " (" + fmt(T.synced_at, { t: new Date(record.sentAt).toLocaleTimeString() }) + ")" : "");
    el("queue-state").dataset.pending = n;
    el("sync-now").hidden = !n;
    el("saved-at").textContent = record.savedAt ? fmt(T.saved_at, { t: new Date(record.savedAt).toLocaleString() }) : "";
  }

  function render() { renderCounts(); renderList(); renderProblems(); renderState(); }

  // ------------------------------------------------------------------------ acting

  var NEXT = { checkin: "checked_in", recorded: "recorded", recording_failed: "recording_failed", absent: "no_show" };

  function enqueue(p, action, reason) {
    askingFor = null;
    var event = { id: uuid(), code: p.code, action: action, at: new Date().toISOString() };
    if (reason) { event.reason = reason; }
    record.queue.push(event);
    p.status = NEXT[action];
    return save().then(function () { render(); sync(); });
  }

  function checkIn(p) {
    if (p.status !== "booked") {
      verdict(false, fmt(T.already, { name: p.name, status: T.status[p.status] }), p.nik_masked + " · " + p.code);
      return;
    }
    enqueue(p, "checkin");
    verdict(true, fmt(T.checked_in, { name: p.name, time: p.time }), p.nik_masked + " · " + p.code);
  }

  function scanned(text) {
    return sha256(text.trim()).then(function (digest) {
      var p = byHash[digest];
      if (p) { checkIn(p); } else { verdict(false, T.unknown_qr, ""); }
    });
  }

  // ------------------------------------------------------------------------ network

  function reach(ok) { if (reachable !== ok) { reachable = ok; renderState(); } }

  // Fetch the participants again; resolves true when the server answered with them.
  function refresh() {
    return fetch(root.dataset.dataUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (resp) {
        reach(true);
        var json = (resp.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (resp.ok && json && !resp.redirected) { return resp.json().then(took); }
        if (resp.status === 403 || resp.status === 404) {
          verdict(false, T.not_yours, "");
          return store.remove(key).then(function () { record = blank(); index(); render(); return false; });
        }
        verdict(false, T.login, "");
        return false;
      }, function () { reach(false); return false; });
  }

  function took(data) {
    if (String(data.user_id) !== root.dataset.user) {
      // This page was kept for another user of the device: load the current one's.
      window.location.reload();
      return false;
    }
    var queued = {};
    record.queue.forEach(function (e) { queued[e.code] = NEXT[e.action]; });
    record.info = data.session;
    record.csrf = data.csrf_token;
    record.keepHours = data.keep_hours;
    record.savedAt = Date.now();
    // What is still queued here stays as this device saw it until the server has it.
    record.participants = data.participants.map(function (p) {
      if (queued[p.code]) { p.status = queued[p.code]; }
      return p;
    });
    if (data.session.closed && !record.queue.length) {
      verdict(false, T.closed, "");
      record.participants = [];
      return store.forgetPeople(record).then(function () { index(); render(); return true; });
    }
    index();
    return save().then(function () { render(); return true; });
  }

  function post(events) {
    return fetch(root.dataset.syncUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": record.csrf },
      body: JSON.stringify({ events: events })
    });
  }

  function applyResults(results) {
    var done = {};
    results.forEach(function (r) {
      done[r.id] = true;
      var p = byCode[r.code];
      var failed = r.status === "conflict" || r.status === "rejected" ||
        (r.status === "duplicate" && r.original && r.original !== "applied");
      if (failed) {
        var sent = record.queue.filter(function (e) { return e.id === r.id; })[0] || {};
        record.problems.push({ id: r.id, code: r.code, name: p ? p.name : r.code, action: sent.action, detail: r.detail || "" });
      }
      if (p && r.appointment_status) { p.status = r.appointment_status; }
    });
    record.queue = record.queue.filter(function (e) { return !done[e.id]; });
    record.sentAt = Date.now();
  }

  // Send the queue, oldest first, in batches; stops quietly when the network is gone.
  function sync() {
    if (syncing || !record.queue.length) { return Promise.resolve(); }
    syncing = true;
    var batch = record.queue.slice(0, BATCH);
    var attempt = record.csrf ? post(batch) : Promise.reject(new Error("no token"));
    return attempt.catch(function () { return null; }).then(function (resp) {
      if (resp && resp.ok) { return resp.json(); }
      // No token yet, an expired one, or no network: fetch the page's data, then retry once.
      return refresh().then(function (ok) {
        return ok ? post(batch).then(function (again) { return again.ok ? again.json() : null; }) : null;
      });
    }).then(function (data) {
      if (!data || !data.results) { return false; }
      reach(true);
      applyResults(data.results);
      return save().then(function () { return true; });
    }, function () { reach(false); return false; }).then(function (progressed) {
      syncing = false;
      render();
      if (!progressed) { return null; }
      // The rest of the queue, then the server's own view (other devices' changes).
      return record.queue.length ? sync() : refresh();
    });
  }

  // ------------------------------------------------------------------------ start

  function startScanner() {
    var box = el("scanner");
    if (!window.AntreQR || !window.AntreQR.supported()) { return; }
    var status = el("scan-status"), toggle = el("scan-toggle");
    var lastText = "", lastAt = 0;
    var scanner = new window.AntreQR.Scanner(el("camera"), el("frame"), function (text) {
      var now = Date.now();
      if (text === lastText && now - lastAt < 8000) { return; }  // the same code still in view
      lastText = text; lastAt = now;
      scanner.hold(2000);  // time to read the answer before the next scan
      scanned(text);
    });
    toggle.addEventListener("click", function () {
      scanner.setPaused(!scanner.paused);
      toggle.textContent = scanner.paused ? T.resume : T.pause;
    });
    box.hidden = false;
    status.textContent = T.start;
    scanner.start().catch(function () { status.textContent = T.nocamera; toggle.hidden = true; });
  }

  function registerWorker() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // Keep this page and what it loads for the next visit without signal.
      var urls = [location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=manifest], link[rel=icon]").forEach(function (n) {
        urls.push(n.getAttribute("src") || n.getAttribute("href"));
      });
      if (reg.active) { reg.active.postMessage({ type: "keep", urls: urls }); }
    }).catch(function () { /* no worker: the page still works while it stays open */ });
  }

  el("code-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = el("code-input");
    var code = input.value.toUpperCase().replace(/[^A-Z0-9]/g, "");
    var p = byCode[code];
    if (p) { checkIn(p); input.value = ""; } else { verdict(false, T.unknown_code, code); }
  });
  el("sync-now").addEventListener("click", function () { sync(); });
  window.addEventListener("online", function () { reach(true); sync(); });
  window.addEventListener("offline", function () { reach(false); });
  window.setInterval(function () { if (record.queue.length) { sync(); } }, 15000);

  store.get(key).then(function (found) {
    record = found || blank();
    if (record.savedAt && Date.now() - record.savedAt > record.keepHours * 3600 * 1000) {
      record.participants = [];
      record.savedAt = 0;
      verdict(false, T.expired, "");
    }
    index();
    render();
    return store.tidy(key, record.keepHours * 3600 * 1000);
  }).then(function () {
    return record.queue.length ? sync() : refresh();
  }).then(function () {
    if (!record.participants.length && !el("verdict").textContent) { verdict(false, T.no_data, ""); }
  });
  startScanner();
  registerWorker();
})();
