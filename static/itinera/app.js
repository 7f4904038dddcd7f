// Small accessibility repairs to viewflow's shell, run on every page Turbo shows.
(function () {
  function repair() {
    // The side menu's links are a Material list with a roving tabindex of -1 on every
    // item, which hides the menu from keyboard users: make each link reachable.
    document.querySelectorAll(".vf-page__menu a.mdc-list-item, .vf-page__menu button.mdc-list-item")
      .forEach(function (link) { link.setAttribute("tabindex", "0"); });
  }
  document.addEventListener("DOMContentLoaded", repair);
  document.addEventListener("turbo:load", repair);
  document.addEventListener("turbo:render", repair);
})();

// A select marked data-it-submit-on-change submits its form when changed (the language
// switch): no inline handlers, so the Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-it-submit-on-change]")) {
    event.target.form.submit();
  }
});

// A page that shows work in progress (an export being built) holds an element with
// data-it-refresh-after="ms": it is fetched again after that long, in place.
function itScheduleRefresh() {
  var marker = document.querySelector("[data-it-refresh-after]");
  if (!marker || marker.dataset.itScheduled) { return; }
  marker.dataset.itScheduled = "true";
  setTimeout(function () {
    if (!document.body.contains(marker)) { return; }  // the user went elsewhere
    if (window.Turbo) { Turbo.visit(window.location.href, {action: "replace"}); } else { window.location.reload(); }
  }, parseInt(marker.getAttribute("data-it-refresh-after"), 10));
}
document.addEventListener("DOMContentLoaded", itScheduleRefresh);
document.addEventListener("turbo:load", itScheduleRefresh);
