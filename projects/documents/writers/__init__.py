"""Writers of the approval sheet: Excel (`xlsx`), PDF (`pdf`); the HTML page is a
template (`projects/sheet_body.html`). All draw from `projects.documents.layout`."""
