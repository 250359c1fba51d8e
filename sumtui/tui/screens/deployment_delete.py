"""Deleting a deployment from the monitoring screens: a typed confirmation ("yes"), as `sumtui deployments
delete` asks on a terminal, with the same question; the delete runs in a worker and ends in
`DeployChanged` (or `WorkFailed` saying why not)."""

from __future__ import annotations

from textual import work

from sumtui.tui.messages import DeployChanged, WorkFailed


def delete_question(name: str, updates: int) -> str:
    """The CLI's question (sumtui.cli.deploy_cmds.delete_cmd), word for word."""
    return (f"Delete deployment {name!r} ({updates} update(s)) with its status? Clients drop it at their next policy "
            "poll; what they installed stays installed.")


def _typed_yes(text: str) -> str | None:
    return None if text.strip().lower() in ("y", "yes") else "type yes to delete it (esc keeps it)"


class DeleteDeploymentAction:
    """For a screen (a DOMNode with `console`): `ask_delete_deployment` then the worker."""

    def ask_delete_deployment(self, name: str, updates: int) -> None:
        from sumtui.tui.screens.prompt import PromptScreen

        if self.console.readonly:  # type: ignore[attr-defined]
            return

        def answered(text: str | None) -> None:
            if text is not None:
                self.delete_deployment(name)

        self.app.push_screen(PromptScreen(  # type: ignore[attr-defined]
            delete_question(name, updates), detail="Type yes to confirm.", placeholder="yes", action="Delete",
            check=_typed_yes,
        ), answered)

    @work(thread=True, group="deployment-delete", exit_on_error=False)
    def delete_deployment(self, name: str) -> None:
        from sumtui.deploy.deployments import DeploymentError, delete_deployment

        try:
            with self.console.site.session() as session:  # type: ignore[attr-defined]
                deleted = delete_deployment(session, name=name).name
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"deleting {name!r}", exc, DeploymentError))  # type: ignore[attr-defined]
            return
        self.post_message(DeployChanged(  # type: ignore[attr-defined]
            f"Deployment {deleted!r} deleted: clients drop it at their next policy poll."))
