"""Documents of the monitoring (and self-evaluation) stage, drawn through the shared
machinery of `projects.documents`:

- `layout`: the printed form (项目支出绩效目标执行监控表) as one `Sheet` structure,
  which the HTML page, the Excel writer and the PDF all draw from;
- `xlsx`: the form, a round's workbook (汇总 + one sheet per form) and the overview;
- `data`: the JSON exchange format `perfgoals-results/1`;
- `readers`: filled forms back from our Excel workbooks and JSON documents.
"""
