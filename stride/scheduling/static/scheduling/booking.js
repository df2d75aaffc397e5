// Swap the week of free times in place (previous/next week) instead of loading a new page.
// Without this script the same links simply load the next page.
(function () {
  "use strict";
  function show(url, push) {
    var region = document.getElementById("week");
    if (!region || !window.fetch) { window.location.assign(url); return; }
    region.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("week");
        if (!fresh) { throw new Error("no week in the answer"); }
        region.replaceWith(fresh);
        if (push) { window.history.pushState({ week: true }, "", url); }
        fresh.querySelector("[data-week-heading]").focus();  // announces the new week
      })
      .catch(function () { window.location.assign(url); });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-week-nav]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    show(link.href, true);
  });
  window.addEventListener("popstate", function () { show(window.location.href, false); });
})();
