"""Update list commands: `sumtui lists [create | add | remove | rename | edit | delete | show | export |
import]`. Thin: each parses its arguments, opens the site and calls sumtui.deploy.lists.

Updates are named `KB4592440` (every product of the KB the site's clients have, or all its products
when none do) or `KB4592440@11569` (one product). Exit codes: 0 done, 1 failed or not confirmed
(the message says why), 2 bad usage.
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

UPDATE_HELP = "KB4592440 (the products the site's clients have) or KB4592440@PRODUCT_ID (one product)"
NOUN = "update list"


def _ref(text: str):
    from sumtui.deploy.lists import ListError, parse_ref

    try:
        return parse_ref(text)
    except ListError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Intermixed(argparse.ArgumentParser):
    """Updates may follow options (`create NAME --description D KB...`): before Python 3.12 argparse
    gives an optional list of positionals its empty match at NAME and then refuses the KBs as extras."""

    _inside = False

    def parse_known_args(self, args=None, namespace=None):
        if self._inside:  # parse_known_intermixed_args calls back in here
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def register(sub) -> None:
    lists = sub.add_parser("lists", help="update lists: named sets of updates with their own compliance")
    lists.add_argument("--collection", help="compliance in this collection (default: All Systems)")
    lists.add_argument("--format", choices=FORMATS, default="table")
    lists.set_defaults(handler=lists_cmd)
    lsub = lists.add_subparsers(dest="lists_command", metavar="SUBCOMMAND", parser_class=_Intermixed)

    create = lsub.add_parser("create", help="a new list, empty or with updates")
    create.add_argument("name", metavar="NAME")
    create.add_argument("refs", nargs="*", type=_ref, metavar="KB", help=UPDATE_HELP)
    create.add_argument("--description", metavar="D")
    create.set_defaults(handler=create_cmd)
    for verb, text in (("add", "add updates to a list"), ("remove", "remove updates from a list (a bare KB: every product of it)")):
        change = lsub.add_parser(verb, help=text)
        change.add_argument("name", metavar="NAME")
        change.add_argument("refs", nargs="+", type=_ref, metavar="KB", help=UPDATE_HELP)
        change.set_defaults(handler=change_cmd, verb=verb)
    rename = lsub.add_parser("rename", help="give a list a new name")
    rename.add_argument("name", metavar="NAME")
    rename.add_argument("new_name", metavar="NEW_NAME")
    rename.set_defaults(handler=edit_cmd, description=None)
    edit = lsub.add_parser("edit", help="change a list's name or description")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--name", dest="new_name", metavar="NEW_NAME")
    edit.add_argument("--description", metavar="D", help='"" clears it')
    edit.set_defaults(handler=edit_cmd)
    add_file_commands(lsub, noun=NOUN, order="stable order: KB, then product id", handlers={
        "delete": delete_cmd, "show": show_cmd, "export": export_cmd, "import": import_cmd})


def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def _errors() -> tuple[type[Exception], ...]:
    from sumtui.deploy.lists import ListError
    from sumtui.deploy.toml_io import TomlFileError

    return (ListError, TomlFileError)


def lists_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import list_lists
    from sumtui.fleet.collections import FleetError, get_collection

    site = _site(args)
    with site.session() as session, domain_errors(FleetError):
        collection_id = get_collection(session, args.collection).id if args.collection else None
        rows = [s.as_row() for s in list_lists(session, collection_id=collection_id)]
        session.commit()  # All Systems, when this is the site's first look at it
    emit(rows, fmt=args.format, columns=[
        ("name", "Name", ID), ("updates", "Updates", NUMBER), ("required", "Req.", NUMBER), ("failed", "Fail.", NUMBER),
        ("unknown", "Unkn.", NUMBER), ("compliant_pct", "%OK", NUMBER), ("description", "Description", TEXT),
    ] if args.format == "table" else [(k, k) for k in ("name", "description", "updates", "required", "installed", "failed",
                                                      "not_required", "unknown", "compliant_pct")])
    return 0


def _emit_updates(updates, *, fmt: str = "table") -> None:
    rows = [dict(u.as_row(), kb_id=f"KB{u.kb}") for u in updates]
    emit(rows, fmt=fmt, columns=[
        ("kb_id", "KB", ID), ("product_id", "Product id", ID), ("product", "Product", TEXT), ("severity", "Severity", STATE),
        ("title", "Title", TEXT),
    ] if fmt == "table" else [(k, k) for k in ("kb", "product_id", "product", "severity", "title")])


def create_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import create_list, list_updates

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        created = create_list(session, name=args.name, description=args.description, refs=args.refs)
        updates = list_updates(session, name=created.name)
        session.commit()
    _emit_updates(updates)
    print(f"sumtui: {NOUN} {created.name!r} created with {len(updates)} update(s)", file=sys.stderr)
    return 0


def change_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import add_updates, remove_updates

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        change = (add_updates if args.verb == "add" else remove_updates)(session, name=args.name, refs=args.refs)
        session.commit()
    _emit_updates(change.changed)
    done = "added to" if args.verb == "add" else "removed from"
    note = f" ({len(change.unchanged)} already in it)" if change.unchanged else ""
    print(f"sumtui: {len(change.changed)} update(s) {done} {change.name!r}{note}", file=sys.stderr)
    return 0


def edit_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import edit_list

    if args.new_name is None and args.description is None:
        print("sumtui lists edit: give --name or --description", file=sys.stderr)
        return 2
    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        edited = edit_list(session, name=args.name, new_name=args.new_name, description=args.description)
        session.commit()
    print(f"sumtui: {NOUN} {edited.name!r} saved", file=sys.stderr)
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import delete_list, get_list, list_updates

    def question(session) -> str:
        found = get_list(session, name=args.name)
        count = len(list_updates(session, name=found.name))
        return f"Delete {NOUN} {found.name!r} ({count} update(s); the updates stay in the catalog)?"

    return confirmed_delete(_site(args), yes=args.yes, question=question, errors=_errors(), noun=NOUN,
                            delete=lambda session: delete_list(session, name=args.name).name)


def show_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import list_detail, list_updates

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        if args.show_format == "json":
            print(json.dumps(list_detail(session, name=args.name), indent=2))
            return 0
        updates = list_updates(session, name=args.name)
    _emit_updates(updates, fmt=args.show_format)
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import export_list
    from sumtui.deploy.toml_io import dump_list

    return export_toml(_site(args), render=lambda session: dump_list(export_list(session, name=args.name)),
                       output=args.output, errors=_errors())


def import_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import apply_list_import, plan_list_import
    from sumtui.deploy.toml_io import parse_list, read_file

    return reviewed_import(
        _site(args), files=args.files, yes=args.yes, noun=NOUN, errors=_errors(),
        read=lambda path: parse_list(read_file(path), source=str(path)),
        plan=lambda session, document: plan_list_import(session, document=document),
        apply=lambda session, plan: apply_list_import(session, plan=plan),
    )
