"""The site database: engine factory, shared helpers and Alembic migrations."""
