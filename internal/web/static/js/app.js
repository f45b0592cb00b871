// Tend: progressive enhancement only. Every page works without this file.
// Registers the service worker that keeps the help page available offline.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
}
