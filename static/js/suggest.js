/* Suggestions from the indicator library (指标库) in the project editor.
 *
 * Hooks into the editor's markup only by class names (projects/templates:
 * tr.row, select.level1, select.level2, input.level3, input.value-input,
 * .goal, .add-row, button.add-common) and by DOM events, so editor.js needs no
 * change:
 *
 * - typing in 三级指标 (input.level3) lists library names for the row's 二级指标
 *   (else its 一级指标), the project's own unit's names first; ↑/↓ choose, Enter
 *   or a click picks, Esc closes. Picking fills the name and shows the usual form
 *   of the value (e.g. "≥＿＿%") as the 指标值 placeholder: never a value.
 * - 常用指标 (button.add-common) adds the common indicators (共性指标) that the
 *   goal's table lacks: empty rows are used first, then rows are added through the
 *   editor's own 添加指标 button. Their recommended value is a placeholder too.
 *
 * Data: #library-data (JSON: suggest_url, common), rendered by the server.
 */
(function () {
  "use strict";

  var form = document.getElementById("project-editor");
  var dataNode = document.getElementById("library-data");
  if (!form || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var DELAY = 150;
  var LIST_ID = "library-suggestions";

  // -- the list box (one, moved to the cell being typed in) -------------------
  var list = document.createElement("ul");
  list.id = LIST_ID;
  list.className = "suggest-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "指标库中的三级指标");
  list.hidden = true;
  var state = { input: null, items: [], active: -1, ticket: 0, timer: null };

  function rowOf(element) { return element.closest("tr.row"); }
  function key(text) { return (text || "").replace(/[\s\u3000]+/g, ""); }

  function close() {
    list.hidden = true;
    state.items = [];
    state.active = -1;
    if (state.input) {
      state.input.setAttribute("aria-expanded", "false");
      state.input.removeAttribute("aria-activedescendant");
    }
  }

  function prepare(input) {
    if (input.getAttribute("role") === "combobox") return;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", LIST_ID);
    input.setAttribute("autocomplete", "off");
  }

  function department() {
    var select = form.querySelector("select[name=department]");
    return select ? select.value : "";
  }

  function request(input) {
    var row = rowOf(input);
    var params = new URLSearchParams({
      level1: row.querySelector("select.level1").value,
      level2: row.querySelector("select.level2").value,
      q: input.value.trim(),
      department: department()
    });
    var ticket = ++state.ticket;
    fetch(data.suggest_url + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (answer) {
        if (ticket !== state.ticket || document.activeElement !== input) return;
        // Typing went on while the answer travelled: the answer for the new text is on its way.
        if (params.get("q") !== input.value.trim()) return;
        show(input, answer.suggestions || []);
      })
      .catch(function () { /* no suggestions: typing goes on as usual */ });
  }

  function show(input, items) {
    var current = key(input.value);
    items = items.filter(function (item) { return key(item.name) !== current || current === ""; });
    if (!items.length) { close(); return; }
    // A late answer (typing went on while it travelled) redraws the list: the name the
    // user has already moved to with ↑/↓ stays chosen when it is still offered.
    var chosen = state.input === input && state.active >= 0 && state.items[state.active]
      ? state.items[state.active].name : null;
    state.input = input;
    state.items = items;
    state.active = -1;
    list.innerHTML = "";
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = LIST_ID + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "suggest-name";
      name.textContent = item.name;
      var meta = document.createElement("span");
      meta.className = "suggest-meta";
      var parts = [];
      if (item.unit) parts.push("常用单位 " + item.unit);
      parts.push(item.projects + "个项目");
      meta.textContent = parts.join(" · ");
      if (item.own) {
        var own = document.createElement("span");
        own.className = "suggest-own";
        own.textContent = "本单位 · ";
        meta.insertBefore(own, meta.firstChild);
      }
      option.appendChild(name);
      option.appendChild(meta);
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the input
        pick(index);
      });
      list.appendChild(option);
    });
    var cell = input.closest("td");
    cell.classList.add("suggest-host");
    if (list.parentNode !== cell) cell.appendChild(list);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    var kept = items.findIndex(function (item) { return item.name === chosen; });
    if (kept >= 0) highlight(kept);
  }

  function highlight(index) {
    var options = list.querySelectorAll("li");
    if (!options.length) return;
    state.active = (index + options.length) % options.length;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === state.active ? "true" : "false"); });
    var chosen = options[state.active];
    state.input.setAttribute("aria-activedescendant", chosen.id);
    chosen.scrollIntoView({ block: "nearest" });
  }

  function hintValue(valueInput, hint, title) {
    if (!valueInput || valueInput.value.trim()) return;
    valueInput.placeholder = hint || "";
    valueInput.title = title || "";
  }

  function pick(index) {
    var item = state.items[index];
    var input = state.input;
    if (!item || !input) return;
    input.value = item.name;
    var row = rowOf(input);
    var valueInput = row.querySelector("input.value-input");
    var title = item.unit ? "指标库中常用的计量单位：" + item.unit + "（请填写本项目的目标值）" : "";
    hintValue(valueInput, item.hint, title);
    close();
    if (valueInput) valueInput.focus();
  }

  // -- events (delegated: rows added later are served too) --------------------
  form.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input.level3")) return;
    prepare(input);
    state.input = input;
    if (!input.value.trim()) request(input); // an empty cell: the most used names
  });
  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches("input.level3")) return;
    prepare(input);
    state.input = input;
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { request(input); }, DELAY);
  });
  form.addEventListener("focusout", function (event) {
    if (event.target === state.input) {
      state.ticket += 1; // an answer still on its way is not shown any more
      close();
    }
  });
  // Capture phase: runs before the editor's own keys (Enter moves to the next cell there).
  form.addEventListener("keydown", function (event) {
    if (event.target !== state.input || list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      event.stopPropagation();
      highlight(state.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && state.active >= 0 && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      event.stopPropagation();
      pick(state.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  }, true);

  // -- 常用指标: the common indicators a table lacks ------------------------------
  function projectType() {
    var checked = form.querySelector("input[name=project_type]:checked");
    return checked ? checked.value : "";
  }
  function visibleRows(goal) {
    return Array.prototype.filter.call(goal.querySelectorAll("tbody.rows > tr.row"), function (tr) { return !tr.hidden; });
  }
  function isEmpty(row) {
    return Array.prototype.every.call(row.querySelectorAll("select, input.level3, input.value-input"), function (field) {
      return !field.value.trim();
    });
  }
  function choose(select, value) {
    var known = Array.prototype.some.call(select.options, function (option) { return option.value === value; });
    if (!known) select.appendChild(new Option(value, value));
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function status(goal, message) {
    var node = goal.querySelector(".common-status");
    if (!node) {
      node = document.createElement("span");
      node.className = "common-status";
      node.setAttribute("role", "status");
      goal.querySelector("button.add-common").insertAdjacentElement("afterend", node);
    }
    node.textContent = message;
  }

  function addCommon(goal) {
    var type = projectType();
    var present = visibleRows(goal).map(function (row) { return key(row.querySelector("input.level3").value); });
    var missing = (data.common || []).filter(function (item) {
      return (!item.project_type || item.project_type === type) && present.indexOf(key(item.level3)) < 0;
    });
    if (!(data.common || []).length) { status(goal, "尚未设置共性指标。"); return; }
    if (!missing.length) { status(goal, "指标表已包含全部共性指标。"); return; }
    var spare = visibleRows(goal).filter(isEmpty);
    var first = null;
    missing.forEach(function (item) {
      var row = spare.shift();
      if (!row) {
        goal.querySelector(".add-row").click(); // the editor adds and wires the row
        var rows = visibleRows(goal);
        row = rows[rows.length - 1];
      }
      choose(row.querySelector("select.level1"), item.level1);
      choose(row.querySelector("select.level2"), item.level2);
      row.querySelector("input.level3").value = item.level3;
      var valueInput = row.querySelector("input.value-input");
      hintValue(valueInput, item.value, "共性指标推荐值：" + item.value + (item.note ? "；" + item.note : ""));
      first = first || valueInput;
    });
    status(goal, "已加入" + missing.length + "项共性指标：" + missing.map(function (item) { return item.level3; }).join("、") +
      "。请填写指标值（灰色为推荐写法）和确定依据。");
    if (first) first.focus();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.add-common");
    if (!button) return;
    addCommon(button.closest(".goal"));
  });
})();
