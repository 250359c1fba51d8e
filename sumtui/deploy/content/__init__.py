"""Update content: finding an update's files (Microsoft Update Catalog, a folder, a manifest),
downloading them with verification, and the content store that keeps one copy per file.

Nothing here knows about packages or the database: `sumtui.deploy.packages` and its siblings tie
these pieces to the site. Imports no console and no web framework.
"""
