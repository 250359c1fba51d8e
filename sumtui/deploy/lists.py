"""Update lists: named static sets of catalog updates (SCCM: update lists), with their own compliance.

An update is one KB for one product. People name updates by KB, so a reference is `KB4592440` (every
product of that KB the site's clients have, or all its products when no client has any of them) or
`KB4592440@11569` (that product only). The console picks updates by id instead (`update_ids`).

Every function takes a session and keyword arguments, returns plain objects and raises `ListError`
with a message that names the list or the update; nothing is committed here (the caller commits), so
a failed call changes nothing once the caller rolls back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from sumtui.catalog.models import Update
from sumtui.compliance.queries import (
    UpdateCompliance,
    UpdateSetCompliance,
    fleet_products,
    page_update_compliance,
    update_set_compliance,
)
from sumtui.compliance.view import load_view, product_key
from sumtui.deploy.models import UpdateList, UpdateListItem
from sumtui.deploy.naming import (
    check_description,
    check_free,
    check_name,
    find_named,
    name_key,
)
from sumtui.deploy.toml_io import ListDocument, ListEntry
from sumtui.fleet.collections import ensure_all_systems
from sumtui.text import escape_controls
from sumtui.timeutil import utcnow

U = Update.__table__
ITEM = UpdateListItem.__table__
CHUNK = 900  # ids per IN (...): under SQLite's host-parameter limit


class ListError(Exception):
    """An update-list operation cannot be done; the message says why and names the list or update."""


# --- references to updates ----------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateRef:
    """What a person typed: a KB, and the catalog product id when they picked one."""

    kb: str
    product_id: str | None = None

    def __str__(self) -> str:
        return f"KB{self.kb}" + (f"@{self.product_id}" if self.product_id else "")


def parse_ref(text: str) -> UpdateRef:
    """'KB4592440', 'kb 4592440', '4592440' or 'KB4592440@11569' → UpdateRef; ListError otherwise."""
    kb_text, at, product_id = (text or "").partition("@")
    kb = kb_text.strip().upper().removeprefix("KB").strip()
    if not kb.isdigit() or not kb.isascii() or len(kb) > 10:
        raise ListError(f"'{escape_controls(text)}' is not a KB number like KB4592440 or KB4592440@11569")
    product_id = product_id.strip()
    if at and (not product_id or not product_id.isprintable() or len(product_id) > 64):
        raise ListError(f"'{escape_controls(text)}': after @ comes a catalog product id, like KB4592440@11569")
    return UpdateRef(kb, product_id or None)


@dataclass(frozen=True)
class ListedUpdate:
    """An update as lists show it. Its kb, product_id and product are what a package download takes
    (the shape of `package_download.WantedUpdate`)."""

    update_id: int
    kb: str
    product_id: str
    product: str
    title: str = ""
    severity: str | None = None

    def as_row(self) -> dict:
        return {"kb": self.kb, "product_id": self.product_id, "product": self.product, "title": self.title,
                "severity": self.severity}


def _catalog_updates(session: Session, column, values: Iterable) -> list[ListedUpdate]:
    """The catalog updates whose `column` (id or kb) is one of `values`."""
    values = list(dict.fromkeys(values))
    found = []
    for start in range(0, len(values), CHUNK):
        query = (select(U.c.id, U.c.kb, U.c.product_id, U.c.product, U.c.title, U.c.severity)
                 .where(column.in_(values[start:start + CHUNK])))
        found += [ListedUpdate(*row) for row in session.execute(query)]
    return found


def _updates_by_id(session: Session, ids: Iterable[int]) -> dict[int, ListedUpdate]:
    return {u.update_id: u for u in _catalog_updates(session, U.c.id, ids)}


def _sorted(updates: Iterable[ListedUpdate]) -> list[ListedUpdate]:
    """KB numbers in numeric order, then product id: the stable order of shows and exports."""
    return sorted(updates, key=lambda u: (len(u.kb), u.kb, u.product_id))


def resolve_refs(session: Session, *, refs: Sequence[str | UpdateRef]) -> list[ListedUpdate]:
    """The catalog updates the references name (bare KB: the products the site's clients have, or all
    of the KB's products when they have none). ListError names every reference that names nothing."""
    parsed = [r if isinstance(r, UpdateRef) else parse_ref(r) for r in refs]
    rows: dict[str, list[ListedUpdate]] = defaultdict(list)
    for u in _catalog_updates(session, U.c.kb, sorted({r.kb for r in parsed})):
        rows[u.kb].append(u)
    problems, chosen = [], []
    open_kbs: list[str] = []  # bare KBs of several products: settled by what the fleet has
    for ref in parsed:
        candidates = rows.get(ref.kb, [])
        if not candidates:
            problems.append(f"KB{ref.kb} is not in the catalog (sync or import the month that has it)")
        elif ref.product_id:
            picked = [u for u in candidates if u.product_id == ref.product_id]
            if picked:
                chosen.extend(picked)
            else:
                products = ", ".join(f"{u.product_id} ({u.product})" for u in _sorted(candidates))
                problems.append(f"KB{ref.kb} has no update for product id '{escape_controls(ref.product_id)}'; "
                                f"its products: {products}")
        elif len(candidates) == 1:
            chosen.extend(candidates)
        else:
            open_kbs.append(ref.kb)
    if problems:
        raise ListError("; ".join(problems))
    if open_kbs:
        keys = {u.update_id: product_key(u.product) for kb in open_kbs for u in rows[kb]}
        owned = fleet_products(session, candidates=set(keys.values()), view=load_view(session))
        for kb in dict.fromkeys(open_kbs):
            had = [u for u in rows[kb] if keys[u.update_id] in owned]
            chosen.extend(had or rows[kb])
    return _sorted({u.update_id: u for u in chosen}.values())


# --- lists ------------------------------------------------------------------------------------


def find_list(session: Session, *, name: str) -> UpdateList | None:
    return find_named(session, UpdateList, name=name)


def get_list(session: Session, *, name: str) -> UpdateList:
    found = find_list(session, name=name)
    if found is None:
        raise ListError(f"no update list named '{escape_controls(name or '')}' (see `sumtui lists`; create one with "
                        "`sumtui lists create NAME KB...`)")
    return found


def _check_free(session: Session, name: str, *, keep: int | None = None) -> None:
    check_free(session, UpdateList, name=name, keep=keep, what="update list", error=ListError)


def _item_ids(session: Session, list_id: int) -> set[int]:
    return set(session.execute(select(ITEM.c.update_id).where(ITEM.c.list_id == list_id)).scalars())


def _insert_items(session: Session, list_id: int, update_ids: Iterable[int]) -> None:
    now = utcnow()
    rows = [{"list_id": list_id, "update_id": uid, "added_at": now} for uid in update_ids]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(ITEM), rows[start:start + CHUNK])


