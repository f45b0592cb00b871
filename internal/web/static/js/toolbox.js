// Tend: the coping toolbox on the device. The page carries every screen and
// every activity, so once kept offline the whole flow runs here with no
// server. Each screen is also a plain form that works without this file;
// here the forms move between screens in place, and only the last one (the
// finished use, marked data-offline-queue) is sent, as a normal form POST
// with its idempotency key, so a use sent twice is stored once.
(function () {
  "use strict";
  var root = document.querySelector("[data-toolbox]");
  if (!root) return;
  var state = {};
  var timer = null;

  function screen(name) { return root.querySelector('[data-screen="' + name + '"]'); }
  function field(form, name) {
    var el = form.querySelector('[name="' + name + '"]:checked');
    return el ? el.value : "";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  function show(name, push) {
    var shown = null;
    root.querySelectorAll("[data-screen]").forEach(function (s) {
      var on = s.getAttribute("data-screen") === name;
      s.hidden = !on;
      if (on) shown = s;
    });
    var problem = root.querySelector(".error-summary");
    if (problem) problem.remove();
    if (!shown) return;
    var h = shown.querySelector("h2");
    // Each screen starts at the top, its heading focused for screen readers.
    window.scrollTo({ top: 0, behavior: "instant" });
    if (h) {
      h.setAttribute("tabindex", "-1");
      h.focus({ preventScroll: true });
    }
    if (push !== false && window.history && history.pushState) {
      history.pushState({ toolbox: name, state: state }, "");
    }
  }

  window.addEventListener("popstate", function (e) {
    if (!e.state || !e.state.toolbox) {
      show("question", false);
      return;
    }
    stopTimer();
    state = e.state.state || {};
    show(e.state.toolbox === "timer" ? "activity" : e.state.toolbox, false);
  });

  function stopTimer() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function chooseKind(kind) {
    var items = screen("activity").querySelectorAll("li[data-kind]");
    var pool = [];
    items.forEach(function (li) {
      var input = li.querySelector("input");
      input.checked = false;
      li.hidden = true;
      if (kind === "pick" ? li.hasAttribute("data-pickable") : li.getAttribute("data-kind") === kind) pool.push(li);
    });
    if (kind === "pick") {
      // Never a hidden activity (not on this page) nor one whose caution
      // the person has not accepted (not data-pickable).
      var others = pool.filter(function (li) { return li.querySelector("input").value !== state.not; });
      if (others.length) pool = others;
      pool = pool.length ? [pool[Math.floor(Math.random() * pool.length)]] : [];
    }
    pool.forEach(function (li) { li.hidden = false; });
    if (kind === "pick" && pool.length) pool[0].querySelector("input").checked = true;
    var legend = screen("activity").querySelector("legend");
    if (!legend.hasAttribute("data-choose")) legend.setAttribute("data-choose", legend.textContent);
    var again = screen("activity").querySelector("[data-pick-again]");
    if (again) again.hidden = kind !== "pick";
    return pool.length > 0;
  }

  function startTimer(li, minutes) {
    var t = screen("timer");
    t.querySelector("[data-activity-text]").textContent = li.querySelector("label").firstChild.textContent.trim();
    var kind = li.getAttribute("data-kind");
    t.querySelectorAll("[data-guide-for]").forEach(function (p) { p.hidden = p.getAttribute("data-guide-for") !== kind; });
    t.querySelector("[data-caution-note]").hidden = !li.hasAttribute("data-caution");
    t.querySelector("[data-hope-box-link]").hidden = !li.hasAttribute("data-hope-box");
    t.querySelector("[data-breathe]").hidden = !li.hasAttribute("data-breathing");
    t.querySelector("[data-time-up]").hidden = true;
    var box = t.querySelector("[data-countdown]");
    var value = t.querySelector("[data-countdown-value]");
    box.hidden = false;
    var end = Date.now() + minutes * 60000;
    function tick() {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      value.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left === 0) {
        stopTimer();
        t.querySelector("[data-time-up]").hidden = false;
        after();
      }
    }
    stopTimer();
    tick();
    if (Date.now() < end) timer = setInterval(tick, 1000);
  }

  function after() {
    stopTimer();
    state.key = newKey();
    var f = screen("after").querySelector("form");
    f.reset();
    show("after");
  }

  root.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("data-offline-queue")) {
      // The finished use goes to the server as the form it is.
      var set = function (n, v) { form.querySelector('[name="' + n + '"]').value = v; };
      set("question", state.question);
      set("urge_before", state.urgeBefore);
      set("activity", state.activity);
      set("minutes", state.minutes);
      set("idempotency_key", state.key || newKey());
      set("recorded_at", new Date().toISOString());
      // What follows a use shows at once, even offline while the use waits
      // in the queue; online, the server's page replaces it.
      state.after = field(form, "urge_after");
      show(parseInt(state.after, 10) < parseInt(state.urgeBefore, 10) ? "lower" : "same");
      return;
    }
    e.preventDefault();
    var step = e.submitter ? e.submitter.value : "";
    switch (step) {
    case "question":
      state = { question: field(form, "question") };
      show(state.question === "thoughts" ? "thoughts" : "urge");
      break;
    case "thoughts":
      state = { question: "thoughts" };
      show("urge");
      break;
    case "urge":
      if (e.submitter && e.submitter.hasAttribute("data-again")) {
        // Another activity, starting from the urge as it is now.
        state = { question: state.question, urgeBefore: state.after };
      } else {
        state.urgeBefore = field(form, "urge_before");
      }
      show("kind");
      break;
    case "kind":
      if (form.closest('[data-screen="activity"]')) {
        state.not = field(form, "activity");
        chooseKind("pick");
        return;
      }
      state.kind = field(form, "kind");
      state.not = "";
      chooseKind(state.kind);
      show("activity");
      break;
    case "activity":
      var chosen = form.querySelector('input[name="activity"]:checked');
      if (!chosen) return;
      state.activity = chosen.value;
      state.minutes = field(form, "minutes") || "5";
      show("timer");
      startTimer(chosen.closest("li"), parseInt(state.minutes, 10));
      break;
    case "timer":
      after();
      break;
    }
  });
})();
