"""Write a new Alembic migration from the difference between the models and a site at head.

    .venv/bin/python scripts/new_migration.py "what changed"

It opens a throw-away SQLite site at the current head, compares it with every package's models
(sumtui.site.schema_metadata) and writes the script under sumtui/db/migrations/versions/; read it
and edit it before committing (data migrations are never generated).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main(message: str) -> None:
    from alembic import command

    from sumtui.db.migrate import alembic_config
    from sumtui.site import open_site, schema_metadata

    with tempfile.TemporaryDirectory() as folder:
        site = open_site(f"sqlite:///{Path(folder) / 'site.db'}", content_dir=Path(folder) / "content")
        config = alembic_config(site.engine)
        config.attributes["target_metadata"] = schema_metadata()
        with site.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True)
        site.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: scripts/new_migration.py "what changed"')
    main(sys.argv[1])