def _delete_items(session: Session, list_id: int, update_ids: Iterable[int]) -> None:
    ids = list(update_ids)
    for start in range(0, len(ids), CHUNK):
        session.execute(delete(ITEM).where(ITEM.c.list_id == list_id, ITEM.c.update_id.in_(ids[start:start + CHUNK])))


def _picked(session: Session, refs: Sequence[str | UpdateRef], update_ids: Sequence[int]) -> list[ListedUpdate]:
    picked = resolve_refs(session, refs=refs) if refs else []
    if update_ids:
        by_id = _updates_by_id(session, update_ids)
        missing = [str(i) for i in update_ids if i not in by_id]
        if missing:
            raise ListError(f"no catalog update with id {', '.join(missing)}")
        picked = _sorted({**{u.update_id: u for u in picked}, **by_id}.values())
    return picked


def _touch(session: Session, update_list: UpdateList) -> None:
    update_list.updated_at = utcnow()
    session.add(update_list)
    session.flush()


def create_list(
    session: Session, *, name: str, description: str | None = None, refs: Sequence[str | UpdateRef] = (),
    update_ids: Sequence[int] = (),
) -> UpdateList:
    """A new list holding the updates `refs` and `update_ids` name (it may start empty)."""
    value = check_name(name, what="update list", error=ListError)
    _check_free(session, value)
    picked = _picked(session, refs, update_ids)
    update_list = UpdateList(name=value, name_key=name_key(value), description=check_description(
        description, what="update list", error=ListError), created_at=utcnow())
    session.add(update_list)
    session.flush()
    _insert_items(session, update_list.id, [u.update_id for u in picked])
    return update_list


def edit_list(session: Session, *, name: str, new_name: str | None = None, description: str | None = None) -> UpdateList:
    """Rename a list and/or change its description (None leaves a field as it is; "" clears the description)."""
    update_list = get_list(session, name=name)
    if new_name is not None:
        value = check_name(new_name, what="update list", error=ListError)
        _check_free(session, value, keep=update_list.id)
        update_list.name, update_list.name_key = value, name_key(value)
    if description is not None:
        update_list.description = check_description(description, what="update list", error=ListError)
    _touch(session, update_list)
    return update_list


@dataclass
class ListChange:
    """What an add or remove did: the updates that changed and those that were already so."""

    name: str
    changed: list[ListedUpdate] = field(default_factory=list)
    unchanged: list[ListedUpdate] = field(default_factory=list)


