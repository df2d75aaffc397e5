// After htmx swaps in another week of times, move focus to its heading so screen readers
// announce the new week. Without JavaScript the week links simply load the next page.
document.addEventListener("htmx:afterSettle", function (event) {
  "use strict";
  var week = document.getElementById("week");
  if (week && (event.target === week || week.contains(event.target))) {
    var heading = week.querySelector("[data-week-heading]");
    if (heading) { heading.focus(); }
  }
});
