// After a failed submit the page comes back with an error summary: bring it into view
// and focus it, so that the error is seen and read first (RGAA 11.10, 11.11). Once the
// page has loaded (the DSFR's scripts may move things), it is brought into view again.
(function () {
  function summary() {
    return document.querySelector("[data-error-summary]");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var found = summary();
    if (found) {
      found.scrollIntoView({ block: "start" });
      found.focus({ preventScroll: true });
    }
  });
  window.addEventListener("load", function () {
    var found = summary();
    if (found && document.activeElement === found) {
      found.scrollIntoView({ block: "start" });
    }
  });
})();
