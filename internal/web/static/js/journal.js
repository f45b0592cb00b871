// Tend: the journal's autosave, an enhancement only. Without it the Save
// button works. While the person types, the entry is saved (a real save,
// kept if the browser closes) a moment after they pause; each save names
// the revision it started from, so a save that crosses another window's is
// merged on the server and no text is lost. The status is announced
// politely in the page's live region.
"use strict";
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var box = form.querySelector("textarea[name=text]");
  var revision = form.querySelector("input[name=revision]");
  var status = document.getElementById("save-status");
  if (!box || !revision || !status) return;
  var saved = box.value;
  var timer = null;
  var busy = false;
  var again = false;

  function later() {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  function save() {
    if (busy) { again = true; return; }
    var sent = box.value;
    if (sent === saved) return;
    if (revision.value === "0" && sent.trim() === "") return;
    busy = true;
    status.textContent = form.dataset.saving;
    var body = new URLSearchParams(new FormData(form));
    body.set("text", sent);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (res) {
      return res.json().then(function (d) { return { ok: res.ok, d: d }; });
    }).then(function (r) {
      if (!r.ok) {
        status.textContent = r.d.problem || form.dataset.offline;
        return;
      }
      revision.value = String(r.d.revision);
      if (r.d.merged) {
        // Keep what was typed since this save was sent, after the merged text.
        var now = box.value;
        box.value = r.d.text + (now.indexOf(sent) === 0 ? now.slice(sent.length) : "");
      }
      saved = r.d.text;
      status.textContent = r.d.status;
    }).catch(function () {
      status.textContent = form.dataset.offline;
    }).then(function () {
      busy = false;
      if (again || box.value !== saved) { again = false; later(); }
    });
  }

  box.addEventListener("input", later);
  form.addEventListener("submit", function () { clearTimeout(timer); });
})();