def add_updates(session: Session, *, name: str, refs: Sequence[str | UpdateRef] = (), update_ids: Sequence[int] = ()) -> ListChange:
    """Add updates to a list; those already in it are reported, not an error."""
    update_list = get_list(session, name=name)
    picked = _picked(session, refs, update_ids)
    if not picked:
        raise ListError("name at least one update to add (KB4592440, or KB4592440@11569 for one product)")
    present = _item_ids(session, update_list.id)
    change = ListChange(update_list.name)
    for u in picked:
        (change.unchanged if u.update_id in present else change.changed).append(u)
    _insert_items(session, update_list.id, [u.update_id for u in change.changed])
    _touch(session, update_list)
    return change


def remove_updates(session: Session, *, name: str, refs: Sequence[str | UpdateRef] = (), update_ids: Sequence[int] = ()) -> ListChange:
    """Remove updates from a list. A bare KB removes every product of it the list holds; a reference
    to nothing in the list is an error and nothing is removed."""
    update_list = get_list(session, name=name)
    held = _updates_by_id(session, _item_ids(session, update_list.id))
    removing: dict[int, ListedUpdate] = {}
    problems = []
    for ref in (r if isinstance(r, UpdateRef) else parse_ref(r) for r in refs):
        hits = [u for u in held.values() if u.kb == ref.kb and (ref.product_id is None or u.product_id == ref.product_id)]
        if not hits:
            problems.append(f"{ref} is not in update list '{escape_controls(update_list.name)}'")
        removing.update((u.update_id, u) for u in hits)
    for uid in update_ids:
        if uid not in held:
            problems.append(f"update id {uid} is not in update list '{escape_controls(update_list.name)}'")
        else:
            removing[uid] = held[uid]
    if problems:
        raise ListError("; ".join(problems))
    if not removing:
        raise ListError("name at least one update to remove")
    _delete_items(session, update_list.id, removing)
    _touch(session, update_list)
    return ListChange(update_list.name, changed=_sorted(removing.values()))


def delete_list(session: Session, *, name: str) -> UpdateList:
    update_list = get_list(session, name=name)
    session.execute(delete(ITEM).where(ITEM.c.list_id == update_list.id))
    session.delete(update_list)
    session.flush()
    return update_list


def list_updates(session: Session, *, name: str) -> list[ListedUpdate]:
    """The list's updates in the stable order (KB, then product id)."""
    update_list = get_list(session, name=name)
    return _sorted(_updates_by_id(session, _item_ids(session, update_list.id)).values())


def wanted_updates(session: Session, *, name: str) -> list[ListedUpdate]:
    """The list's updates for a package download (each has kb, product_id and product)."""
    updates = list_updates(session, name=name)
    if not updates:
        raise ListError(f"update list '{escape_controls(name)}' holds no updates")
    return updates


def list_detail(session: Session, *, name: str) -> dict:
    """`lists show`: {name, description, updates: [{kb, product_id, product, title, severity}]}."""
    update_list = get_list(session, name=name)
    return {"name": update_list.name, "description": update_list.description,
            "updates": [u.as_row() for u in list_updates(session, name=update_list.name)]}


@dataclass(frozen=True)
class ListSummary:
    id: int
    name: str
    description: str | None
    compliance: UpdateSetCompliance  # in the collection asked for (updates = 0 for an empty list)

    def as_row(self) -> dict:
        c = self.compliance
        return {"name": self.name, "description": self.description, "updates": c.updates, "required": c.required,
                "installed": c.installed, "failed": c.failed, "not_required": c.not_required, "unknown": c.unknown,
                "compliant_pct": c.compliant_pct}


def list_lists(session: Session, *, collection_id: int | None = None) -> list[ListSummary]:
    """Every list with its compliance in a collection (default: All Systems), by name."""
    collection_id = collection_id if collection_id is not None else ensure_all_systems(session).id
    totals = update_set_compliance(session, collection_id=collection_id, members=select(ITEM.c.list_id, ITEM.c.update_id))
    empty = UpdateSetCompliance(0, 0, 0, 0, 0, 0, None)
    lists = session.execute(select(UpdateList).order_by(UpdateList.name_key)).scalars()
    return [ListSummary(ul.id, ul.name, ul.description, totals.get(ul.id, empty)) for ul in lists]


def list_members(*, list_id: int):
    """A SELECT of the update ids in the list with this id, for the compliance queries' `update_ids` (the
    console holds a list by id: a rename while its page is open changes nothing there)."""
    return select(ITEM.c.update_id).where(ITEM.c.list_id == list_id)


def list_update_ids(session: Session, *, name: str):
    """A SELECT of the list's update ids, for the compliance queries' `update_ids`."""
    return list_members(list_id=get_list(session, name=name).id)


