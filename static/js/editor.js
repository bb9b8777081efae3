/* The case editor (templates/cases/case_form.html), enhanced; everything works without it.
 * - "Preview" under each long text shows it as the case page will (rendered by the server).
 * - The partner list becomes searchable, with the chosen ones shown as removable chips. */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function addPreviews(form) {
    var url = form.dataset.previewUrl;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    form.querySelectorAll("textarea[data-preview]").forEach(function (area) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ds-button preview-button";
      button.dataset.variant = "tertiary";
      button.dataset.size = "sm";
      button.textContent = form.dataset.previewLabel;
      var output = document.createElement("div");
      output.className = "text-preview";
      output.id = area.id + "_preview";
      output.hidden = true;
      output.setAttribute("role", "region");
      output.setAttribute("aria-label", form.dataset.previewHeading);
      output.setAttribute("aria-live", "polite");
      button.setAttribute("aria-controls", output.id);
      area.after(button, output);
      button.addEventListener("click", function () {
        var body = new FormData();
        body.append("text", area.value);
        fetch(url, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": token },
          credentials: "same-origin",
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        }).then(function (html) {
          output.innerHTML = html;  // sanitised by the server (cases/markdown.py)
        }).catch(function () {
          output.textContent = form.dataset.previewError;
        }).finally(function () {
          output.hidden = false;
        });
      });
    });
  }

  function partnerPicker(picker) {
    var list = picker.querySelector(".choice-list");
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll(".ds-field"));
    var boxes = items.map(function (item) { return item.querySelector("input"); });
    var nameOf = function (box) { return box.labels[0].textContent.trim(); };

    var field = document.createElement("div");
    field.className = "ds-field partner-search";
    var label = document.createElement("label");
    label.className = "ds-label";
    label.htmlFor = list.id + "_search";
    label.textContent = picker.dataset.searchLabel;
    var search = document.createElement("input");
    search.type = "search";
    search.className = "ds-input";
    search.id = list.id + "_search";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", list.id);
    var count = document.createElement("p");
    count.className = "ds-paragraph partner-count";
    count.dataset.size = "sm";
    count.id = list.id + "_count";
    count.setAttribute("role", "status");
    search.setAttribute("aria-describedby", count.id);
    field.append(label, search, count);

    var chosenHeading = document.createElement("p");
    chosenHeading.className = "ds-paragraph partner-chosen-heading";
    chosenHeading.dataset.size = "sm";
    chosenHeading.id = list.id + "_chosen";
    var chips = document.createElement("ul");
    chips.className = "partner-chips";
    chips.setAttribute("aria-labelledby", chosenHeading.id);

    list.before(field);
    list.before(chosenHeading, chips);
    list.classList.add("choice-list--scroll");

    function filter() {
      var words = search.value.trim().toLocaleLowerCase("nb").split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item, index) {
        var name = nameOf(boxes[index]).toLocaleLowerCase("nb");
        var match = words.every(function (word) { return name.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = format(picker.dataset.count, { shown: shown, total: items.length });
    }

    function renderChips() {
      chips.textContent = "";
      var chosen = boxes.filter(function (box) { return box.checked; });
      chosenHeading.textContent = chosen.length
        ? picker.dataset.chosen + " (" + chosen.length + "):"
        : picker.dataset.noneChosen;
      chosen.forEach(function (box) {
        var chip = document.createElement("li");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "ds-chip partner-chip";
        remove.dataset.removable = "true";
        remove.textContent = nameOf(box);
        remove.setAttribute("aria-label", format(picker.dataset.remove, { name: nameOf(box) }));
        remove.addEventListener("click", function () {
          box.checked = false;
          renderChips();
          search.focus();
        });
        chip.append(remove);
        chips.append(chip);
      });
    }

    search.addEventListener("input", filter);
    // Enter in the search field would save the whole form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    boxes.forEach(function (box) { box.addEventListener("change", renderChips); });
    filter();
    renderChips();
  }

  var form = document.querySelector("form.case-form");
  if (form) {
    addPreviews(form);
    form.querySelectorAll(".partner-picker").forEach(partnerPicker);
  }
})();
