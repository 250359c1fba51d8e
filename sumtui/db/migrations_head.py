"""The revision id of the newest migration, known without loading Alembic (fast start-up)."""

HEAD = "0009"  # the newest migration; a test checks it matches the migrations folder
