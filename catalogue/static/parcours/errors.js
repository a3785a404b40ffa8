// After a failed submit the page comes back with an error summary: bring it into view
// and focus it, so that the error is seen and read first (RGAA 11.10, 11.11).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
  }
});
