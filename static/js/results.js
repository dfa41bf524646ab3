/* The monitoring and self-evaluation forms: bring the error summary into view after a
 * refused save; leaving with unsaved input asks first (static/js/leave_guard.js). */
(function () {
  "use strict";
  var form = document.getElementById("monitoring-form") || document.getElementById("evaluation-form");
  if (form) window.leaveGuard(form);
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
