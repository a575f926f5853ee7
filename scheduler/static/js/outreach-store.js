// The outreach desk's copy on the device (IndexedDB "antre-meja"): one record per user
// and session, {key: "<user>:<session>", user, session, savedAt, info, participants,
// queue, problems, csrf}. A page reads only its own key; participants are dropped after
// a day, when the session is closed, and at the login page (logged out).
(function () {
  "use strict";
  var NAME = "antre-meja", STORE = "sessions";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = window.indexedDB.open(NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function get(key) { return run("readonly", function (s) { return s.get(key); }); }
  function put(record) { return run("readwrite", function (s) { s.put(record); }); }
  function remove(key) { return run("readwrite", function (s) { s.delete(key); }); }
  function all() { return run("readonly", function (s) { return s.getAll(); }); }

  // Personal data goes; what is still to be sent (booking codes and actions) stays.
  function forgetPeople(record) {
    record.participants = [];
    record.info = null;
    record.savedAt = 0;
    return record.queue && record.queue.length ? put(record) : remove(record.key);
  }

  // Every record but `keepKey`: another user's, an expired one. Returns a promise.
  function tidy(keepKey, keepMs) {
    return all().then(function (records) {
      var now = Date.now();
      return Promise.all(records.filter(function (r) {
        return r.key !== keepKey && (r.participants.length || !r.queue.length) &&
          (keepKey === null || r.key.split(":")[0] !== keepKey.split(":")[0] || now - r.savedAt > keepMs);
      }).map(forgetPeople));
    });
  }

  window.AntreDeskStore = { get: get, put: put, remove: remove, all: all, forgetPeople: forgetPeople, tidy: tidy };
})();
