// Tend service worker, served at /sw.js so that its scope is "/".
// It keeps the help page available offline (safety-rules.md section 2),
// and the pages a person keeps on this device (DESIGN.md "Offline").
//
// Two caches:
// - CACHE, shared by everyone who uses this device: the help page and
//   static files, emptied with each new version. Personal pages (/me,
//   /clinic, /admin, /api) and no-store answers never go in it.
// - PERSONAL: pages the server answered with "Tend-Offline: keep" (the
//   person's safety plan, when they chose to keep it here; the coping
//   toolbox), under their path. It survives new versions and is emptied
//   on sign-out. A kept page opens from it when the network or the server
//   fails, or when the session has ended (the server sends to /signin). A
//   later answer for a kept page without the header removes its copy.
//   Static files a kept page needs go in CACHE as all static files do;
//   those marked Tend-Offline: keep are fetched again on each new version.
"use strict";

// The server replaces __TEND_VERSION__ with the build version when it
// serves this file; a new version installs fresh caches.
const VERSION = "__TEND_VERSION__";
const CACHE = "tend-v1-" + VERSION;
const PERSONAL = "tend-personal";
const HELP = "/help";
const PRECACHE = [
  HELP,
  "/static/css/tend.css",
  "/static/css/print.css",
  "/static/js/app.js",
  "/manifest.webmanifest",
  "/static/img/icon.svg",
];
const PRIVATE = /^\/(me|clinic|admin|api)(\/|$)/;
// The diary card for any day (or today's): offline, the kept blank card.
const DIARY = /^\/me\/diary(\/\d{4}-\d{2}-\d{2})?$/;
const DIARY_BLANK = "/me/diary/blank";
// Forms that end this device's session: the personal copies go with it.
const SIGN_OUT = ["/signout", "/me/settings/sign-out-everywhere"];

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
      .then(carryKept)
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.map(function (k) {
          if (k.indexOf("tend-") === 0 && k !== CACHE && k !== PERSONAL) return caches.delete(k);
        }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;

  if (req.method === "POST" && SIGN_OUT.indexOf(path) >= 0) {
    // Without JavaScript the page cannot clear the copies itself: they go
    // here, whatever the answer (a person signing out offline wants them
    // gone too). Offline, the help page answers.
    event.waitUntil(caches.delete(PERSONAL));
    if (req.mode === "navigate") {
      event.respondWith(fetch(req).catch(function () { return cachedHelp().then(orError); }));
    }
    return;
  }
  if (req.method !== "GET") return;

  if (path === HELP || path.indexOf(HELP + "/") === 0) {
    event.respondWith(helpPage(req));
  } else if (path.indexOf("/static/") === 0 || path === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(req));
  } else if (path !== "/sw.js" && wholePage(req)) {
    event.respondWith(page(req));
  }
  // Everything else (htmx fragments, API calls) is left to the browser.
});

// Background sync: the page queues entries written offline (app.js) and
// asks for this; the page itself sends them, so wake any open one.
self.addEventListener("sync", function (event) {
  if (event.tag !== "tend-queue") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (list) {
    list.forEach(function (c) { c.postMessage("tend-send-queue"); });
  }));
});

// Web Push (docs/notifications.md): the payload is a small JSON with a
// neutral title, a path on Tend and a tag (the delivery's id), never
// anything personal. A repeat of the same delivery replaces the shown one
// (same tag). A click opens the path on this origin only.
self.addEventListener("push", function (event) {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const title = typeof data.title === "string" && data.title ? data.title : "You have a reminder";
  const path = typeof data.path === "string" && data.path.charAt(0) === "/" && data.path.charAt(1) !== "/" ? data.path : "/";
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === "string" ? data.body : "",
    tag: typeof data.tag === "string" ? data.tag : undefined,
    data: { path: path }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const raw = event.notification.data && event.notification.data.path;
  const target = new URL(typeof raw === "string" ? raw : "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (const c of list) {
      if (new URL(c.url).origin === self.location.origin && "focus" in c) {
        return c.navigate(target.href).then(function (w) { return (w || c).focus(); });
      }
    }
    return self.clients.openWindow(target.href);
  }));
});

