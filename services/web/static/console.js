// Live parts of a page: an element with data-live="<url>" listens to the console's relay of the
// gateway's event stream and, on each update, asks htmx to re-read its content from the server.
// Without JavaScript the page is complete; it just does not refresh by itself.
(function () {
  "use strict";

  // Someone is working in the live part (pressing one of its buttons, typing in one of its
  // fields, or a field changed): swapping it now would lose the click or clear what they typed.
  // The refresh waits until they let go of the button, or leave the part.
  function busy(el) {
    if (pressedOrSent(el)) return true;
    var active = document.activeElement;
    if (active && el.contains(active) && active.matches("input, textarea, select")) return true;
    return Array.prototype.some.call(el.querySelectorAll("input, textarea, select"), function (f) {
      if (f.type === "hidden") return false;
      if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
      if (f.tagName === "SELECT") {
        return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return f.value !== f.defaultValue;
    });
  }

  // A press on a control of the part (the pointer down, not yet up), or a form of it just
  // sent: a swap now would take the button from under the pointer (down on one button, up on
  // its copy: the click is lost) or race the page's own navigation to the step's outcome.
  var SENT_FOR_MS = 10000;

  function pressedOrSent(el) {
    if (el.dataset.livePressed) return true;
    var sent = Number(el.dataset.liveSent || 0);
    return sent > 0 && Date.now() - sent < SENT_FOR_MS;
  }

  // A keyboard user on a button or link of the live part keeps their place through a refresh:
  // the same control (same kind, same words, same position among those) takes the focus back,
  // instead of focus falling to the top of the page. Not a wait, as for fields: the page keeps
  // following (a link just used to download the RMA form keeps the focus, and the status moves
  // on). A control the new state no longer offers leaves the focus where the browser puts it.
  var CONTROLS = "button, a[href], summary";

  function alike(el, tag, text) {
    return Array.prototype.filter.call(el.querySelectorAll(CONTROLS), function (c) {
      return c.tagName === tag && c.textContent === text;
    });
  }

  function focusedControl(el) {
    var active = document.activeElement;
    if (!active || !el.contains(active) || !active.matches(CONTROLS)) return null;
    var nth = alike(el, active.tagName, active.textContent).indexOf(active);
    return { tag: active.tagName, text: active.textContent, nth: nth };
  }

  function refocus(el, was) {
    var same = alike(el, was.tag, was.text);
    var control = same[was.nth] || same[0];
    if (control) control.focus({ preventScroll: true });
  }

  function stopped(el, code) {
    if (el.previousElementSibling && el.previousElementSibling.classList.contains("live-stopped")) return;
    var note = document.createElement("p");
    note.className = "notice live-stopped";
    note.setAttribute("role", "status");
    note.textContent = "This part no longer updates by itself (" + code + "). Reload the page, " +
      "or sign in again, to see the latest.";
    el.parentNode.insertBefore(note, el);
  }

  // A refused form comes back filled in, its fields marked data-kept. A refresh re-reads the
  // part as the server has it (the form empty), so the kept values are carried into the new
  // part, as its defaults: the page keeps following, and nothing typed is lost.
  function keptValues(el) {
    return Array.prototype.map.call(el.querySelectorAll("[data-kept]"), function (f) {
      return { action: f.form ? f.form.getAttribute("action") : "", name: f.name, value: f.value };
    });
  }

  function restoreKept(el, kept) {
    kept.forEach(function (k) {
      var scope = k.action ? 'form[action="' + CSS.escape(k.action) + '"] ' : "";
      var f = el.querySelector(scope + '[name="' + CSS.escape(k.name) + '"]');
      if (!f) return;  // the new state no longer offers that form
      if (f.tagName === "SELECT") {
        Array.prototype.forEach.call(f.options, function (o) {
          o.selected = o.defaultSelected = o.value === k.value;
        });
      } else {
        f.value = f.defaultValue = k.value;
      }
      f.dataset.kept = "";
    });
  }

  // Screen readers hear a short summary (data-live-summary names it, outside the part) when a
  // refresh changes it, not the whole part, nor an alert swapped in again on every refresh.
  function announce(el) {
    var out = el.dataset.liveSummary && document.getElementById(el.dataset.liveSummary);
    var now = el.querySelector("[data-summary]");
    if (out && now && out.textContent !== now.textContent) out.textContent = now.textContent;
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
    // A final refusal (signed out, not allowed, gone): stop, and say so where the live part
    // is, instead of a page that silently stops following. Other failures reconnect.
    source.addEventListener("problem", function (event) {
      source.close();
      // Signed out of the console: the part's next refresh sends the page to sign in (and back
      // here after), unless they are typing, when it waits for them as every refresh does.
      if (event.data === "signed_out" && window.htmx) { refresh(); return; }
      stopped(el, event.data);
    });
    // The answer may come back after they started typing: keep their work, refresh later.
    var focused = null, kept = [];
    el.addEventListener("htmx:beforeSwap", function (event) {
      if (busy(el)) { event.detail.shouldSwap = false; el.dataset.livePending = "1"; return; }
      focused = focusedControl(el);
      kept = keptValues(el);
    });
    el.addEventListener("htmx:afterSwap", function () {
      announce(el);
      restoreKept(el, kept);
      kept = [];
      if (focused) refocus(el, focused);
      focused = null;
    });
    el.addEventListener("pointerdown", function () { el.dataset.livePressed = "1"; });
    el.addEventListener("submit", function () { el.dataset.liveSent = String(Date.now()); });
    // A refresh that waited runs now (or waits again, as refresh() decides).
    function catchUp() {
      if (!el.dataset.livePending) return;
      delete el.dataset.livePending;
      refresh();
    }
    function released() {
      if (!el.dataset.livePressed) return;
      delete el.dataset.livePressed;
      setTimeout(catchUp, 0);  // after the click (and the submit it may cause) has run
    }
    document.addEventListener("pointerup", released);
    document.addEventListener("pointercancel", released);
    el.addEventListener("focusout", function (event) {
      if (!el.contains(event.relatedTarget)) catchUp();
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

  // A refused form's page, or a search's results, is served at the form's POST address; the
  // address bar shows the page's own (data-page), so a reload or a later return asks for the
  // page, not a post (and what was searched for is in no address).
  function showPageAddress() {
    var page = document.body.dataset.page;
    if (page && page.charAt(0) === "/" && page !== location.pathname + location.search) {
      history.replaceState(null, "", page);
    }
  }

  // On a phone the menu is one line that scrolls sideways under the turnaround alarm pinned to
  // its end (console.css). The browser scrolls a link the keyboard reaches only when it is
  // wholly out of sight: one half under the alarm or off the edge is scrolled clear here
  // (the menu's scroll-padding keeps the alarm's room free).
  function menuLinkInSight(event) {
    var link = event.target;
    if (link.matches && link.matches(".top nav a") && !link.closest("#nav-alarm")) {
      link.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  document.addEventListener("focusin", menuLinkInSight);
  document.addEventListener("DOMContentLoaded", function () {
    showPageAddress();
    document.querySelectorAll("[data-live]").forEach(connect);
    focusOutcome();
  });
})();
