// A calendar beside every date field (phteah.core.khmer.DateInput). The field is a text
// input that takes day/month/year in Khmer or Latin digits and works without this script;
// the script only adds a button that opens a month grid: month names and digits as the
// page's (data-months, data-digits), arrows move by day and week, Page Up/Down by month,
// Home/End to the start/end of the week, Enter or Space picks the day, Escape closes.
(function () {
  "use strict";
  if (window.phteahDatePicker) return; // the widget's script tag comes once per date field
  window.phteahDatePicker = true;

  var KHMER = "០១២៣៤៥៦៧៨៩";

  function toLatin(text) {
    return text.replace(/[០-៩]/g, function (digit) { return String(KHMER.indexOf(digit)); });
  }
  function inDigits(text, digits) {
    text = String(text);
    return digits === "khmer" ? text.replace(/[0-9]/g, function (d) { return KHMER[d]; }) : text;
  }
  function pad(number) { return number < 10 ? "0" + number : String(number); }

  // The date typed in the field, or null: d/m/yyyy (with / . or -) or yyyy-mm-dd.
  function parse(text) {
    var value = toLatin(text || "").replace(/\s+/g, "");
    var match = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/.exec(value);
    var day, month, year;
    if (match) {
      day = +match[1]; month = +match[2]; year = +match[3];
    } else {
      match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
      if (!match) return null;
      year = +match[1]; month = +match[2]; day = +match[3];
    }
    var date = new Date(year, month - 1, day);
    return date.getMonth() === month - 1 && date.getDate() === day ? date : null;
  }
  function sameDay(a, b) {
    return a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() &&
      a.getDate() === b.getDate();
  }
  function addDays(date, days) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
  }
  function addMonths(date, months) {
    var target = new Date(date.getFullYear(), date.getMonth() + months, 1);
    var last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
    target.setDate(Math.min(date.getDate(), last));
    return target;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setUp(wrapper) {
    var input = wrapper.querySelector("input");
    if (!input || wrapper.dataset.ready) return;
    wrapper.dataset.ready = "1";
    var data = wrapper.dataset;
    var digits = data.digits || "latin";
    var months = (data.months || "").split(",");
    var weekdays = (data.weekdays || "").split(",");
    var firstDay = parseInt(data.firstDay || "1", 10) || 0;
    var popupId = (input.id || input.name) + "_calendar";

    var open = element("button", {
      type: "button", "class": "date-open", "aria-haspopup": "dialog",
      "aria-expanded": "false", "aria-controls": popupId,
    });
    open.appendChild(element("span", { "aria-hidden": "true", "class": "date-icon" }));
    open.appendChild(element("span", { "class": "visually-hidden" }, data.labelOpen));
    open.title = data.labelOpen;
    input.insertAdjacentElement("afterend", open);

    var popup = element("div", {
      id: popupId, "class": "date-calendar", role: "dialog", "aria-modal": "false",
      "aria-label": data.labelOpen, hidden: "",
    });
    var head = element("div", { "class": "date-head" });
    var previous = element("button", { type: "button", "class": "date-step", "aria-label": data.labelPrevious }, "‹");
    var title = element("span", { "class": "date-title", "aria-live": "polite" });
    var next = element("button", { type: "button", "class": "date-step", "aria-label": data.labelNext }, "›");
    head.appendChild(previous); head.appendChild(title); head.appendChild(next);
    var grid = element("table", { role: "grid", "class": "date-grid" });
    var close = element("button", { type: "button", "class": "date-close" }, data.labelClose);
    popup.appendChild(head); popup.appendChild(grid); popup.appendChild(close);
    wrapper.appendChild(popup);

    var focused = null; // the day that has the keyboard focus in the grid

    function label(date) {
      return inDigits(date.getDate() + " " + months[date.getMonth()] + " " + date.getFullYear(), digits);
    }
    function render() {
      var chosen = parse(input.value);
      var today = new Date();
      title.textContent = months[focused.getMonth()] + " " + inDigits(focused.getFullYear(), digits);
      grid.textContent = "";
      var header = element("tr");
      for (var i = 0; i < 7; i++) {
        header.appendChild(element("th", { scope: "col" }, weekdays[(firstDay + i) % 7] || ""));
      }
      var thead = element("thead"); thead.appendChild(header); grid.appendChild(thead);
      var body = element("tbody");
      var first = new Date(focused.getFullYear(), focused.getMonth(), 1);
      var day = addDays(first, -((first.getDay() - firstDay + 7) % 7));
      for (var week = 0; week < 6; week++) {
        var row = element("tr");
        for (var column = 0; column < 7; column++) {
          var cell = element("td");
          if (day.getMonth() === focused.getMonth()) {
            var button = element("button", {
              type: "button", "class": "date-day", "aria-label": label(day),
              "data-day": day.getFullYear() + "-" + pad(day.getMonth() + 1) + "-" + pad(day.getDate()),
              tabindex: sameDay(day, focused) ? "0" : "-1",
            }, inDigits(day.getDate(), digits));
            if (sameDay(day, chosen)) button.setAttribute("aria-pressed", "true");
            if (sameDay(day, today)) button.setAttribute("aria-current", "date");
            cell.appendChild(button);
          }
          row.appendChild(cell);
          day = addDays(day, 1);
        }
        body.appendChild(row);
        if (day.getMonth() !== focused.getMonth()) break;
      }
      grid.appendChild(body);
    }
    function focusDay() {
      var button = grid.querySelector('button[tabindex="0"]');
      if (button) button.focus();
    }
    function move(date) { focused = date; render(); focusDay(); }
    function show() {
      focused = parse(input.value) || new Date();
      render();
      popup.hidden = false;
      open.setAttribute("aria-expanded", "true");
      focusDay();
    }
    function hide(returnFocus) {
      if (popup.hidden) return;
      popup.hidden = true;
      open.setAttribute("aria-expanded", "false");
      if (returnFocus) open.focus();
    }
    function pick(date) {
      window.phteahDates.write(input, date);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      hide(false);
      input.focus();
    }

    open.addEventListener("click", function () { if (popup.hidden) show(); else hide(true); });
    previous.addEventListener("click", function () { focused = addMonths(focused, -1); render(); });
    next.addEventListener("click", function () { focused = addMonths(focused, 1); render(); });
    close.addEventListener("click", function () { hide(true); });
    grid.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-day]");
      if (button) {
        var parts = button.dataset.day.split("-");
        pick(new Date(+parts[0], +parts[1] - 1, +parts[2]));
      }
    });
    grid.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      if (moves[event.key] !== undefined) {
        move(addDays(focused, moves[event.key]));
      } else if (event.key === "PageUp") {
        move(addMonths(focused, event.shiftKey ? -12 : -1));
      } else if (event.key === "PageDown") {
        move(addMonths(focused, event.shiftKey ? 12 : 1));
      } else if (event.key === "Home") {
        move(addDays(focused, -((focused.getDay() - firstDay + 7) % 7)));
      } else if (event.key === "End") {
        move(addDays(focused, 6 - ((focused.getDay() - firstDay + 7) % 7)));
      } else if (event.key === "Enter" || event.key === " ") {
        pick(focused);
      } else {
        return;
      }
      event.preventDefault();
    });
    popup.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); hide(true); }
    });
    document.addEventListener("click", function (event) {
      if (!wrapper.contains(event.target)) hide(false);
    });
  }

  // For other scripts (care.js: the next visit follows the visit date): read a date field's
  // value, and write a date into a date field in its digits.
  window.phteahDates = {
    parse: parse,
    write: function (input, date) {
      var wrapper = input.closest("[data-date-picker]");
      var digits = wrapper ? wrapper.dataset.digits : "latin";
      input.value = inDigits(pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear(), digits);
    },
  };

  function setUpAll() {
    document.querySelectorAll("[data-date-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
}());
