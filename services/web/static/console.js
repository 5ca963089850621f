// Live parts of a page: an element with data-live="<url>" listens to the console's relay of the
// gateway's event stream and, on each update, asks htmx to re-read its content from the server.
// Without JavaScript the page is complete; it just does not refresh by itself.
(function () {
  "use strict";
  function connect(el) {
    if (!window.EventSource || el.dataset.liveConnected) return;
    el.dataset.liveConnected = "1";
    var source = new EventSource(el.dataset.live);
    source.addEventListener("update", function () {
      if (window.htmx) window.htmx.trigger(el, "live-update");
    });
    source.addEventListener("problem", function () { source.close(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(connect);
  });
})();
