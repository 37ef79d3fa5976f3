// Werkplaats: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // A search box above long checkbox lists (participants): typing hides non-matching names.
  function enhanceFilters(root) {
    root.querySelectorAll("[data-filter-list]").forEach(function (input) {
      if (input.dataset.ready) return;
      input.dataset.ready = "1";
      input.hidden = false;
      var list = document.getElementById(input.dataset.filterList);
      if (!list) return;
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        list.querySelectorAll("label").forEach(function (label) {
          var row = label.parentElement;
          var match = label.textContent.toLowerCase().indexOf(needle) !== -1;
          row.hidden = needle !== "" && !match && !label.querySelector("input:checked");
        });
      });
      // Enter in the search box must not submit the form.
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  }

  // A select marked data-autosubmit submits its form on change (the form has its own button).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
  // Buttons marked data-print open the browser's print dialog (print or save as PDF).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  // Folded sections (the dashboard's elements) open for printing, and when a link points at
  // one ("To discuss first"); printing restores them afterwards.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
  }
  window.addEventListener("hashchange", openTarget);

  // Print buttons need this script: they are hidden in the HTML and shown here.
  function showPrintButtons() {
    document.querySelectorAll("[data-print][hidden]").forEach(function (b) { b.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceFilters(document);
    openTarget();
    showPrintButtons();
  });
  document.addEventListener("htmx:afterSettle", function (event) { enhanceFilters(event.target); });
})();
