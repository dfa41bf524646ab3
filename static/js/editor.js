/* The project editor: goals and their indicator grids (see projects/forms.py).
 *
 * New goals and rows are cloned from <template>s rendered by the server with the
 * placeholders __goal__ (goal index) and __prefix__ (row index), as the Django
 * admin does; each formset's TOTAL_FORMS is bumped. Deleting sets the hidden
 * DELETE input and hides the element, so form indices never change. The DOM
 * order is the truth for order: `position` inputs are renumbered after every
 * change. The server validates and parses everything again.
 */
(function () {
  "use strict";

  var form = document.getElementById("project-editor");
  if (!form) return;
  var fw = JSON.parse(document.getElementById("indicator-framework").textContent);
  var parseUrl = form.dataset.parseUrl;
  var GOAL_RE = /^(长期|年度)绩效目标\s*\d+$/;
  var TERM_LABEL = { long: "长期绩效目标", annual: "年度绩效目标" };
  var ALL_LEVEL2 = [];
  Object.keys(fw.level2).forEach(function (key) { ALL_LEVEL2 = ALL_LEVEL2.concat(fw.level2[key]); });

  // -- the framework --------------------------------------------------------
  function canonicalLevel1(name) {
    name = (name || "").trim();
    if (fw.level2[name]) return name;
    return fw.level1_aliases[name] || null;
  }
  function isLevel2(name) {
    name = (name || "").trim();
    return ALL_LEVEL2.indexOf(name) >= 0 || name === "成本指标" || !!fw.level2_aliases[name];
  }
  function isLevel1(name) { return canonicalLevel1(name) !== null; }
  function canonicalLevel2(name) {
    name = (name || "").trim();
    if (ALL_LEVEL2.indexOf(name) >= 0 || name === "成本指标") return name;
    return fw.level2_aliases[name] || null;
  }
  function homeOf(level2) { // the one level 1 a level 2 belongs to (indicators/framework.py)
    var full = canonicalLevel2(level2);
    var home = null;
    Object.keys(fw.level2).forEach(function (key) { if (fw.level2[key].indexOf(full) >= 0) home = key; });
    return home;
  }
  function belongs(level1, level2) {
    var l1 = canonicalLevel1(level1), l2 = canonicalLevel2(level2);
    return !!(l1 && l2 && (fw.level2[l1].indexOf(l2) >= 0 || (fw.legacy[l1] || []).indexOf(l2) >= 0));
  }
  /* A level-1 cell left empty (merged) means the level 1 above, unless the row's
   * level 2 belongs to exactly one other level 1 (framework.inferred_level1). */
  function inferLevel1(level1, level2) {
    var home = homeOf(level2);
    return home && !belongs(level1, level2) ? home : level1;
  }
  function level2Options(level1) { // only the level 1's own (产出指标 does not offer 成本指标)
    var canonical = canonicalLevel1(level1);
    if (!canonical) return ALL_LEVEL2.slice();
    return fw.level2[canonical].slice();
  }

  // -- selects that keep a non-standard value from a document ----------------
  function fillSelect(select, options, value) {
    value = (value || "").trim();
    select.innerHTML = "";
    select.appendChild(new Option("请选择", ""));
    options.forEach(function (option) { select.appendChild(new Option(option, option)); });
    if (value && options.indexOf(value) < 0) select.appendChild(new Option(value + "（原文）", value));
    select.value = value;
    syncCombo(select);
  }
  function validBasis(value) {
    var parts = value.split(fw.basis_joiner);
    return parts.every(function (part) { return fw.basis.indexOf(part) >= 0; });
  }
  function setSelect(select, value) {
    value = (value || "").trim();
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (!known && value) {
      var plain = select.dataset.multiple && validBasis(value);
      select.appendChild(new Option(plain ? value : value + "（原文）", value));
    }
    select.value = value;
    syncCombo(select);
  }

  // -- searchable selects (a combobox in front of each select) ---------------
  /* The <select> stays the form field (and works without script); a text box in
   * front of it filters its options as one types (社会 → 社会效益指标), ↑/↓ and
   * Enter or a click choose, Esc goes back. A 二级指标 that belongs to another
   * 一级指标 is offered too, and choosing it moves the row there. The
   * 指标值确定依据 box takes several bases (ticked in the list, or typed with 、). */
  var comboList = document.createElement("ul");
  comboList.id = "combo-options";
  comboList.className = "combo-list";
  comboList.setAttribute("role", "listbox");
  comboList.hidden = true;
  var combo = { input: null, items: [], active: -1 };

  function comboText(select) { return select.value; }
  function syncCombo(select) {
    if (select._combo && document.activeElement !== select._combo) select._combo.value = comboText(select);
    if (select._combo) {
      select._combo.classList.toggle("nonstandard", !!select.value && !standard(select));
      select._combo.title = select.value;
    }
  }
  function standard(select) {
    var option = select.options[select.selectedIndex];
    return option && option.text.indexOf("（原文）") < 0;
  }
  function multiParts(text) {
    return text.split(/[、,，/／;；\s]+/).map(function (p) { return p.trim(); }).filter(function (p) { return p; });
  }
  function candidates(input) {
    var select = input._select;
    var text = input.value.trim();
    var multi = !!select.dataset.multiple;
    var query = multi ? (multiParts(text).pop() || "") : text;
    if (multi && fw.basis.indexOf(query) >= 0) query = "";
    if (input._showAll) query = "";
    var own = Array.prototype.filter.call(select.options, function (o) {
      return o.value && (!multi || fw.basis.indexOf(o.value) >= 0) && o.value.indexOf(query) >= 0;
    }).map(function (o) { return { value: o.value, label: o.text }; });
    if (!multi && query && select.classList.contains("level2")) {
      // typed a level 2 of another level 1 (or a short name): offer it with its level 1
      var level1 = input.closest("tr.row").querySelector("select.level1").value;
      ALL_LEVEL2.forEach(function (name) {
        var home = homeOf(name);
        var matches = name.indexOf(query) >= 0 || Object.keys(fw.level2_aliases).some(function (alias) {
          return fw.level2_aliases[alias] === name && alias.indexOf(query) >= 0;
        });
        if (matches && !own.some(function (c) { return c.value === name; }) && home !== canonicalLevel1(level1)) {
          own.push({ value: name, label: name + "（" + home + "）", level1: home });
        }
      });
    }
    return own;
  }
  function chosenParts(input) {
    return multiParts(input.value).filter(function (p) { return fw.basis.indexOf(p) >= 0; });
  }
  function sameParts(one, other) { // the same bases, whatever their order or separators
    var key = function (text) { return multiParts(text).sort().filter(function (p, i, all) { return p !== all[i - 1]; }).join("\n"); };
    return key(one) === key(other);
  }
  function renderCombo() {
    var input = combo.input;
    comboList.innerHTML = "";
    comboList.classList.toggle("multi", !!input._select.dataset.multiple);
    comboList.setAttribute("aria-multiselectable", input._select.dataset.multiple ? "true" : "false");
    var ticked = input._select.dataset.multiple ? chosenParts(input) : [];
    combo.items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "combo-option-" + i;
      li.setAttribute("role", "option");
      li.textContent = item.label;
      if (input._select.dataset.multiple) {
        li.setAttribute("aria-selected", ticked.indexOf(item.value) >= 0 ? "true" : "false");
        li.classList.toggle("ticked", ticked.indexOf(item.value) >= 0);
      } else li.setAttribute("aria-selected", i === combo.active ? "true" : "false");
      li.classList.toggle("active", i === combo.active);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
      comboList.appendChild(li);
    });
    if (!combo.items.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "没有匹配的选项";
      comboList.appendChild(none);
    }
    if (combo.active >= 0) input.setAttribute("aria-activedescendant", "combo-option-" + combo.active);
    else input.removeAttribute("aria-activedescendant");
  }
  /* What Enter or Tab takes from several matches of a typed 二级指标 fragment: the first
   * standard option of the row's own 一级指标 (社会 under 效益指标 → 社会效益指标, not
   * 社会成本指标（成本指标）). None for other selects and for a row without 一级指标. */
  function ownMatch(input, items) {
    if (!input._select.classList.contains("level2") || !input.value.trim()) return null;
    if (!canonicalLevel1(input.closest("tr.row").querySelector("select.level1").value)) return null;
    return items.filter(function (item) { return !item.level1 && item.label === item.value; })[0] || null;
  }
  function openCombo(input, showAll) {
    input._showAll = !!showAll;
    combo.input = input;
    combo.items = candidates(input);
    var own = showAll ? null : ownMatch(input, combo.items);
    combo.active = combo.items.length === 1 && !showAll ? 0 : combo.items.indexOf(own);
    input.parentNode.appendChild(comboList);
    comboList.setAttribute("aria-label", input.getAttribute("aria-label") + "选项");
    comboList.hidden = false;
    input.setAttribute("aria-expanded", "true");
    renderCombo();
  }
  function closeCombo() {
    if (combo.input) combo.input.setAttribute("aria-expanded", "false");
    comboList.hidden = true;
    combo.input = null;
    combo.items = [];
    combo.active = -1;
  }
  function pick(index) {
    var input = combo.input, item = combo.items[index];
    if (!input || !item) return;
    var select = input._select;
    if (select.dataset.multiple) {
      var parts = chosenParts(input);
      var at = parts.indexOf(item.value);
      if (at >= 0) parts.splice(at, 1); else parts.push(item.value);
      parts = fw.basis.filter(function (b) { return parts.indexOf(b) >= 0; }); // form order
      input.value = parts.join(fw.basis_joiner);
      commitCombo(input);
      combo.active = index;
      combo.items = candidates(input);
      renderCombo();
      return;
    }
    var row = input.closest("tr.row");
    if (item.level1) { setSelect(row.querySelector("select.level1"), item.level1); refreshLevel2(row); }
    setSelect(select, item.value);
    input.value = item.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    closeCombo();
  }
  /* What the box holds becomes the select's value: an option it names, the one
   * option left by the filter, several bases; other text is kept as typed and
   * marked （原文）, as a document's own name is (the review checks judge it).
   * Bases are written in the form's order only when the choice changed: a stored
   * 行业标准、计划标准 or 计划标准，历史标准 stays as written (nothing to save), also
   * when a basis was ticked off and on again since the box took the focus. */
  function commitCombo(input) {
    var select = input._select;
    var text = input.value.trim();
    var before = select.value;
    var kept = [before, input._focusValue].filter(function (value) { return value && sameParts(text, value); });
    if (!text) setSelect(select, "");
    else if (select.dataset.multiple && kept.length) setSelect(select, kept[0]);
    else if (select.dataset.multiple) {
      var parts = multiParts(text);
      var known = parts.filter(function (p) { return fw.basis.indexOf(p) >= 0; });
      var ordered = fw.basis.filter(function (b) { return known.indexOf(b) >= 0; });
      setSelect(select, known.length === parts.length ? ordered.join(fw.basis_joiner) : text);
    } else {
      var exact = Array.prototype.filter.call(select.options, function (o) { return o.value && o.value === text; })[0];
      var items = exact ? [] : candidates(input);
      var chosen = items.length === 1 ? items[0] : ownMatch(input, items);
      if (exact) setSelect(select, exact.value);
      else if (chosen) {
        if (chosen.level1) {
          var row = input.closest("tr.row");
          setSelect(row.querySelector("select.level1"), chosen.level1);
          refreshLevel2(row);
        }
        setSelect(select, chosen.value);
      } else if (!select.classList.contains("level2")) setSelect(select, text);
      // a 二级指标 fragment that names no option keeps the value it had (the box shows it again)
    }
    if (select.value !== before) select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function makeCombo(select) {
    var input = document.createElement("input");
    input.type = "text";
    input.className = "combo combo-" + (select.classList.contains("level1") ? "level1" : select.classList.contains("level2") ? "level2" : "basis");
    input.id = select.id + "-combo";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "combo-options");
    var labels = Array.prototype.slice.call(select.labels || []);
    input.setAttribute("aria-label", labels.length ? labels[0].textContent.trim() : "");
    labels.forEach(function (label) { label.htmlFor = input.id; }); // a click on the label types here
    if (select.dataset.multiple) input.placeholder = "可多选";
    input._select = select;
    select._combo = input;
    select.classList.add("combo-source");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(input, select);
    syncCombo(select);
    input.addEventListener("focus", function () { input._focusValue = select.value; }); // see commitCombo
    input.addEventListener("input", function () { openCombo(input, false); });
    input.addEventListener("click", function () { if (comboList.hidden || combo.input !== input) openCombo(input, true); else closeCombo(); });
    input.addEventListener("blur", function () {
      commitCombo(input);
      if (combo.input === input) closeCombo();
      syncCombo(select);
    });
    input.addEventListener("keydown", function (event) {
      var open = combo.input === input && !comboList.hidden;
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !event.altKey) {
        event.preventDefault();
        if (!open) { openCombo(input, true); return; }
        var n = combo.items.length;
        if (!n) return;
        combo.active = event.key === "ArrowDown" ? (combo.active + 1) % n : (combo.active - 1 + n) % n;
        renderCombo();
      } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        if (open && combo.active >= 0) {
          var multi = !!select.dataset.multiple;
          pick(combo.active);
          if (multi) { event.preventDefault(); event.stopPropagation(); return; } // keep ticking
        } else commitCombo(input);
        closeCombo();
        syncCombo(select);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        closeCombo();
        syncCombo(select);
      }
    });
    // A changed select shows in its box even while the box has the focus: a value set by a
    // script (常用指标 in suggest.js) would otherwise be wiped when the box commits on blur.
    select.addEventListener("change", function () { input.value = comboText(select); syncCombo(select); });
  }
  function refreshLevel2(row) {
    var level2 = row.querySelector("select.level2");
    fillSelect(level2, level2Options(row.querySelector("select.level1").value), level2.value);
  }

  // -- rows -----------------------------------------------------------------
  function visibleRows(goal) {
    return Array.prototype.filter.call(goal.querySelectorAll("tbody.rows > tr.row"), function (tr) { return !tr.hidden; });
  }
  var CELLS = "td select:not(.combo-source), td input:not([type=hidden])";
  function firstCell(row) { return row.querySelector(CELLS); }
  function cells(row) { return Array.prototype.slice.call(row.querySelectorAll(CELLS)); }

  function renumberRows(goal) {
    var rows = visibleRows(goal);
    rows.forEach(function (tr, i) {
      tr.querySelector(".seq-no").textContent = i + 1;
      tr.querySelector("input.position").value = i + 1;
    });
    // The column headers are the labels of the first row's cells.
    var first = rows[0];
    var order = ["level1", "level2", "level3", "value", "basis"];
    goal.querySelectorAll("thead label").forEach(function (label, i) {
      var target = first && first.querySelector("[name$='-" + order[i] + "']");
      if (target && target._combo) target = target._combo;
      if (target) label.htmlFor = target.id; else label.removeAttribute("for");
    });
  }

  function addRow(goal, after, focus) {
    var prefix = goal.dataset.prefix;
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var index = parseInt(total.value, 10);
    var template = goal.querySelector("template.row-template");
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, index).trim();
    var row = holder.firstElementChild;
    var body = goal.querySelector("tbody.rows");
    if (after && after.parentNode === body) body.insertBefore(row, after.nextSibling);
    else body.appendChild(row);
    total.value = index + 1;
    markDirty();
    wireRow(row);
    renumberRows(goal);
    if (focus !== false) firstCell(row).focus();
    return row;
  }

  function removeRow(row) {
    var goal = row.closest(".goal");
    var rows = visibleRows(goal);
    var at = rows.indexOf(row);
    row.querySelector("input.delete").value = "on";
    row.hidden = true;
    markDirty();
    renumberRows(goal);
    var rest = visibleRows(goal);
    var next = rest[Math.min(at, rest.length - 1)];
    if (next) firstCell(next).focus(); else goal.querySelector(".add-row").focus();
  }

  function moveRow(row, step) {
    var goal = row.closest(".goal");
    var rows = visibleRows(goal);
    var at = rows.indexOf(row);
    var other = rows[at + step];
    if (!other) return;
    if (step < 0) other.parentNode.insertBefore(row, other);
    else other.parentNode.insertBefore(row, other.nextSibling);
    markDirty();
    renumberRows(goal);
  }

  // -- how a value is understood (the server's parse_value is the truth) ----
  function showUnderstood(row) {
    var input = row.querySelector("input.value-input");
    var cell = row.querySelector(".understood");
    var text = input.value;
    clearTimeout(row._parseTimer);
    if (!text.trim()) { cell.textContent = ""; return; }
    cell.classList.add("pending");
    row._parseTimer = setTimeout(function () {
      var ticket = (row._parseTicket || 0) + 1;
      row._parseTicket = ticket;
      fetch(parseUrl + "?value=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (row._parseTicket !== ticket) return;
          cell.textContent = data.description;
          cell.classList.remove("pending");
          cell.classList.toggle("qualitative", data.qualitative);
        })
        .catch(function () { cell.classList.remove("pending"); });
    }, 250);
  }

  function wireRow(row) {
    row.querySelectorAll("select.level1, select.level2, select.basis").forEach(makeCombo);
    row.querySelector("select.level1").addEventListener("change", function () { refreshLevel2(row); });
    row.querySelector("select.level2").addEventListener("change", function () {
      var level1 = row.querySelector("select.level1");
      var home = homeOf(this.value);
      if (home && !level1.value) { setSelect(level1, home); refreshLevel2(row); }
    });
    row.querySelector("input.value-input").addEventListener("input", function () { showUnderstood(row); });
    row.querySelector(".remove-row").addEventListener("click", function () { removeRow(row); });
    row.querySelector(".move-up").addEventListener("click", function () { moveRow(row, -1); });
    row.querySelector(".move-down").addEventListener("click", function () { moveRow(row, 1); });
  }

  // -- keyboard -------------------------------------------------------------
  function onGridKey(event) {
    var row = event.target.closest("tr.row");
    if (!row || !event.target.matches("select, input")) return;
    var goal = row.closest(".goal");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      addRow(goal, row);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the whole page from a cell
      var list = cells(row);
      var at = list.indexOf(event.target);
      if (at < list.length - 1) list[at + 1].focus();
      else {
        var rows = visibleRows(goal);
        var next = rows[rows.indexOf(row) + 1];
        if (next) firstCell(next).focus(); else addRow(goal, row);
      }
    } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      moveRow(row, event.key === "ArrowUp" ? -1 : 1);
      event.target.focus();
    }
  }

  // -- paste rows from Word / Excel ----------------------------------------
  function fits(cell, slot) {
    if (!cell) return true;
    if (slot === 0) return GOAL_RE.test(cell);
    if (slot === 1) return isLevel1(cell);
    return !GOAL_RE.test(cell) && (isLevel2(cell) || !isLevel1(cell));
  }
  function classify(cell) {
    if (GOAL_RE.test(cell)) return 0;
    if (isLevel1(cell) && !fw.level2_aliases[cell]) return 1;
    if (isLevel2(cell)) return 2;
    return null;
  }

  /* Rows of a pasted table: the sheet's 6 columns (目标名称 first) or 5 columns.
   * Merged cells come empty and inherit from the row above; a row shifted left
   * (as in real copies) is placed by what its cells say, as the importer does. */
  /* The rows of a TAB-separated text, cells trimmed, trailing empty ones dropped. A cell
   * Excel quoted because it holds a line break ("新增云主机↵数量", inner quotes doubled) is
   * one cell with its line breaks; a cell that only starts with a quote ("放管服"改革) is
   * read as written. The same rule as the server's (readers/text.py split_rows). */
  var QUOTED_CELL = /"((?:[^"\t]|""){0,4000})"(?=[\t\n]|$)/y;
  function splitTable(text) {
    text = text.replace(/\r\n?/g, "\n");
    var rows = [], cells = [], pos = 0;
    for (;;) {
      var found = null, cell;
      if (text.charAt(pos) === '"') { QUOTED_CELL.lastIndex = pos; found = QUOTED_CELL.exec(text); }
      if (found) { cell = found[1].replace(/""/g, '"'); pos = QUOTED_CELL.lastIndex; }
      else {
        var end = text.slice(pos).search(/[\t\n]/);
        end = end < 0 ? text.length : pos + end;
        cell = text.slice(pos, end);
        pos = end;
      }
      cells.push(cell.trim());
      if (text.charAt(pos) === "\t") { pos += 1; continue; }
      while (cells.length && !cells[cells.length - 1]) cells.pop();
      rows.push(cells);
      if (pos >= text.length) return rows;
      cells = [];
      pos += 1;
    }
  }
  /* A cell's lines in one line: the 三级指标 box holds one line (the lines are joined as
   * written, Chinese needs no space); 指标值确定依据 lines are bases, joined with 、. */
  function oneLine(text, joiner) {
    return text.split("\n").map(function (p) { return p.trim(); }).filter(function (p) { return p; })
      .reduce(function (joined, part) {
        return joined + (joined && !/[、,，\/／;；]$/.test(joined) ? joiner : "") + part;
      }, "");
  }

  function parsePasted(text, level1, level2) {
    var lines = splitTable(text).filter(function (cells) {
      return cells.length && cells[0] !== "目标名称" && cells.indexOf("三级指标") < 0;
    });
    var width = Math.max.apply(null, [0].concat(lines.map(function (c) { return c.length; })));
    var rows = [], skipped = 0;
    lines.forEach(function (cells) {
      var padded = (width >= 6 ? cells : [""].concat(cells)).slice();
      while (padded.length < 6) padded.push("");
      var slots, level3, value, basis;
      if (padded.length <= 6 && padded[3] && fits(padded[0], 0) && fits(padded[1], 1) && fits(padded[2], 2)) {
        slots = padded.slice(0, 3); level3 = padded[3]; value = padded[4]; basis = padded[5];
      } else {
        var filled = cells.filter(function (c) { return c; });
        if (filled.length < 3 || filled.length > 6) { skipped += 1; return; }
        var tail = filled.slice(-3);
        level3 = tail[0]; value = tail[1]; basis = tail[2];
        slots = ["", "", ""];
        var free = [0, 1, 2].slice(3 - (filled.length - 3));
        filled.slice(0, -3).forEach(function (cell) {
          var slot = classify(cell);
          if (slot === null || slots[slot]) slot = free.filter(function (s) { return !slots[s]; })[0];
          if (slot !== undefined) slots[slot] = cell;
        });
      }
      if (slots[1]) { level1 = slots[1]; level2 = ""; }
      if (slots[2]) level2 = slots[2];
      var rowLevel1 = slots[1] ? level1 : inferLevel1(level1, level2);
      rows.push({
        level1: rowLevel1, level2: level2, level3: oneLine(level3, ""), value: oneLine(value, ""),
        basis: oneLine(basis, fw.basis_joiner)
      });
    });
    return { rows: rows, skipped: skipped };
  }

  function fillRow(row, data) {
    setSelect(row.querySelector("select.level1"), data.level1);
    refreshLevel2(row);
    setSelect(row.querySelector("select.level2"), data.level2);
    row.querySelector("input.level3").value = data.level3;
    row.querySelector("input.value-input").value = data.value;
    checkLength(row.querySelector("input.level3"));
    checkLength(row.querySelector("input.value-input"));
    setSelect(row.querySelector("select[name$='-basis']"), data.basis);
    showUnderstood(row);
  }

  function rowValues(row) {
    return {
      level1: row.querySelector("select.level1").value,
      level2: row.querySelector("select.level2").value,
      level3: row.querySelector("input.level3").value,
      value: row.querySelector("input.value-input").value,
      basis: row.querySelector("select[name$='-basis']").value
    };
  }
  function isEmptyRow(row) {
    var values = rowValues(row);
    return Object.keys(values).every(function (key) { return !values[key].trim(); });
  }

  /* Pasted rows never overwrite typed ones: they fill the empty row the cursor is
   * in and are inserted after it (after the cursor's row when it has content, at
   * the end from the paste box). The last paste can be undone (撤销粘贴 / Ctrl+Z). */
  var lastPaste = null;

  function pasteInto(goal, startRow, text) {
    var rows = visibleRows(goal);
    var fillFirst = startRow && isEmptyRow(startRow);
    var above = startRow ? (fillFirst ? rows[rows.indexOf(startRow) - 1] : startRow) : rows[rows.length - 1];
    var parsed = parsePasted(
      text,
      above ? above.querySelector("select.level1").value : "",
      above ? above.querySelector("select.level2").value : ""
    );
    if (!parsed.rows.length) return;
    var record = { goal: goal, added: [], filled: [], typed: false };
    var last = above || null;
    parsed.rows.forEach(function (data, i) {
      var row;
      if (i === 0 && fillFirst) {
        row = startRow;
        record.filled.push({ row: row, before: rowValues(row) });
      } else {
        row = addRow(goal, last, false);
        record.added.push(row);
      }
      fillRow(row, data);
      last = row;
    });
    lastPaste = record;
    markDirty();
    var message = "已粘贴" + parsed.rows.length + "行指标";
    if (startRow && !fillFirst) message += "（插入在第" + (rows.indexOf(startRow) + 1) + "行之后，未覆盖已有的行）";
    if (parsed.skipped) message += "，有" + parsed.skipped + "行无法识别，已跳过";
    showPasteStatus(goal, message + "。", true);
    if (last) firstCell(last).focus();
  }

  function showPasteStatus(goal, message, undoable) {
    goal.querySelector(".paste-status").textContent = message;
    form.querySelectorAll(".paste-undo").forEach(function (button) { button.hidden = true; });
    goal.querySelector(".paste-undo").hidden = !undoable;
  }

  function undoPaste() {
    var record = lastPaste;
    if (!record) return;
    lastPaste = null;
    record.added.forEach(function (row) { row.remove(); }); // new rows: never stored
    record.filled.forEach(function (item) { fillRow(item.row, item.before); });
    renumberRows(record.goal);
    var rows = visibleRows(record.goal);
    var focus = record.filled.length ? record.filled[0].row : rows[rows.length - 1];
    if (focus) firstCell(focus).focus(); else record.goal.querySelector(".add-row").focus();
    showPasteStatus(record.goal, "已撤销上一次粘贴。", false);
  }

  function onPaste(event) {
    var target = event.target;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    var isBox = target.classList.contains("paste-box");
    if (!isBox && !/[\t\n]/.test(text.trim())) return; // a single cell: ordinary paste
    event.preventDefault();
    var table = splitTable(text).filter(function (cells) { return cells.length; });
    if (!isBox && table.length === 1 && table[0].length === 1) { // one Excel cell of several lines
      var joiner = target.classList.contains("combo-basis") ? fw.basis_joiner : "";
      target.setRangeText(oneLine(table[0][0], joiner), target.selectionStart, target.selectionEnd, "end");
      target.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    var goal = target.closest(".goal");
    pasteInto(goal, isBox ? null : target.closest("tr.row"), text);
    if (isBox) target.value = "";
  }

  // -- goals ------------------------------------------------------------------
  function renumberGoals() {
    var position = 0;
    form.querySelectorAll(".goal-section").forEach(function (section) {
      var count = 0;
      section.querySelectorAll(".goals > .goal").forEach(function (goal) {
        if (goal.hidden) return;
        count += 1;
        position += 1;
        var name = TERM_LABEL[section.dataset.term] + count;
        goal.querySelector(".goal-name").textContent = name;
        goal.querySelector("input.position").value = position;
        var caption = goal.querySelector("caption");
        if (caption) caption.textContent = name + "指标";
      });
    });
  }

  function wireGoal(goal) {
    goal.querySelectorAll("tbody.rows > tr.row").forEach(wireRow);
    goal.querySelector(".add-row").addEventListener("click", function () { addRow(goal); });
    goal.querySelector(".remove-goal").addEventListener("click", function () {
      goal.querySelector("input.delete").value = "on";
      goal.hidden = true;
      markDirty();
      renumberGoals();
    });
    var status = document.createElement("span");
    status.className = "paste-status";
    status.setAttribute("role", "status");
    goal.querySelector(".grid-tools").appendChild(status);
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "paste-undo";
    undo.textContent = "撤销粘贴";
    undo.title = "撤销上一次粘贴（Ctrl+Z）";
    undo.hidden = true;
    undo.addEventListener("click", undoPaste);
    goal.querySelector(".grid-tools").appendChild(undo);
    renumberRows(goal);
  }

  function addGoal(term) {
    var total = form.querySelector("input[name='goals-TOTAL_FORMS']");
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = document.getElementById("goal-template").innerHTML.replace(/__goal__/g, index).trim();
    var goal = holder.firstElementChild;
    goal.querySelector("input.term").value = term;
    form.querySelector(".goal-section[data-term='" + term + "'] .goals").appendChild(goal);
    total.value = index + 1;
    markDirty();
    wireGoal(goal);
    renumberGoals();
    goal.querySelector("textarea").focus();
    return goal;
  }

  // -- lengths: said, never cut (the page has no maxlength; see forms.unlimited) --
  function checkLength(input) {
    var limit = parseInt(input.dataset.limit, 10);
    var note = input.parentNode.querySelector(".limit-note");
    var over = limit && input.value.length > limit;
    if (!over) { if (note) note.remove(); input.removeAttribute("aria-invalid"); return; }
    if (!note) {
      note = document.createElement("span");
      note.className = "limit-note";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent = "已有" + input.value.length + "个字，超过上限" + limit + "个字，请缩短后再保存。";
    input.setAttribute("aria-invalid", "true");
  }
  form.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.limit) checkLength(event.target);
  });

  // -- unsaved changes (static/js/leave_guard.js) ----------------------------------
  var guard = window.leaveGuard(form);
  function markDirty() { guard.markDirty(); }

  form.addEventListener("input", function (event) {
    if (lastPaste && !event.target.classList.contains("paste-box")) lastPaste.typed = true;
  });

  // -- the focused cell stays in view -------------------------------------------
  /* Tab into a cell that the sticky 保存 bar covers: scroll it up above the bar
   * (and down below the top edge). scroll-margin does this in CSS for most cases;
   * this also covers the focus moves the browser makes without scrolling. */
  var actions = form.querySelector(".form-actions");
  function keepInView(element) {
    if (!element.getBoundingClientRect || !actions) return;
    var box = element.getBoundingClientRect();
    var bar = actions.getBoundingClientRect();
    var margin = 12;
    var limit = Math.min(bar.top, window.innerHeight) - margin;
    if (element.closest(".form-actions")) return;
    if (box.bottom > limit) window.scrollBy(0, box.bottom - limit);
    else if (box.top < margin) window.scrollBy(0, box.top - margin);
  }
  form.addEventListener("focusin", function (event) {
    var target = event.target;
    requestAnimationFrame(function () { if (document.activeElement === target) keepInView(target); });
  });

  // -- start ------------------------------------------------------------------
  form.querySelectorAll(".goals > .goal").forEach(wireGoal);
  renumberGoals();
  form.querySelectorAll(".add-goal").forEach(function (button) {
    button.addEventListener("click", function () { addGoal(button.dataset.term); });
  });
  form.addEventListener("keydown", function (event) {
    var undoKey = (event.ctrlKey || event.metaKey) && !event.shiftKey && (event.key === "z" || event.key === "Z");
    if (undoKey && lastPaste && !lastPaste.typed && event.target.closest(".goal") === lastPaste.goal) {
      event.preventDefault();
      undoPaste();
      return;
    }
    if (event.target.closest(".editor-grid")) onGridKey(event);
  });
  form.addEventListener("paste", function (event) {
    if (event.target.closest(".editor-grid") || event.target.classList.contains("paste-box")) onPaste(event);
  });
  form.addEventListener("submit", function () {
    renumberGoals();
    form.querySelectorAll(".goal").forEach(renumberRows);
  });
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
