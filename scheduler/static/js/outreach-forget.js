// The login page (a user logged out, or the login lapsed): the outreach desk's copies of
// participants on this device go, and so do the kept desk pages. Unsent records of what
// the desk did (booking codes and actions only) stay until their user sends them.
(function () {
  "use strict";
  if (window.AntreDeskStore && window.indexedDB) {
    window.AntreDeskStore.tidy(null, 0).catch(function () { /* nothing kept */ });
  }
  if (window.caches) { window.caches.delete("antre-meja-v1"); }
})();
