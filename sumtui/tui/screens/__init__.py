"""The console's screens. `SCREENS` maps the names `:` accepts to the screens that are pages (the
settings forms are modal and opened by the App)."""
