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
})();
