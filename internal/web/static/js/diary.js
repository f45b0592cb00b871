// Tend: the diary card's enhancements. Without this file the card works:
// the form sends what changed, with its idempotency key. Here:
// - the device's time zone and the time of the last edit go with a save;
// - "how many times" and "medical care" show once an action is "yes";
// - the note is kept as a draft a moment after the person pauses;
// - the copy of the card kept on this device (the service worker keeps
//   /me/diary/blank) is filled in with the date of the address, so a card
//   for any day opens offline;
// - a card queued offline (app.js) that holds an act, or an urge to end
//   one's life at or above the service's level, shows the safety screen at
//   once on the device: physical safety first for an act today or
//   yesterday, then the safety plan and help (safety-rules.md section 4).
"use strict";
(function () {
  var form = document.getElementById("diary-card");
  if (!form) return;
  var DAY = /^\d{4}-\d{2}-\d{2}$/;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function civil(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function parse(s) { var p = s.split("-"); return new Date(+p[0], +p[1] - 1, +p[2]); }
  function shift(s, n) { var d = parse(s); d.setDate(d.getDate() + n); return civil(d); }
  function key() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
  }

  // The kept copy: the date from the address (today's on /me/diary).
  if (form.hasAttribute("data-blank")) {
    var m = location.pathname.match(/^\/me\/diary\/(\d{4}-\d{2}-\d{2})$/);
    var today = civil(new Date());
    var day = m ? m[1] : today;
    form.setAttribute("data-day", day);
    form.action = "/me/diary/" + day;
    form.elements.idempotency_key.value = key();
    var h1 = document.getElementById("diary-title");
    var label = parse(day).toLocaleDateString(document.documentElement.lang || undefined,
      { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    h1.textContent = h1.getAttribute("data-title").replace("{day}", label);
    document.title = h1.textContent;
    Array.prototype.forEach.call(document.querySelectorAll("[data-nav]"), function (a) {
      var to = shift(day, +a.getAttribute("data-nav"));
      a.href = "/me/diary/" + to;
      a.hidden = to > today;
    });
    var hist = document.querySelector("[data-history]");
    if (hist) hist.href = "/me/diary/" + day + "/history";
  } else if (navigator.serviceWorker && navigator.serviceWorker.controller && window.fetch) {
    // Keep the blank card on this device for next time offline.
    fetch("/me/diary/blank", { credentials: "same-origin" }).catch(function () {});
  }

  var tz = "";
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
  form.elements.tz.value = tz;
  function edited() { form.elements.edited_at.value = new Date().toISOString(); }

  // Follow-up questions of an action show when it is "yes".
  function follow(row) {
    var box = row.querySelector("[data-follow]");
    if (!box) return;
    var yes = row.querySelector("input[type=radio][value='1']:checked");
    var count = box.querySelector("input[type=number]");
    box.hidden = !(yes && yes.name.indexOf("act:") === 0) && !(count && +count.value > 0);
  }
  var actions = document.querySelectorAll("fieldset.action");
  Array.prototype.forEach.call(actions, follow);
  form.addEventListener("change", function (ev) {
    edited();
    var row = ev.target.closest && ev.target.closest("fieldset.action");
    if (row) follow(row);
    var ticked = document.querySelector("[data-ticked]");
    if (ticked && ev.target.type === "checkbox") ticked.textContent = "(" + form.querySelectorAll("input[type=checkbox]:checked").length + ")";
  });
  form.addEventListener("input", edited);

  // The note's draft, kept a moment after the person pauses.
  var note = form.elements.note, status = document.getElementById("draft-status");
  var timer = null, kept = note ? note.value : "";
  function keepDraft() {
    var text = note.value, day = form.getAttribute("data-day");
    if (text === kept || !DAY.test(day)) return;
    status.textContent = form.getAttribute("data-draft-saving");
    fetch("/me/diary/" + day + "/draft", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
      body: new URLSearchParams({ note: text }).toString(),
    }).then(function (res) {
      return res.json().then(function (d) {
        if (!res.ok) throw new Error(d.problem || "");
        kept = text;
        status.textContent = d.status;
      });
    }).catch(function () { status.textContent = form.getAttribute("data-draft-offline"); });
  }
  if (note && status) {
    note.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(keepDraft, 1500); });
    form.addEventListener("submit", function () { clearTimeout(timer); });
  }

  // A card kept in the offline queue: the safety screen at once when it
  // holds what would raise a safety prompt.
  form.addEventListener("tend-queued", function () {
    var level = +form.getAttribute("data-level") || 4;
    var act = false, die = false;
    // Only what this save changes raises a prompt, as on the server.
    function changed(input) {
      var was = form.querySelector('input[type=hidden][name="was:' + input.name + '"]');
      return !was || was.value !== input.value;
    }
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-act]"), function (row) {
      var yes = row.querySelector("input[type=radio][value='1']:checked");
      if (yes && changed(yes)) act = true;
      var n = row.querySelector("input[type=number]");
      if (n && +n.value > 0 && changed(n)) act = true;
    });
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-die] input:checked"), function (i) {
      if (+i.value >= level && changed(i)) die = true;
    });
    if (!act && !die) return;
    var screen = document.getElementById("offline-safety");
    var day = form.getAttribute("data-day"), today = civil(new Date());
    var recent = day === today || day === shift(today, -1);
    screen.querySelector("[data-physical]").hidden = !(act && recent);
    screen.querySelector("[data-earlier]").hidden = !(act && !recent);
    screen.querySelector("[data-plan]").hidden = false;
    screen.hidden = false;
    // Bring the screen into view explicitly: the card is long, and focus
    // alone may leave the person at its end, below the screen.
    screen.focus({ preventScroll: true });
    screen.scrollIntoView({ block: "start" });
  });
})();
