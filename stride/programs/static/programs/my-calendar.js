// The calendar link page: a Copy button (hidden until this script runs) for the one-time link.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copy);
    const done = button.parentElement.querySelector("[data-copied]");
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (done) {
          done.hidden = false;
        }
      }, function () {
        field.select();
      });
    });
  });
})();
