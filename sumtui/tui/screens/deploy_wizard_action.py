"""`D` (deploy) on the pages that hold updates: the Updates and Compliance grids deploy the picked updates
(none picked: the one under the cursor); an update list's page and the lists page deploy the list. Each
opens the deployment wizard (deploy_wizard) with them; the wizard is imported only when asked for."""

from __future__ import annotations


def open_wizard(app, **preset) -> None:
    from sumtui.tui.screens.deploy_wizard import start_deploy_wizard

    start_deploy_wizard(app, **preset)


class DeployAction:
    """The Updates and Compliance screens' side of `D`: their `#grid` is a SelectableTable keyed by
    update id. A screen that deploys something else overrides `deploy_preset`."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "deploy" and self.console.readonly:
            return False
        return super().check_action(action, parameters)

    def deploy_preset(self) -> dict | None:
        """What the wizard starts with: {update_ids, labels}, {list_name}, or None (nothing here)."""
        from sumtui.tui.widgets.selectable_table import SelectableTable

        grid = self.query_one("#grid", SelectableTable)
        picked = grid.picked
        if not picked and grid.current_row is not None:
            picked = {grid.key_of(grid.current_row): grid.label_of(grid.current_row)}
        if not picked:
            return None
        return {"update_ids": tuple(int(k) for k in picked), "labels": tuple(picked.values())}

    def action_deploy(self) -> None:
        if self.console.readonly:
            return
        preset = self.deploy_preset()
        if preset is None:
            self.notify("Nothing here to deploy: pick updates with space (or open the wizard with :deploy).",
                        timeout=4)
            return
        open_wizard(self.app, **preset)
