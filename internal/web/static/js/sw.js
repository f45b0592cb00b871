// Tend service worker, served at /sw.js so that its scope is "/".
// It keeps the help page available offline (safety-rules.md section 2).
// Personal pages (/me, /clinic, /admin, /api) are sent no-store and are
// never cached here: someone else may pick up the device.
"use strict";

// The server replaces __TEND_VERSION__ with the build version when it
// serves this file; a new version installs fresh caches.
const VERSION = "__TEND_VERSION__";
const CACHE = "tend-v1-" + VERSION;
const HELP = "/help";
const PRECACHE = [
  HELP,
  "/static/css/tend.css",
  "/static/js/app.js",
  "/manifest.webmanifest",
  "/static/img/icon.svg",
];
const PRIVATE = /^\/(me|clinic|admin|api)(\/|$)/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) {
        return Promise.all(PRECACHE.map(function (url) {
          // "reload" skips the HTTP cache so the copies are current.
          return fetch(new Request(url, { cache: "reload" })).then(function (res) {
            if (!res.ok) throw new Error("precache " + url + ": " + res.status);
            return cache.put(url, plain(res));
          });
        }));
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.map(function (k) {
          if (k.indexOf("tend-") === 0 && k !== CACHE) return caches.delete(k);
        }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;

  if (path === HELP || path.indexOf(HELP + "/") === 0) {
    event.respondWith(helpPage(req));
  } else if (path.indexOf("/static/") === 0 || path === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(req));
  } else if (req.mode === "navigate") {
    // Any other page, personal ones included, goes to the network and is
    // not cached. If that fails (offline), show the help page instead, so
    // a person who loses connection still sees help.
    event.respondWith(fetch(req).catch(function () {
      return cachedHelp().then(orError);
    }));
  }
  // Everything else is left to the browser.
});

// helpPage: network first, keeping a copy; then the cached copy of this
// URL; then the cached /help. A server error also falls back to the cache.
function helpPage(req) {
  function fromCache() {
    return caches.open(CACHE)
      .then(function (cache) { return cache.match(req, { ignoreVary: true }); })
      .then(function (res) { return res || cachedHelp(); });
  }
  return fetch(req)
    .then(function (res) {
      if (res.ok) {
        put(req, res.clone());
        return res;
      }
      if (res.status < 500) return res;
      return fromCache().then(function (hit) { return hit || res; });
    })
    .catch(function () { return fromCache().then(orError); });
}

// cacheFirst serves static files from the cache (emptied with each new
// version), fetching and keeping them on a miss.
function cacheFirst(req) {
  return caches.match(req, { cacheName: CACHE }).then(function (hit) {
    return hit || fetch(req).then(function (res) {
      if (res.ok) put(req, res.clone());
      return res;
    });
  });
}

function cachedHelp() {
  return caches.match(HELP, { cacheName: CACHE, ignoreSearch: true, ignoreVary: true });
}

function put(req, res) {
  // Defence in depth: personal pages and no-store answers are never kept.
  if (PRIVATE.test(new URL(req.url).pathname)) return;
  if (/no-store/.test(res.headers.get("Cache-Control") || "")) return;
  caches.open(CACHE).then(function (cache) { return cache.put(req, plain(res)); });
}

// plain drops the "redirected" flag: a redirected response cannot answer
// a navigation, so a cached copy must not carry it.
function plain(res) {
  if (!res.redirected) return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

function orError(res) {
  return res || Response.error();
}
