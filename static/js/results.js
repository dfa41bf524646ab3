/* The monitoring form: bring the error summary into view after a refused save. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
