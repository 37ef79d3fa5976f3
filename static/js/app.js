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
    if (button) {
      event.preventDefault();  // a link to the print view: with this script, print in place
      window.print();
    }
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

// Read aloud on the questionnaire (issue 18): the browser's own speech synthesis, in the page's
// language, only when it has a voice for it. It reads the texts marked data-read (the statements
// in the respondent's own wording), never form values. Without a voice the buttons stay hidden
// and a sentence says why; without JavaScript nothing of this shows.
(function () {
  "use strict";
  var bar = document.querySelector("[data-read-aloud-bar]");
  if (!bar) return;
  var none = document.querySelector("[data-read-aloud-none]");
  var synth = window.speechSynthesis;
  var lang = (document.documentElement.lang || "nl").toLowerCase();
  var pause = bar.querySelector("[data-read-pause]");
  var stop = bar.querySelector("[data-read-stop]");
  var voice = null;

  function pickVoice() {
    var voices = synth.getVoices();
    return voices.filter(function (v) { return v.lang.toLowerCase().indexOf(lang) === 0; })[0] || null;
  }
  function setSpeaking(on) {
    pause.disabled = !on;
    stop.disabled = !on;
    if (!on) pause.setAttribute("aria-pressed", "false");
  }
  function speak(texts) {
    synth.cancel();
    texts = texts.filter(function (t) { return t; });
    texts.forEach(function (text, i) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      if (i === texts.length - 1) utterance.onend = function () { setSpeaking(false); };
      synth.speak(utterance);
    });
    setSpeaking(texts.length > 0);
  }
  function textOf(el) { return (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim(); }
  function pageTexts() {
    var nodes = document.querySelectorAll("main [data-read], main form[data-read-labels] label");
    return Array.prototype.map.call(nodes, textOf);
  }
  function ready() {
    voice = pickVoice();
    if (!voice) { if (none) none.hidden = false; return; }
    if (none) none.hidden = true;
    bar.hidden = false;
    document.querySelectorAll("[data-read-one]").forEach(function (b) { b.hidden = false; });
  }

  if (!synth || typeof SpeechSynthesisUtterance === "undefined") {
    if (none) none.hidden = false;
    return;
  }
  document.addEventListener("click", function (event) {
    var one = event.target.closest && event.target.closest("[data-read-one]");
    if (one) speak([textOf(document.getElementById(one.dataset.readOne))]);
    if (event.target.closest && event.target.closest("[data-read-page]")) speak(pageTexts());
  });
  pause.addEventListener("click", function () {
    var paused = pause.getAttribute("aria-pressed") === "true";
    if (paused) synth.resume(); else synth.pause();
    pause.setAttribute("aria-pressed", paused ? "false" : "true");
  });
  stop.addEventListener("click", function () { synth.cancel(); setSpeaking(false); });
  window.addEventListener("pagehide", function () { synth.cancel(); });
  ready();
  if (!voice && "onvoiceschanged" in synth) synth.addEventListener("voiceschanged", ready);
})();
