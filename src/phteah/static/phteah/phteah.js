// Phteah's own small script. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // Close the menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // Buttons that ask before acting: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // A form that is sent shows it is working and is not sent twice: its submit buttons are
  // disabled and the one pressed says "Saving…" until the next page comes. The server
  // refuses a second submission anyway (one-time form tokens); this only spares the wait.
  var savingMeta = document.querySelector('meta[name="phteah-saving"]');
  var savingLabel = savingMeta ? savingMeta.content : "";
  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return (element.tagName === "BUTTON" || element.tagName === "INPUT") &&
        element.type === "submit";
    });
  }
  function label(button, text) {
    if (button.tagName === "INPUT") button.value = text;
    else button.textContent = text;
  }
  // The one-time token a form was sent with, by the address it was sent to, for this tab:
  // Back to a form page that the browser fetches again (pages are not cached) gives a fresh
  // token, and the fields as they were typed; the token sent is put back, so that saving
  // again is recognised as the same submission.
  var SENT = "phteah:sent:";
  function tokenInput(form) {
    return form.querySelector('input[type="hidden"][name="submission"]');
  }
  function remember(form) {
    var input = tokenInput(form);
    try {
      if (input && input.value) window.sessionStorage.setItem(SENT + form.action, input.value);
    } catch (error) { /* storage may be off: the server still refuses a second submission */ }
  }
  var navigation = window.performance && window.performance.getEntriesByType ?
    window.performance.getEntriesByType("navigation")[0] : null;
  if (navigation && navigation.type === "back_forward") {
    Array.prototype.forEach.call(document.forms, function (form) {
      var input = tokenInput(form);
      var sent = null;
      try { sent = window.sessionStorage.getItem(SENT + form.action); } catch (error) { return; }
      if (input && sent) input.value = sent;
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post" || form.target) {
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    form.setAttribute("aria-busy", "true");
    remember(form);
    var pressed = event.submitter || submitButtons(form)[0];
    // Disabled after the form data is taken, so the pressed button's value is still sent.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) {
        button.disabled = true;
      });
      if (pressed && savingLabel) {
        pressed.dataset.label = pressed.tagName === "INPUT" ? pressed.value : pressed.textContent;
        label(pressed, savingLabel);
      }
    }, 0);
  });
  // Back to a page kept by the browser (bfcache): its forms may be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.removeAttribute("aria-busy");
      submitButtons(form).forEach(function (button) {
        button.disabled = false;
        if (button.dataset.label !== undefined) {
          label(button, button.dataset.label);
          delete button.dataset.label;
        }
      });
    });
  });
  // Folds (<details data-open-wide>) are closed when a page opens, so that a phone sees the
  // summary first; a wide screen has room for them open. A link to something inside a fold
  // opens it.
  if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (fold) {
      fold.open = true;
    });
  }
  function openTarget() {
    var id = window.location.hash.slice(1);
    var target = id ? document.getElementById(decodeURIComponent(id)) : null;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
})();
