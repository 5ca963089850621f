// Live parts of a page: an element with data-live="<url>" listens to the console's relay of the
// gateway's event stream and, on each update, asks htmx to re-read its content from the server.
// Without JavaScript the page is complete; it just does not refresh by itself.
(function () {
  "use strict";

  // Someone is working in the live part (focus on one of its fields, buttons or links, or a
  // field changed): swapping it now would clear what they typed, or take away the button a
  // keyboard user is on (focus would fall back to the top of the page). The refresh waits for
  // focus to leave the part.
  function busy(el) {
    var active = document.activeElement;
    var working = "input, textarea, select, button, a[href], summary";
    if (active && el.contains(active) && active.matches(working)) return true;
    return Array.prototype.some.call(el.querySelectorAll("input, textarea, select"), function (f) {
      if (f.type === "hidden") return false;
      if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
      if (f.tagName === "SELECT") {
        return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return f.value !== f.defaultValue;
    });
  }

  function connect(el) {
    if (!window.EventSource || el.dataset.liveConnected) return;
    el.dataset.liveConnected = "1";
    var source = new EventSource(el.dataset.live);
    function refresh() {
      if (busy(el)) { el.dataset.livePending = "1"; return; }
      if (window.htmx) window.htmx.trigger(el, "live-update");
    }
    source.addEventListener("update", refresh);
    source.addEventListener("problem", function () { source.close(); });
    // The answer may come back after they started typing: keep their work, refresh later.
    el.addEventListener("htmx:beforeSwap", function (event) {
      if (busy(el)) { event.detail.shouldSwap = false; el.dataset.livePending = "1"; }
    });
    el.addEventListener("focusout", function (event) {
      if (el.dataset.livePending && !el.contains(event.relatedTarget)) {
        delete el.dataset.livePending;
        refresh();
      }
    });
  }

  // The outcome of what someone just did (a message after a form, a refusal beside it) takes
  // the focus, so a keyboard or screen-reader user lands on it instead of the top of the page.
  function focusOutcome() {
    var outcome = document.querySelector("main .flash");
    if (!outcome) return;
    outcome.setAttribute("tabindex", "-1");
    outcome.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(connect);
    focusOutcome();
  });
})();
