"""Documents: every reader and writer of approval sheets, and the layout they share.

- `data`: a stored project as the canonical project data (`perfgoals/1`), the
  structure every reader produces and the JSON backup writes.
- `layout`: the official sheet's rows and spans, computed once.
- `readers`: file detection (`read_projects`), the copied text (`text`), the JSON
  document (`jsondoc`), our Excel workbook (`xlsx`).
- `writers`: Excel (`xlsx`) and PDF (`pdf`); the HTML sheet is a template.
- `errors`: `ImportFormatError`, which every reader raises with the place.

Dependencies point one way: documents → models → rules (`indicators`).
"""
