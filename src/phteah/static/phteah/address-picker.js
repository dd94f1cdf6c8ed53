// Address picker (province → district → commune → village): progressive enhancement of
// the server-rendered selects of geography/widgets/address_picker.html. Changing a select
// clears the levels below it and fetches the children of the new choice as JSON.
// The widget template may include this file more than once on a page: bind only once.
(function () {
  "use strict";
  if (window.phteahAddressPicker) return;
  window.phteahAddressPicker = true;

  var LEVELS = ["province", "district", "commune", "village"];

  function language() {
    return (document.documentElement.lang || "").toLowerCase().indexOf("km") === 0 ? "km" : "en";
  }

  function selectOf(picker, level) {
    return picker.querySelector('select[data-level="' + level + '"]');
  }

  // Remove every option but the first (the empty one) and disable the select.
  function clear(select) {
    while (select.options.length > 1) select.remove(1);
    select.value = "";
    select.disabled = true;
  }

  function fill(select, results) {
    var lang = language();
    var fragment = document.createDocumentFragment();
    results.forEach(function (place) {
      var option = document.createElement("option");
      option.value = place.key;
      option.textContent = lang === "km" && place.name_km ? place.name_km : place.name_en;
      fragment.appendChild(option);
    });
    select.appendChild(fragment);
    select.disabled = results.length === 0;
  }

  function load(picker, level, parentCode) {
    var select = selectOf(picker, level);
    if (!select) return;
    // Only the latest request of a picker may fill it (the user may change quickly).
    var ticket = String(Number(picker.dataset.ticket || 0) + 1);
    picker.dataset.ticket = ticket;
    select.setAttribute("aria-busy", "true");
    var url = picker.dataset.childrenUrl +
      "?level=" + encodeURIComponent(level) + "&parent=" + encodeURIComponent(parentCode);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (picker.dataset.ticket !== ticket) return;
        clear(select);
        fill(select, data.results || []);
      })
      .catch(function () {
        // Offline or signed out: leave the level empty; the form's validation explains.
      })
      .then(function () {
        select.removeAttribute("aria-busy");
      });
  }

  function onChange(event) {
    var select = event.target;
    var picker = select.closest("[data-address-picker]");
    var index = LEVELS.indexOf(select.dataset.level);
    if (!picker || index < 0) return;
    for (var i = index + 1; i < LEVELS.length; i++) {
      var lower = selectOf(picker, LEVELS[i]);
      if (lower) clear(lower);
    }
    if (select.value && index + 1 < LEVELS.length) {
      load(picker, LEVELS[index + 1], select.value);
    }
  }

  function bind(picker) {
    if (picker.dataset.bound) return;
    picker.dataset.bound = "1";
    picker.addEventListener("change", onChange);
  }

  function bindAll() {
    document.querySelectorAll("[data-address-picker]").forEach(bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
})();
