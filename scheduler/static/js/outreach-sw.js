// Service worker of the outreach desk (served as /jemput-bola/meja-sw.js, scope
// /jemput-bola/sesi/). It keeps the desk's page shell and its static files so that the
// desk opens without signal; the participants live in IndexedDB (never here), and every
// other request, the desk's data and sync included, goes to the network untouched.
"use strict";

var CACHE = "antre-meja-v1";
var ROOT = self.location.pathname.replace(/jemput-bola\/meja-sw\.js$/, "");
var DESK_PAGE = new RegExp("^" + ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "jemput-bola/sesi/\\d+/meja$");

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("antre-meja-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(cache, url) {
  return fetch(url, { credentials: "same-origin" }).then(function (resp) {
    // A login page (redirected) or an error is never kept in the desk's place.
    if (resp.ok && !resp.redirected) { return cache.put(url, resp); }
    return null;
  }).catch(function () { return null; });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    var wanted = data.urls.filter(function (u) {
      var url = new URL(u, self.location.href);
      return url.origin === self.location.origin &&
        (DESK_PAGE.test(url.pathname) || url.pathname.indexOf(ROOT + "static/") === 0 ||
         /\/meja\.webmanifest$/.test(url.pathname));
    });
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(wanted.map(function (u) { return keep(cache, new URL(u, self.location.href).href); }));
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(CACHE));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && DESK_PAGE.test(url.pathname)) {
    var page = url.origin + url.pathname;
    // Network first: with signal the desk is always the current one.
    event.respondWith(fetch(request).then(function (resp) {
      if (resp.ok && !resp.redirected) {
        var copy = resp.clone();
        caches.open(CACHE).then(function (cache) { cache.put(page, copy); });
      }
      return resp;
    }).catch(function () {
      return caches.match(page).then(function (hit) {
        return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
    return;
  }
  if (url.pathname.indexOf(ROOT + "static/") === 0 || /\/meja\.webmanifest$/.test(url.pathname)) {
    // Versioned static files (?v=): what is kept is what the page asked for.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});
