/*
 * The case editor's contact person (templates/cases/case_form.html).
 *
 * Choosing one of the organisation's members fills in the name and email fields at once, and
 * the list goes back to "Choose a person", so that what is saved is what the fields show and
 * can still be corrected. Without this script the form fills them in when it is saved.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || select.name !== "contact_member") {
      return;
    }
    var option = select.selectedOptions[0];
    if (!option || !option.dataset.email) {
      return;
    }
    var form = select.form;
    form.elements.namedItem("contact_name").value = option.dataset.name || option.dataset.email;
    form.elements.namedItem("contact_email").value = option.dataset.email;
    select.value = "";
  });
})();
