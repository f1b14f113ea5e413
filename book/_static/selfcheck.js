/* Self-checks (book/_ext/dlnotes_selfcheck.py): no framework, nothing from another host.
 * Each <fieldset class="selfcheck"> carries its answer and its localised messages in data
 * attributes; the folded <details> holds the feedback. With this script the Check button shows,
 * the details fold away, and the live region says whether the answer is right, with the chosen
 * option's feedback (and the right answer after a wrong one). Progress on a page is kept in
 * localStorage when it is available. */
(function () {
  "use strict";
  var storeKey = "dlnotes-selfcheck:" + location.pathname;

  function loadDone() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function saveDone(done) {
    try { localStorage.setItem(storeKey, JSON.stringify(done)); } catch (e) { /* private mode */ }
  }

  function para(text, cls) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    return p;
  }

  function feedbackFor(box, letter) {
    var found = null;
    box.querySelectorAll(".selfcheck-feedback").forEach(function (el) {
      if (el.getAttribute("data-letter") === letter) { found = el; }
    });
    if (!found) { return null; }
    var copy = document.createElement("div");
    copy.className = "selfcheck-explain";
    copy.innerHTML = found.innerHTML;
    return copy;
  }

  function check(box, result, done) {
    var d = box.dataset;
    var right = false;
    var chosen = "";
    result.textContent = "";
    if (d.kind === "choice") {
      var picked = box.querySelector("input[type=radio]:checked");
      if (!picked) { result.appendChild(para(d.msgEmpty, "selfcheck-verdict")); return; }
      chosen = picked.value;
      right = chosen === d.answer;
    } else {
      var field = box.querySelector("input[type=number]");
      var raw = field.value.trim().replace(",", ".");
      var value = raw === "" ? NaN : Number(raw);
      if (isNaN(value)) { result.appendChild(para(d.msgEmpty, "selfcheck-verdict")); return; }
      var answer = Number(d.answer);
      var tol = Number(d.tolerance || "0");
      right = Math.abs(value - answer) <= tol + 1e-9 * Math.max(1, Math.abs(answer));
    }
    box.classList.toggle("selfcheck-right", right);
    box.classList.toggle("selfcheck-wrong", !right);
    result.appendChild(para(right ? d.msgRight : d.msgWrong, "selfcheck-verdict"));
    if (!right) {
      var shown = d.kind === "choice" ? "(" + d.answer + ")" : d.answerText;
      result.appendChild(para(d.msgRightAnswer + " " + shown, "selfcheck-solution"));
    }
    var explain = feedbackFor(box, chosen);
    if (explain) { result.appendChild(explain); }
    if (right) {
      done[box.id] = true;
      saveDone(done);
      box.classList.add("selfcheck-done");
    }
  }

  function init() {
    var done = loadDone();
    document.querySelectorAll("fieldset.selfcheck").forEach(function (box) {
      var button = box.querySelector(".selfcheck-button");
      var result = box.querySelector(".selfcheck-result");
      var details = box.querySelector("details.selfcheck-answer");
      if (!button || !result) { return; }
      button.hidden = false;
      if (details) { details.hidden = true; }
      if (done[box.id]) { box.classList.add("selfcheck-done"); }
      button.addEventListener("click", function () { check(box, result, done); });
      var field = box.querySelector("input[type=number]");
      if (field) {
        field.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { event.preventDefault(); check(box, result, done); }
        });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