def list_compliance(
    session: Session, *, name: str, collection_id: int | None = None, sort: str = "required", descending: bool = True,
    offset: int = 0, limit: int = 100_000, only_needed: bool = False,
) -> list[UpdateCompliance]:
    """The per-update compliance rows of the list's updates (the compliance grid, restricted to the list)."""
    update_ids = list_update_ids(session, name=name)
    collection_id = collection_id if collection_id is not None else ensure_all_systems(session).id
    return page_update_compliance(
        session, collection_id=collection_id, update_ids=update_ids,
        sort=sort, descending=descending, offset=offset, limit=limit, only_needed=only_needed,
    )


def lists_holding(session: Session, *, update_id: int) -> list[str]:
    """Names of the lists an update is in (for an update's detail pane)."""
    query = (select(UpdateList.name).join(ITEM, ITEM.c.list_id == UpdateList.id)
             .where(ITEM.c.update_id == update_id).order_by(UpdateList.name_key))
    return list(session.execute(query).scalars())


def count_lists(session: Session) -> int:
    return session.execute(select(func.count()).select_from(UpdateList)).scalar_one()


# --- TOML export and import -------------------------------------------------------------------


def export_list(session: Session, *, name: str) -> ListDocument:
    """The list as a document for `toml_io.dump_list` (updates in the stable order)."""
    update_list = get_list(session, name=name)
    entries = [ListEntry(u.kb, u.product_id, u.product) for u in list_updates(session, name=update_list.name)]
    return ListDocument(update_list.name, update_list.description, entries)


@dataclass
class ListImportPlan:
    """What importing a document would change; nothing is changed until `apply_list_import`."""

    name: str  # as the file spells it
    description: str | None
    list_id: int | None  # None: the list is new
    old_name: str | None = None
    old_description: str | None = None
    added: list[ListedUpdate] = field(default_factory=list)
    removed: list[ListedUpdate] = field(default_factory=list)
    kept: int = 0

    @property
    def changed(self) -> bool:
        return (self.list_id is None or bool(self.added or self.removed) or self.old_name != self.name
                or self.old_description != self.description)

    def lines(self) -> list[str]:
        """The diff for people, one change a line (outside text unescaped: the caller escapes it)."""
        if self.list_id is None:
            head = f"update list {self.name!r}: new, {len(self.added)} update(s)"
        elif not self.changed:
            return [f"update list {self.name!r}: no changes ({self.kept} update(s))"]
        else:
            head = f"update list {self.name!r}: {len(self.added)} added, {len(self.removed)} removed, {self.kept} unchanged"
        out = [head]
        if self.list_id is not None and self.old_name != self.name:
            out.append(f"  name: {self.old_name!r} -> {self.name!r}")
        if self.old_description != self.description:
            out.append(f"  description: {self.old_description!r} -> {self.description!r}"
                       if self.list_id is not None else f"  description: {self.description!r}")
        out += [f"  - KB{u.kb}  {u.product_id}  {u.product}" for u in self.removed]
        out += [f"  + KB{u.kb}  {u.product_id}  {u.product}" for u in self.added]
        return out


def plan_list_import(session: Session, *, document: ListDocument) -> ListImportPlan:
    """Check a document against the catalog and the site's lists and say what importing it would do:
    the list becomes exactly what the file says (its updates, its description). ListError names the
    first problem (a bad name, an update the catalog does not have)."""
    name = check_name(document.name, what="update list", error=ListError)
    description = check_description(document.description, what="update list", error=ListError)
    wanted = {u.update_id: u for u in resolve_refs(session, refs=[e.ref for e in document.updates])} if document.updates else {}
    existing = find_list(session, name=name)
    if existing is None:
        return ListImportPlan(name, description, None, added=_sorted(wanted.values()))
    held = _updates_by_id(session, _item_ids(session, existing.id))
    return ListImportPlan(
        name, description, existing.id, old_name=existing.name, old_description=existing.description,
        added=_sorted(u for uid, u in wanted.items() if uid not in held),
        removed=_sorted(u for uid, u in held.items() if uid not in wanted),
        kept=sum(1 for uid in wanted if uid in held),
    )


def apply_list_import(session: Session, *, plan: ListImportPlan) -> UpdateList:
    """Make the change a plan describes (in the caller's transaction)."""
    if plan.list_id is None:
        return create_list(session, name=plan.name, description=plan.description or None,
                           update_ids=[u.update_id for u in plan.added])
    update_list = session.get(UpdateList, plan.list_id)
    if update_list is None:
        raise ListError(f"update list '{escape_controls(plan.old_name or plan.name)}' was deleted meanwhile; import again")
    _check_free(session, plan.name, keep=update_list.id)
    update_list.name, update_list.name_key, update_list.description = plan.name, name_key(plan.name), plan.description
    _delete_items(session, update_list.id, [u.update_id for u in plan.removed])
    _insert_items(session, update_list.id, [u.update_id for u in plan.added])
    _touch(session, update_list)
    return update_list
