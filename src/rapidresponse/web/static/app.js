// Small niceties only: every page works without this script.
(function () {
  "use strict";
  // Declare form: tick "restricted" for the types restricted by default, until the user decides.
  var type = document.getElementById("incident-type");
  var box = document.getElementById("restricted");
  var explicit = document.getElementById("restricted-explicit");
  if (type && box && explicit) {
    var restrictedTypes = (type.getAttribute("data-restricted-types") || "").split(" ");
    type.addEventListener("change", function () {
      if (explicit.value !== "1") {
        box.checked = restrictedTypes.indexOf(type.value) !== -1;
      }
    });
    box.addEventListener("change", function () { explicit.value = "1"; });
  }
  // ...and "minors involved" for the types that imply minors (child safety), likewise.
  var minors = document.getElementById("vulnerable");
  var minorsExplicit = document.getElementById("vulnerable-explicit");
  if (type && minors && minorsExplicit) {
    var minorsTypes = (type.getAttribute("data-minors-types") || "").split(" ");
    type.addEventListener("change", function () {
      if (minorsExplicit.value !== "1") {
        minors.checked = minorsTypes.indexOf(type.value) !== -1;
      }
    });
    minors.addEventListener("change", function () { minorsExplicit.value = "1"; });
  }
  // Ctrl/Cmd+Enter submits the note form.
  var note = document.getElementById("note-body");
  if (note && note.form) {
    note.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { note.form.requestSubmit(); }
    });
  }

  // "/" opens the search from any page (unless the user is typing).
  document.addEventListener("keydown", function (ev) {
    var t = ev.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (ev.key !== "/" || typing || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var box = document.getElementById("search-q");
    ev.preventDefault();
    if (box) { box.focus(); box.select(); } else { window.location.href = "/search"; }
  });
  // Live pages: an element with data-live="<stream>" follows that server-sent event stream, and when
  // something changes it fetches the page again and swaps the regions named in data-live-regions
  // (ids), leaving alone a region the user is typing in. Without script, the page is as fresh as its
  // last load (and its Refresh link).
  var live = document.querySelector("[data-live]");
  if (live && window.EventSource && window.DOMParser && window.fetch) {
    var regions = (live.getAttribute("data-live-regions") || "").split(" ").filter(Boolean);
    var pending = null;
    var busy = function (el) {
      if (el.contains(document.activeElement) && document.activeElement !== document.body) { return true; }
      var fields = el.querySelectorAll("input, textarea, select");
      for (var i = 0; i < fields.length; i++) {
        var f = fields[i];
        if ((f.type === "checkbox" || f.type === "radio") ? f.checked !== f.defaultChecked
            : (f.tagName === "SELECT" ? false : f.value !== f.defaultValue)) { return true; }
      }
      return false;
    };
    var refresh = function () {
      pending = null;
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          regions.forEach(function (id) {
            var old = document.getElementById(id), fresh = doc.getElementById(id);
            if (old && fresh && !busy(old)) { old.replaceWith(document.importNode(fresh, true)); }
          });
          document.body.setAttribute("data-live-updated", String(Date.now()));
        });
    };
    var source = new EventSource(live.getAttribute("data-live"));
    var schedule = function () { if (!pending) { pending = window.setTimeout(refresh, 150); } };
    source.addEventListener("change", schedule);
    source.addEventListener("reload", schedule);
    source.addEventListener("ready", function () { document.body.setAttribute("data-live-ready", "1"); });
  }
})();
