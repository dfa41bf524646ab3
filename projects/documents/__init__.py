"""Documents: every reader and writer of approval sheets, and the layout they share.

- `data`: a stored project as the canonical project data (`perfgoals/1`), the
  structure every reader produces and the JSON backup writes.
- `layout`: the official sheet's rows and spans, computed once.
- `readers`: file detection (`read_projects`), the copied text (`text`), the JSON
  document (`jsondoc`), our Excel workbook (`xlsx`), any workbook (`workbook`),
  Word (`docx`); `grid` (rows of cells with their places, from text, Excel or
  Word), `official` (the official layout from a grid) and `recognize` (the other
  layouts units publish) are shared by them.
- `writers`: Excel (`xlsx`) and PDF (`pdf`); the HTML sheet is a template.
- `errors`: `ImportFormatError`, which every reader raises with the place.

Dependencies point one way: documents → models → rules (`indicators`).
"""
