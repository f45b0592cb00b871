// Tend: turning on Web Push notifications, an enhancement only. Without
// JavaScript (or without push in this browser) the page offers e-mail
// instead. A page that offers push has buttons
// <button type="button" data-push-enable> (and, optionally,
// data-push-disable) and loads this script; a status element
// [data-push-status] (a live region) says what happened.
//
// On a click: register the service worker (/sw.js), ask the browser for a
// subscription with the service's VAPID key (GET /push/key), and POST the
// browser's PushSubscription JSON to /push (or /push/remove to stop). The
// server accepts only the push services the service allows.
"use strict";
(function () {
  var enable = document.querySelectorAll("[data-push-enable]");
  var disable = document.querySelectorAll("[data-push-disable]");
  if (!enable.length && !disable.length) return;
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window && window.fetch;
  var status = document.querySelector("[data-push-status]");

  function say(text) {
    if (status) status.textContent = text;
  }
  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }
  if (!supported) {
    each(enable, function (b) { b.hidden = true; });
    each(disable, function (b) { b.hidden = true; });
    return;
  }
  // The key comes as base64url; the browser wants its bytes.
  function keyBytes(b64) {
    var s = b64.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var raw = atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function send(path, sub) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(sub)
    }).then(function (res) {
      if (res.ok) return;
      return res.json().then(function (body) {
        throw new Error(body && body.error ? body.error : "");
      }, function () { throw new Error(""); });
    });
  }
  function registration() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }
  function turnOn(button) {
    var done = button.getAttribute("data-push-done") || "Notifications are on for this device.";
    var refused = button.getAttribute("data-push-refused") || "Notifications could not be turned on. You can use e-mail instead.";
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(button.getAttribute("data-push-denied") || "");
      return Promise.all([registration(), fetch("/push/key", { credentials: "same-origin" }).then(function (r) { return r.json(); })]);
    }).then(function (both) {
      var reg = both[0], key = both[1].key;
      return reg.pushManager.getSubscription().then(function (old) {
        return old || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      });
    }).then(function (sub) {
      return send("/push", sub.toJSON());
    }).then(function () {
      say(done);
    }).catch(function (err) {
      say(err && err.message ? err.message : refused);
    }).then(function () {
      button.disabled = false;
    });
  }
  function turnOff(button) {
    var done = button.getAttribute("data-push-done") || "Notifications are off for this device.";
    button.disabled = true;
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (sub) {
      if (!sub) return;
      var json = sub.toJSON();
      return send("/push/remove", json).then(function () { return sub.unsubscribe(); });
    }).then(function () {
      say(done);
    }).catch(function (err) {
      say(err && err.message ? err.message : "");
    }).then(function () {
      button.disabled = false;
    });
  }
  each(enable, function (b) { b.addEventListener("click", function () { turnOn(b); }); });
  each(disable, function (b) { b.addEventListener("click", function () { turnOff(b); }); });
})();
