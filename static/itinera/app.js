// Small accessibility repairs to viewflow's shell, run on every page Turbo shows.
(function () {
  function repair() {
    // The side menu's links are a Material list with a roving tabindex of -1 on every
    // item, which hides the menu from keyboard users: make each link reachable.
    document.querySelectorAll(".vf-page__menu a.mdc-list-item, .vf-page__menu button.mdc-list-item")
      .forEach(function (link) { link.setAttribute("tabindex", "0"); });
    document.querySelectorAll(".vf-page__menu-toggle-button").forEach(function (button) {
      var label = document.querySelector('meta[name="it-account-label"]');
      if (label && !button.hasAttribute("aria-label")) { button.setAttribute("aria-label", label.content); }
    });
  }
  document.addEventListener("DOMContentLoaded", repair);
  document.addEventListener("turbo:load", repair);
  document.addEventListener("turbo:render", repair);
})();
