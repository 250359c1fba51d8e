"""The scriptable command line: catalog, fleet and site commands (`--format table|json|csv`)."""

from __future__ import annotations


def register(sub) -> None:
    from sumtui.cli import catalog_cmds, content_cmds, fleet_cmds, site_cmds
    from sumtui.cli import lists_cmds, templates_cmds
    from sumtui.cli import collections_cmds, deploy_cmds, nap_cmds

    site_cmds.register(sub)
    catalog_cmds.register(sub)
    fleet_cmds.register(sub)
    content_cmds.register(sub)
    lists_cmds.register(sub)
    templates_cmds.register(sub)
    collections_cmds.register(sub)
    deploy_cmds.register(sub)
    nap_cmds.register(sub)
