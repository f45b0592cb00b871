// Tend: progressive enhancement only. Every page works without this file.
// Registers the service worker that keeps the help page available offline.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
}

// Quick exit (safety-rules.md section 9): the button, or Esc pressed twice
// within a second, replaces this page with the neutral site the service
// chose, leaving no entry to come back to with the Back button.
(function () {
  var link = document.querySelector("[data-quick-exit]");
  if (!link) return;
  function leave(e) {
    if (e) e.preventDefault();
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var last = 0;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var now = Date.now();
    if (now - last < 1000) leave();
    last = now;
  });
})();

// Offline (DESIGN.md "Offline"). Pages the person keeps on this device are
// kept by the service worker (sw.js) in the "tend-personal" cache. Here:
// - the offline queue: a form marked data-offline-queue (its value names
//   the idempotency-key field, "idempotency_key" by default) that cannot
//   be sent because the device is offline is kept in IndexedDB and sent
//   when the connection returns, with the same key, so a resend never
//   saves twice. An entry the server refuses stays, with its reason, until
//   the person removes it;
// - sign-out sends the queue first, warns when entries cannot be sent,
//   then clears the queue and the kept pages;
// - "Stop keeping it on this device" removes the kept copy at once.
// The words come from the page (#offline-text), which the catalogue fills.
(function () {
  var PERSONAL = "tend-personal";
  var text = document.getElementById("offline-text");
  var owner = document.body.getAttribute("data-owner") || "";
  var submit = HTMLFormElement.prototype.submit;
  function noop() {}
  function msg(name) { return (text && text.getAttribute("data-" + name)) || ""; }

  // The queue: one IndexedDB store of {id, action, body, key, savedAt,
  // owner, state ("waiting" or "refused"), reason}.
  function withQueue(mode, fn) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) return reject(new Error("no IndexedDB"));
      var open = indexedDB.open("tend", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
      };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result, tx = db.transaction("queue", mode), req = fn(tx.objectStore("queue"));
        tx.oncomplete = function () { db.close(); resolve(req && req.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function entries() { return withQueue("readonly", function (s) { return s.getAll(); }); }
  function save(e) { return withQueue("readwrite", function (s) { return s.put(e); }); }
  function drop(id) { return withQueue("readwrite", function (s) { return s.delete(id); }); }

  // post sends a form body; offline it rejects (after 15 s at most).
  function post(action, body) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl && setTimeout(function () { ctl.abort(); }, 15000);
    return fetch(action, {
      method: "POST", body: body, credentials: "same-origin", signal: ctl && ctl.signal,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }).then(function (res) { clearTimeout(timer); return res; }, function (err) { clearTimeout(timer); throw err; });
  }

  // send sends one queued entry and records what became of it.
  function send(e) {
    return post(e.action, e.body).then(function (res) {
      var to = new URL(res.url).pathname;
      if (res.redirected && (to === "/signin" || to === "/me/unlock")) return; // sign in first
      if (res.ok) return drop(e.id);
      if (res.status >= 500 || res.status === 401 || res.status === 408 || res.status === 429) return; // later
      return res.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var p = doc.querySelector("main [role=alert] p, main [role=alert], main h1 + p");
        e.state = "refused";
        e.reason = (p && p.textContent.trim()) || msg("rejected-default");
        return save(e);
      });
    }, noop);
  }

  var sending = null;
  // flush sends this account's waiting entries, one after another.
  function flush() {
    if (!owner) return Promise.resolve();
    if (sending) return sending;
    sending = entries().then(function (list) {
      return list.filter(function (e) { return e.owner === owner && e.state === "waiting"; })
        .reduce(function (p, e) { return p.then(function () { return send(e); }); }, Promise.resolve());
    }).catch(noop).then(function () { sending = null; return show(); });
    return sending;
  }

  // show lists this account's entries not sent yet at the top of the page.
  var queuedHere = false;
  function show() {
    return entries().then(function (list) {
      list = list.filter(function (e) { return e.owner === owner; });
      var box = document.getElementById("offline-queue");
      if (!list.length) {
        if (box) box.remove();
        return;
      }
      var main = document.querySelector("main");
      if (!main) return;
      if (!box) {
        box = document.createElement("div");
        box.id = "offline-queue";
        box.setAttribute("role", "status");
        var h1 = main.querySelector("h1");
        main.insertBefore(box, h1 ? h1.nextSibling : main.firstChild);
      }
      box.textContent = "";
      var waiting = list.filter(function (e) { return e.state === "waiting"; });
      if (waiting.length) {
        var p = document.createElement("p");
        p.className = "notice";
        p.textContent = msg(queuedHere ? "queued" : "waiting");
        box.appendChild(p);
      }
      list.filter(function (e) { return e.state === "refused"; }).forEach(function (e) {
        var p = document.createElement("p");
        p.className = "problem";
        var when = new Date(e.savedAt).toLocaleString(document.documentElement.lang || undefined);
        p.textContent = msg("rejected").replace("{time}", when).replace("{reason}", e.reason) + " ";
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button-secondary";
        b.textContent = msg("discard");
        b.addEventListener("click", function () { drop(e.id).then(function () { return show(); }); });
        p.appendChild(b);
        box.appendChild(p);
      });
    }).catch(noop);
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    var path = new URL(form.action, location.href).pathname;
    if (form.hasAttribute("data-sign-out") || path === "/me/settings/sign-out-everywhere") {
      ev.preventDefault();
      signOut(form);
    } else if (form.hasAttribute("data-offline-forget")) {
      ev.preventDefault();
      var url = new URL(form.getAttribute("data-offline-forget"), location.href).href;
      var forget = window.caches ? caches.open(PERSONAL).then(function (c) { return c.delete(url); }) : Promise.resolve();
      forget.catch(noop).then(function () { submit.call(form); });
    } else if (form.hasAttribute("data-offline-queue") && form.enctype !== "multipart/form-data") {
      queueSubmit(ev, form);
    }
  });

  // queueSubmit sends the form itself; when the device is offline it keeps
  // the form in the queue instead. A form without its idempotency key
  // cannot be resent safely and is left to the browser.
  function queueSubmit(ev, form) {
    var data;
    try { data = new FormData(form, ev.submitter); } catch (err) { data = new FormData(form); }
    var field = form.getAttribute("data-offline-queue") || "idempotency_key";
    var key = data.get(field);
    if (!key || !owner) return;
    ev.preventDefault();
    var savedAt = new Date().toISOString();
    if (data.has("recorded_at") && !data.get("recorded_at")) data.set("recorded_at", savedAt);
    var body = new URLSearchParams(data).toString();
    // hold keeps the form in the queue; signIn: it waits for a sign-in,
    // not for the connection.
    function hold(signIn) {
      return entries().then(function (list) {
        // Sent twice while offline: one entry, the later answers.
        var same = list.filter(function (e) { return e.key === key && e.action === form.action; })[0];
        var e = { action: form.action, body: body, key: key, savedAt: savedAt, owner: owner, state: "waiting" };
        if (same) e.id = same.id;
        return save(e);
      }).then(function () {
        if (navigator.serviceWorker) {
          navigator.serviceWorker.ready.then(function (reg) {
            if (reg.sync) return reg.sync.register("tend-queue");
          }).catch(noop);
        }
        queuedHere = signIn !== true;
        // Tell the page's own script (the diary card shows the safety
        // screen at once for an entry that needs it).
        form.dispatchEvent(new CustomEvent("tend-queued", { bubbles: true }));
        return show();
      }, function () { submit.call(form); });
    }
    post(form.action, body).then(function (res) {
      if (res.redirected) {
        location.assign(res.url);
      } else if (res.status === 401) {
        // The session has ended: keep it until this account signs in again.
        hold(true);
      } else {
        // The server answered with a page (a problem with the form, say):
        // send the form the ordinary way to show it; the same key means
        // nothing is saved twice.
        submit.call(form);
      }
    }, function () { hold(false); });
  }

  // signOut sends the queue, warns when entries are still not sent, then
  // clears the queue and the kept pages before signing out.
  function signOut(form) {
    flush().then(entries).then(function (list) { return list.length; }, function () { return 0; }).then(function (n) {
      if (n > 0 && !window.confirm(n === 1 ? msg("unsent-one") : msg("unsent-many").replace("{n}", n))) return;
      var clearing = [withQueue("readwrite", function (s) { return s.clear(); }).catch(noop)];
      if (window.caches) clearing.push(caches.delete(PERSONAL).catch(noop));
      return Promise.all(clearing).then(function () { submit.call(form); });
    });
  }

  window.addEventListener("online", flush);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (ev) {
      if (ev.data === "tend-send-queue") flush();
    });
  }
  if (owner) flush();
})();
