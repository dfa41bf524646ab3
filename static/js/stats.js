/* The charts of the statistics page (统计分析), drawn with the vendored Apache ECharts.
 *
 * Each <div class="chart" data-chart="ID"> names a JSON script element (rendered by
 * the server with json_script, so no inline script) holding:
 *   {title, kind: "bar"|"line"|"pie", horizontal, categories: [...], axes: [names],
 *    series: [{name, values: [...], axis: 0|1, kind, stack}]}
 * The table under each chart holds the same figures for printing and screen readers.
 */
(function () {
  "use strict";

  if (!window.echarts) return;
  var PALETTE = ["#3b6ea5", "#b3261e", "#d4a017", "#1a7f37", "#7a5195", "#57606a"];
  var FONT = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif";

  function valueAxes(spec) {
    var names = spec.axes && spec.axes.length ? spec.axes : [""];
    return names.map(function (name, index) {
      return {
        type: "value",
        name: name,
        // Horizontal charts: the name under (or above) the axis, where it is not cut off.
        nameLocation: spec.horizontal ? "middle" : "end",
        nameGap: spec.horizontal ? 26 : 8,
        position: spec.horizontal ? (index ? "top" : "bottom") : (index ? "right" : "left"),
        splitLine: { show: index === 0 },
        axisLabel: { hideOverlap: true }
      };
    });
  }

  function option(spec) {
    var horizontal = spec.horizontal;
    var category = {
      type: "category",
      data: spec.categories,
      inverse: horizontal, // the table's first row on top
      axisLabel: horizontal ? { width: 200, overflow: "truncate" } : { interval: 0, hideOverlap: true },
      axisTick: { alignWithLabel: true }
    };
    var series = spec.series.map(function (item) {
      var drawn = {
        name: item.name,
        type: item.kind === "line" ? "line" : "bar",
        data: item.values,
        barMaxWidth: 26
      };
      drawn[horizontal ? "xAxisIndex" : "yAxisIndex"] = item.axis || 0;
      if (item.stack) drawn.stack = item.stack;
      if (item.color) drawn.itemStyle = { color: item.color };
      if (drawn.type === "line") drawn.symbolSize = 8;
      return drawn;
    });
    var axes = valueAxes(spec);
    return {
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      // Rich text tooltips are drawn on the canvas: no HTML with inline styles (CSP).
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { show: series.length > 1, bottom: 0 },
      grid: {
        left: 12,
        right: 24,
        top: horizontal ? (axes.length > 1 ? 56 : 12) : 36,
        bottom: (series.length > 1 ? 30 : 0) + (horizontal ? 36 : 12),
        containLabel: true
      },
      xAxis: horizontal ? axes : category,
      yAxis: horizontal ? category : axes,
      series: series
    };
  }

  function height(spec) {
    if (!spec.horizontal) return 320;
    var perCategory = spec.series.filter(function (s) { return !s.stack; }).length > 1 ? 40 : 28;
    return Math.max(220, spec.categories.length * perCategory + 110);
  }

  var drawn = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (node) {
    var source = document.getElementById(node.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    if (!spec.categories.length) { node.hidden = true; return; }
    node.style.height = height(spec) + "px";
    var chart = window.echarts.init(node, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(spec));
    node.dataset.drawn = "true";
    drawn.push(chart);
  });
  function resize() { drawn.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
})();
