"""Deployment template commands: `sumtui templates [create | edit | delete | show | export | import]`.
Thin: each parses its arguments, opens the site and calls sumtui.deploy.templates.

Every setting is a flag, made from `deploy.template_fields.SETTINGS` (so a new setting gets its flag
by itself): `--notify-users / --no-notify-users`, `--duration 3 --duration-unit days`, `--collection
NAME` (`""` for none), ... Settings not given keep SCCM's default (create) or their value (edit).
Exit codes: 0 done, 1 failed or not confirmed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from sumtui.cli.named_cmds import (
    add_file_commands,
    confirmed_delete,
    domain_errors,
    export_toml,
    reviewed_import,
)
from sumtui.cli.output import FORMATS, ID, NUMBER, STATE, TEXT, emit
from sumtui.deploy.template_fields import BOOL, CHOICE, INT, SETTINGS

NOUN = "deployment template"


def _choice(choices: tuple[str, ...]):
    def parse(text: str) -> str:
        value = text.strip().lower().replace("-", "_")
        if value not in choices:
            raise argparse.ArgumentTypeError(f"{text!r}: one of {', '.join(c.replace('_', '-') for c in choices)}")
        return value

    return parse


def _setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (SCCM's default when not given)")
    for s in SETTINGS:
        flag, dest = "--" + s.name.replace("_", "-"), f"setting_{s.name}"
        shown = {None: "none", True: "on", False: "off"}.get(s.default, str(s.default).replace("_", "-"))
        text = f"{s.label} [{s.group}; SCCM default: {shown}]"
        if s.kind == BOOL:
            group.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction, default=None, help=text)
        elif s.kind == INT:
            group.add_argument(flag, dest=dest, type=int, default=None, metavar="N", help=text)
        elif s.kind == CHOICE:
            group.add_argument(flag, dest=dest, type=_choice(s.choices), default=None,
                               metavar="{" + ",".join(c.replace("_", "-") for c in s.choices) + "}", help=text)
        else:
            group.add_argument(flag, dest=dest, default=None, metavar="NAME", help=text + ' ("" for none)')


def _given(args: argparse.Namespace) -> dict:
    values = {s.name: getattr(args, f"setting_{s.name}") for s in SETTINGS}
    given = {k: v for k, v in values.items() if v is not None}
    if given.get("collection") is not None and not given["collection"].strip():
        given["collection"] = None  # --collection "": no collection
    return given


def register(sub) -> None:
    templates = sub.add_parser("templates", help="deployment templates: reusable deployment settings")
    templates.add_argument("--format", choices=FORMATS, default="table")
    templates.set_defaults(handler=templates_cmd)
    tsub = templates.add_subparsers(dest="templates_command", metavar="SUBCOMMAND")

    create = tsub.add_parser("create", help="a new template: SCCM's defaults, changed by the flags given")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--description", metavar="D")
    _setting_flags(create)
    create.set_defaults(handler=create_cmd)
    edit = tsub.add_parser("edit", help="change a template's name, description or settings")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--name", dest="new_name", metavar="NEW_NAME")
    edit.add_argument("--description", metavar="D", help='"" clears it')
    _setting_flags(edit)
    edit.set_defaults(handler=edit_cmd)
    add_file_commands(tsub, noun=NOUN, order="every setting, in the wizard's order", handlers={
        "delete": delete_cmd, "show": show_cmd, "export": export_cmd, "import": import_cmd})


def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def _errors() -> tuple[type[Exception], ...]:
    from sumtui.deploy.templates import TemplateError
    from sumtui.deploy.toml_io import TomlFileError

    return (TemplateError, TomlFileError)


def _row(view) -> dict:
    s = view.settings
    suppressed = [w for w, on in (("servers", s.suppress_restart_servers), ("workstations", s.suppress_restart_workstations)) if on]
    return {"name": view.name, "description": view.description, "deadline_after": f"{s.duration} {s.duration_unit}",
            "suppress_restart": ", ".join(suppressed) or "none", **s.model_dump()}


def templates_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import list_templates

    site = _site(args)
    with site.session() as session:
        views = list_templates(session)
    if args.format == "json":
        emit([v.as_document() for v in views], fmt="json", columns=[])
        return 0
    emit([_row(v) for v in views], fmt=args.format, columns=[
        ("name", "Name", ID), ("collection", "Collection", TEXT), ("deadline_after", "Deadline after", NUMBER),
        ("time_basis", "Time", STATE), ("notify_users", "Notify", STATE), ("suppress_restart", "Suppress restart", STATE),
        ("description", "Description", TEXT),
    ] if args.format == "table" else [("name", "name"), ("description", "description"), *((s.name, s.name) for s in SETTINGS)])
    return 0


def _saved(view, verb: str) -> int:
    print(f"sumtui: {NOUN} {view.name!r} {verb}", file=sys.stderr)
    return 0


def create_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import create_template, make_settings

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        view = create_template(session, name=args.name, description=args.description, settings=make_settings(_given(args)))
        session.commit()
    return _saved(view, "created")


def edit_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import edit_template, get_template, make_settings

    given = _given(args)
    if args.new_name is None and args.description is None and not given:
        print("sumtui templates edit: give --name, --description or a setting to change", file=sys.stderr)
        return 2
    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        current = get_template(session, name=args.name)
        view = edit_template(session, name=args.name, new_name=args.new_name, description=args.description,
                             settings=make_settings(given, base=current.settings))
        session.commit()
    return _saved(view, "saved")


def delete_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import delete_template, get_template

    return confirmed_delete(
        _site(args), yes=args.yes, errors=_errors(), noun=NOUN,
        question=lambda session: f"Delete {NOUN} {get_template(session, name=args.name).name!r}?",
        delete=lambda session: delete_template(session, name=args.name).name,
    )


def show_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import get_template

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        view = get_template(session, name=args.name)
    if args.show_format == "json":
        print(json.dumps(view.as_document(), indent=2))
        return 0
    values = view.settings.model_dump()
    rows = [{"group": s.group, "setting": s.name, "label": s.label, "value": values[s.name], "default": s.default,
             "changed": values[s.name] != s.default} for s in SETTINGS]
    emit(rows, fmt=args.show_format, title=view.name + (f": {view.description}" if view.description else ""), columns=[
        ("group", "Page", STATE), ("label", "Setting", TEXT), ("value", "Value", STATE), ("default", "SCCM default", STATE),
    ] if args.show_format == "table" else [(k, k) for k in ("group", "setting", "label", "value", "default", "changed")])
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import export_template
    from sumtui.deploy.toml_io import dump_template

    return export_toml(_site(args), render=lambda session: dump_template(export_template(session, name=args.name)),
                       output=args.output, errors=_errors())


def import_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.templates import apply_template_import, plan_template_import
    from sumtui.deploy.toml_io import parse_template, read_file

    return reviewed_import(
        _site(args), files=args.files, yes=args.yes, noun=NOUN, errors=_errors(),
        read=lambda path: parse_template(read_file(path), source=str(path)),
        plan=lambda session, document: plan_template_import(session, document=document),
        apply=lambda session, plan: apply_template_import(session, plan=plan),
    )
