/*
 * The search page (templates/cases/search.html), on top of htmx.
 *
 * Progressive enhancement: without this script the page is a GET form whose filters stand
 * beside (wide screens) or above (narrow screens) the results, and every chip is a link to the
 * results without that filter. With it:
 *
 * - on a narrow screen the filters fold into a panel: the "Filter (3)" button opens them in a
 *   modal <dialog> (focus moves into it; Escape, "Close" or "Show N cases" close it and focus
 *   returns to the button). The filters are the same element on every width: the dialog
 *   borrows it while open and gives it back when it closes;
 * - a chip ("Remove filter: Health") clears its control in the form and submits the form, so
 *   that the boxes and the results never disagree; focus goes to the next chip, or to the
 *   results' heading when none is left;
 * - options that no result has fold under their group's "Show N more" as the counts change
 *   (a chosen option, or the one that has focus, stays where it is);
 * - while the panel is open, the number of results is announced from inside it (the page
 *   behind a modal dialog is inert, and so is its live region).
 *
 * Loaded in <head> without defer: the first thing it does is mark the page as scripted, so
 * that the stylesheet folds the filters away before the first paint. Everything else is
 * delegated from the document, and so still works after htmx restores the page from history.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("search-enhanced");

  // The width from which the filters stand beside the results (static/css/site.css).
  var WIDE = window.matchMedia("(min-width: 60rem)");
  var pendingFocus = null;

  function byId(id) {
    return document.getElementById(id);
  }

  function panel() {
    return byId("filters-dialog");
  }

  function panelIsOpen() {
    var dialog = panel();
    return Boolean(dialog && dialog.open);
  }

  function toggleButton() {
    return document.querySelector("#results .filter-toggle");
  }

  function createPanel(form) {
    var dialog = document.createElement("dialog");
    dialog.id = "filters-dialog";
    dialog.className = "ds-dialog filters-dialog";
    dialog.setAttribute("aria-labelledby", "facets-heading");
    var status = document.createElement("p");
    status.id = "filters-dialog-status";
    status.className = "ds-sr-only";
    status.setAttribute("role", "status");
    dialog.appendChild(status);
    dialog.addEventListener("close", function () {
      giveBackFilters();
      var toggle = toggleButton();
      if (toggle) {
        toggle.setAttribute("aria-expanded", "false");
        if (!WIDE.matches) {
          toggle.focus();
        }
      }
    });
    // Inside the form, so that the boxes still belong to it while the panel borrows them.
    form.appendChild(dialog);
    return dialog;
  }

  // Home for the filters is just before the results.
  function giveBackFilters() {
    var filters = byId("filters");
    var results = byId("results");
    if (filters && results && filters.nextElementSibling !== results) {
      results.before(filters);
    }
  }

  function openPanel() {
    var form = byId("search-form");
    var filters = byId("filters");
    var toggle = toggleButton();
    if (!form || !filters || !toggle) {
      return;
    }
    var dialog = panel() || createPanel(form);
    dialog.insertBefore(filters, dialog.firstChild);
    byId("filters-dialog-status").textContent = "";
    dialog.showModal();
    toggle.setAttribute("aria-expanded", "true");
    var close = filters.querySelector(".filters-close");
    if (close) {
      close.focus();
    }
  }

  function closePanel() {
    var dialog = panel();
    if (dialog && dialog.open) {
      dialog.close();
    }
  }

  // The form's controls named `name` (and holding `value`, when one is given), cleared.
  // Returns whether there was any: if not, the chip's link does the work.
  function clearControl(form, name, value) {
    var found = false;
    Array.prototype.slice.call(form.elements).forEach(function (control) {
      if (control.name !== name || (value && control.value !== value)) {
        return;
      }
      found = true;
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = false;
      } else if (control.type === "hidden") {
        control.remove();
      } else {
        control.value = "";
      }
    });
    return found;
  }

  function clearAllFilters(form) {
    Array.prototype.slice.call(form.elements).forEach(function (control) {
      if (control.type === "checkbox") {
        control.checked = false;
      } else if (control.type === "hidden" && control.name) {
        control.remove();
      }
    });
    return true;
  }

  function onClick(event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest(".filter-toggle")) {
      openPanel();
      return;
    }
    if (target.closest(".filters-close, .filters-done")) {
      closePanel();
      return;
    }
    var link = target.closest("a[data-remove-name], a[data-remove-all]");
    var form = byId("search-form");
    if (!link || !form || !window.htmx) {
      return;
    }
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    var cleared = link.hasAttribute("data-remove-all")
      ? clearAllFilters(form)
      : clearControl(form, link.getAttribute("data-remove-name"), link.getAttribute("data-remove-value"));
    if (!cleared) {
      return;
    }
    event.preventDefault();
    var chips = Array.prototype.slice.call(document.querySelectorAll("#results .chip-list a"));
    var index = chips.indexOf(link);
    pendingFocus = index >= 0 ? { chip: index } : link.closest("#results") ? { chip: -1 } : null;
    form.requestSubmit();
  }

  function countOf(option) {
    var shown = option.querySelector(".count [aria-hidden]");
    return shown ? parseInt(shown.textContent.replace(/\D/g, ""), 10) : NaN;
  }

  function moveBefore(parent, node, reference) {
    if (typeof parent.moveBefore === "function") {
      parent.moveBefore(node, reference); // keeps focus where the browser can
    } else {
      parent.insertBefore(node, reference);
    }
  }

  // Fold the options without results of each group under its "Show N more", in their order.
  function refold() {
    var active = document.activeElement;
    document.querySelectorAll("#filters details.facet").forEach(function (group) {
      var more = group.querySelector("details.facet-more");
      var lists = group.querySelectorAll(".facet-options");
      if (!more || lists.length !== 2) {
        return;
      }
      var options = Array.prototype.slice.call(group.querySelectorAll(".facet-option"));
      options.sort(function (a, b) {
        return Number(a.dataset.order) - Number(b.dataset.order);
      });
      var wanted = [[], []];
      options.forEach(function (option) {
        var box = option.querySelector("input");
        var place;
        if (option.contains(active)) {
          place = option.parentElement === lists[1] ? 1 : 0;
        } else {
          place = countOf(option) === 0 && !(box && box.checked) ? 1 : 0;
        }
        wanted[place].push(option);
      });
      [0, 1].forEach(function (i) {
        wanted[i].forEach(function (option, position) {
          if (lists[i].children[position] !== option) {
            moveBefore(lists[i], option, lists[i].children[position] || null);
          }
        });
      });
      more.hidden = wanted[1].length === 0;
      var number = more.querySelector(".facet-more-number");
      if (number) {
        number.textContent = String(wanted[1].length);
      }
    });
    if (active && active !== document.activeElement && document.contains(active)) {
      active.focus({ preventScroll: true });
    }
  }

  function afterResults() {
    refold();
    if (panelIsOpen()) {
      var status = byId("search-status");
      byId("filters-dialog-status").textContent = status ? status.textContent : "";
    }
    if (pendingFocus) {
      var chips = document.querySelectorAll("#results .chip-list a");
      var goal = null;
      if (pendingFocus.chip >= 0 && chips.length) {
        goal = chips[Math.min(pendingFocus.chip, chips.length - 1)];
      }
      goal = goal || byId("results-heading");
      pendingFocus = null;
      if (goal && !panelIsOpen()) {
        goal.focus();
      }
    }
  }

  document.addEventListener("click", onClick);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "results") {
      afterResults();
    }
  });
  // htmx keeps a copy of the page for the back button, taken as it is (panel open or not):
  // coming back to it, the filters go home and the copy's dialog goes.
  document.addEventListener("htmx:historyRestore", function () {
    var dialog = panel();
    if (dialog) {
      giveBackFilters();
      dialog.remove();
    }
    var toggle = toggleButton();
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
    }
  });
  WIDE.addEventListener("change", function () {
    if (WIDE.matches) {
      closePanel();
    }
  });
})();