// wholePage reports whether req asks for a whole page (a navigation, or
// a request htmx makes for one), not a fragment of one.
function wholePage(req) {
  if (req.mode === "navigate") return true;
  return req.headers.get("HX-Request") !== "true" || req.headers.get("HX-Boosted") === "true";
}

// keyOf is the key of a page's personal copy: its path. Query strings
// carry notices ("?saved=1") and do not make separate copies.
function keyOf(req) {
  const url = new URL(req.url);
  return url.origin + url.pathname;
}

// page answers a whole page: from the network, keeping or dropping its
// personal copy as the answer says; from the copy when the network fails,
// the server fails, or the session has expired (the server redirects to
// /signin); otherwise, offline, from the help page, so a person who loses
// the connection still sees help.
function page(req) {
  const key = keyOf(req);
  return caches.open(PERSONAL).then(function (personal) {
    return personal.match(key, { ignoreVary: true }).then(function (kept) {
      // A kept page follows redirects here, to see where they lead; a
      // navigation's own request would hide that (an opaque redirect).
      const net = kept ? fetch(new Request(req, { redirect: "follow" })) : fetch(req);
      return net.then(function (res) {
        if (res.redirected) {
          if (kept && new URL(res.url).pathname === "/signin") return kept;
          // A navigation cannot take a redirected answer: send the browser there.
          return req.mode === "navigate" ? Response.redirect(res.url, 303) : res;
        }
        if (res.ok && keep(res)) {
          return personal.put(key, res.clone()).then(function () { return res; }, function () { return res; });
        }
        if (kept && res.ok) {
          return personal.delete(key).then(function () { return res; });
        }
        if (kept && res.status >= 500) return kept;
        return res;
      }, function () {
        if (kept) return kept;
        if (DIARY.test(new URL(req.url).pathname)) return diaryCopy(personal, req);
        if (req.mode !== "navigate") return Response.error();
        return cachedHelp().then(orError);
      });
    });
  });
}

// diaryCopy answers a diary card page offline from the blank card kept on
// this device (the card page fetches /me/diary/blank for it); the page's
// script fills in the date from the address. Without a kept card, the help
// page answers.
function diaryCopy(personal, req) {
  return personal.match(self.location.origin + DIARY_BLANK, { ignoreVary: true }).then(function (blank) {
    if (blank) return blank;
    if (req.mode !== "navigate") return Response.error();
    return cachedHelp().then(orError);
  });
}

// keep reports whether the server asked for res to be kept on this device.
function keep(res) {
  return /(^|,)\s*keep\s*(,|;|$)/i.test(res.headers.get("Tend-Offline") || "");
}

// carryKept fetches again, into the new version's cache, the static
// files the old one held that the server marks Tend-Offline: keep (what a
// kept page needs to work offline), so an update online does not leave a
// kept page without them. Best effort: a file that cannot be fetched now
// is fetched when next used.
function carryKept() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("tend-v1-") === 0 && k !== CACHE; }).map(function (k) {
      return caches.open(k).then(function (old) {
        return old.keys().then(function (reqs) {
          return Promise.all(reqs.map(function (req) {
            return old.match(req).then(function (res) {
              if (!res || !keep(res)) return;
              return fetch(new Request(req.url, { cache: "reload" })).then(function (fresh) {
                if (fresh.ok) return caches.open(CACHE).then(function (c) { return c.put(req.url, plain(fresh)); });
              });
            }).catch(function () {});
          }));
        });
      });
    }));
  }).catch(function () {});
}

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
  // Defence in depth: personal pages and no-store answers never go in the
  // shared cache.
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
