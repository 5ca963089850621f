// Live parts of a page: an element with data-live="<url>" listens to the console's relay of the
// gateway's event stream and, on each update, asks htmx to re-read its content from the server.
// Without JavaScript the page is complete; it just does not refresh by itself.
(function () {
  "use strict";
  function connect(el) {
    if (!window.EventSource || el.dataset.liveConnected) return;
    el.dataset.liveConnected = "1";
    var source = new EventSource(el.dataset.live);
    function refresh() { if (window.htmx) window.htmx.trigger(el, "live-update"); }
    function typing() {
      var active = document.activeElement;
      return el.contains(active) && active.matches("input, textarea, select");
    }
    // Never swap a form away under someone typing in it: refresh once they leave it.
    source.addEventListener("update", function () {
      if (typing()) { el.dataset.livePending = "1"; } else { refresh(); }
    });
    el.addEventListener("focusout", function (event) {
      if (el.dataset.livePending && !el.contains(event.relatedTarget)) {
        delete el.dataset.livePending;
        refresh();
      }
    });
    source.addEventListener("problem", function () { source.close(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(connect);
  });
})();
