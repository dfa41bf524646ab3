/* Unsaved input on an editor page (the project editor, the monitoring and
 * self-evaluation forms): leaving asks first, when closing or reloading the tab
 * (beforeunload) and when following a link of the page (confirm). Submitting the
 * form leaves without asking. A page the server sent back with the posted input
 * (errors, a conflict) says data-dirty="true" and starts unsaved.
 *
 * window.leaveGuard(form) starts watching `form` and returns { markDirty }, for
 * changes a script makes without an input event. */
window.leaveGuard = function (form) {
  "use strict";
  var dirty = form.dataset.dirty === "true";
  var leaving = false;
  function markDirty() { dirty = true; }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || leaving) return;
    event.preventDefault();
    event.returnValue = "";
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || !dirty || leaving || event.defaultPrevented) return;
    if (link.target === "_blank" || link.getAttribute("href").charAt(0) === "#") return;
    if (window.confirm("本页有尚未保存的修改，离开后将丢失。确定离开吗？")) leaving = true;
    else event.preventDefault();
  });
  return { markDirty: markDirty };
};
