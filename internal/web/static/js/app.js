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
