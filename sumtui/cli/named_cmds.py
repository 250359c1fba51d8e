"""What the update-list and deployment-template commands share: `delete`, `show`, `export` and
`import` of a named thing, and the rule that a change the operator must review is confirmed first.

- export writes TOML to stdout, or to a file replaced whole (never half a file).
- import shows its diff; delete names what goes. Nothing changes without `--yes` or a typed "yes" on
  a terminal. Without `--yes`, a piped or redirected stdin cannot confirm: nothing changes and the
  command exits 1 (the operation was not done, so a script does not take it as done); a declined
  prompt also exits 1. An import that changes nothing exits 0 without asking.
- No database transaction stays open while the operator decides: an import is planned, shown, and
  after the "yes" planned again and applied only when the second plan shows what the operator saw.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sumtui.cli.output import FORMATS
from sumtui.errors import CommandError
from sumtui.export import write_text_whole
from sumtui.text import escape_controls


@contextmanager
def domain_errors(*types: type[Exception]) -> Iterator[None]:
    """A domain error (ListError, TemplateError, ...) becomes the command's one-line failure (exit 1)."""
    try:
        yield
    except types as exc:
        raise CommandError(str(exc)) from None


def add_file_commands(sub, *, noun: str, order: str, handlers: dict[str, Callable]) -> None:
    """`delete NAME [--yes]`, `show NAME [--format]`, `export NAME [-o FILE]` and `import FILE... [--yes]`."""
    a = "an" if noun[0] in "aeiou" else "a"
    delete = sub.add_parser("delete", help=f"delete {a} {noun} (asks first)")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(handler=handlers["delete"])
    show = sub.add_parser("show", help=f"{a} {noun}'s content")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--format", choices=FORMATS, default="table", dest="show_format")
    show.set_defaults(handler=handlers["show"])
    export = sub.add_parser("export", help=f"{a} {noun} as TOML ({order})")
    export.add_argument("name", metavar="NAME")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    export.set_defaults(handler=handlers["export"])
    imp = sub.add_parser("import", help=f"make {noun}s what TOML files say: shows the diff, then asks")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--yes", action="store_true", help="apply without asking")
    imp.set_defaults(handler=handlers["import"])


def confirm(question: str, *, yes: bool) -> bool:
    """True with --yes; otherwise ask on a terminal (typing "yes" or "y" confirms). False, after saying
    why, when stdin is not a terminal or the answer is anything else."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print("sumtui: nothing changed: add --yes to apply (stdin is not a terminal to confirm on)", file=sys.stderr)
        return False
    try:
        answer = input(f"{escape_controls(question)} Type yes to confirm: ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return True
    print("sumtui: nothing changed", file=sys.stderr)
    return False


def confirmed_delete(
    site, *, yes: bool, question: Callable, delete: Callable, errors: tuple[type[Exception], ...], noun: str,
) -> int:
    """Ask `question(session)` (it fails when there is nothing to delete), then `delete(session)` →
    the deleted thing's name."""
    with site.session() as session, domain_errors(*errors):
        asked = question(session)
    if not confirm(asked, yes=yes):
        return 1
    with site.session() as session, domain_errors(*errors):
        name = delete(session)
        session.commit()
    print(f"sumtui: {noun} {name!r} deleted", file=sys.stderr)
    return 0


def export_toml(site, *, render: Callable, output: str | None, errors: tuple[type[Exception], ...]) -> int:
    """`render(session)` → TOML text, to stdout or the file `output`."""
    with site.session() as session, domain_errors(*errors):
        text = render(session)
    return write_export(text, output)


def write_export(text: str, output: str | None) -> int:
    """`text` to standard output, or to the file `output`, replaced whole (a temporary file beside
    it, then renamed), so a reader never sees half a file."""
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_text_whole(Path(output), text)
    except OSError as exc:
        raise CommandError(f"{escape_controls(output)}: cannot write ({exc.strerror or exc})") from None
    print(f"sumtui: wrote {escape_controls(output)}", file=sys.stderr)
    return 0


def show_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print(escape_controls(line))


def reviewed_import(
    site, *, files: Sequence[str], yes: bool, read: Callable[[Path], object], plan: Callable, apply: Callable,
    errors: tuple[type[Exception], ...], noun: str,
) -> int:
    """Read every file (`read` → document), plan each (`plan(session, document)` → a plan with `name`,
    `changed` and `lines()`), show the diffs, and after confirmation apply them all in one transaction.
    A problem in any file changes nothing and names the file."""
    documents = []
    for file in files:
        with domain_errors(*errors):
            documents.append((file, read(Path(file))))

    def planned(session) -> list:
        plans = []
        for file, document in documents:
            try:
                plans.append(plan(session, document))
            except errors as exc:
                raise CommandError(f"{escape_controls(file)}: {exc}") from None
        names = [p.name.casefold() for p in plans]
        twice = next((p.name for p, n in zip(plans, names) if names.count(n) > 1), None)
        if twice is not None:
            raise CommandError(f"two of the files are both {noun} '{escape_controls(twice)}': import one of them")
        return plans

    with site.session() as session:
        plans = planned(session)
        session.rollback()
    for p in plans:
        show_lines(p.lines())
    changing = sum(1 for p in plans if p.changed)
    if not changing:
        return 0
    if not confirm(f"Apply these changes to {changing} {noun}(s)?", yes=yes):
        return 1
    with site.session() as session:
        again = planned(session)
        if [p.lines() for p in again] != [p.lines() for p in plans]:
            raise CommandError("the site changed while you were deciding; nothing changed: run the import again")
        with domain_errors(*errors):
            for p in again:
                if p.changed:
                    apply(session, p)
        session.commit()
    print(f"sumtui: applied {changing} {noun}(s)", file=sys.stderr)
    return 0
