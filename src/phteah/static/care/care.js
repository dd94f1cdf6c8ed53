// Care forms. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // Next visit due: follows the visit date (+N days) until the user changes it by hand.
  document.querySelectorAll("input[data-suggest-after]").forEach(function (due) {
    var from = document.getElementById(due.dataset.suggestAfter);
    var days = parseInt(due.dataset.suggestDays, 10);
    if (!from || !days) return;
    var touched = false;
    due.addEventListener("input", function () { touched = true; });
    from.addEventListener("change", function () {
      var dates = window.phteahDates; // date-picker.js: day/month/year, Khmer or Latin digits
      if (touched || !from.value || !dates) return;
      var date = dates.parse(from.value);
      if (!date) return;
      date.setDate(date.getDate() + days);
      dates.write(due, date);
    });
  });

  // Placement: offer only the care providers whose kind fits the chosen care type.
  document.querySelectorAll("select[data-provider-kinds]").forEach(function (careType) {
    var provider = careType.form && careType.form.elements.provider;
    if (!provider) return;
    var kinds = {};
    careType.dataset.providerKinds.split(";").forEach(function (pair) {
      var parts = pair.split("=");
      kinds[parts[0]] = parts[1];
    });
    function update() {
      var wanted = kinds[careType.value];
      Array.prototype.forEach.call(provider.options, function (option) {
        if (!option.value) return;
        var fits = !careType.value || option.dataset.kind === wanted;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) provider.value = "";
      });
      provider.disabled = Boolean(careType.value) && !wanted;
    }
    careType.addEventListener("change", update);
    update();
  });
})();

// Fields that matter only for one answer of a radio question:
// <input data-shown-when="provided_by=partner"> is shown only while "partner" is chosen.
(function () {
  "use strict";
  document.querySelectorAll("[data-shown-when]").forEach(function (input) {
    var parts = input.dataset.shownWhen.split("=");
    var form = input.form;
    var box = input.closest(".field") || input;
    if (!form) return;
    function update() {
      var chosen = form.querySelector('input[name="' + parts[0] + '"]:checked');
      box.hidden = !(chosen && chosen.value === parts[1]);
    }
    form.querySelectorAll('input[name="' + parts[0] + '"]').forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });
})();
