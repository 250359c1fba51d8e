"""Evaluation of one client against the catalog (DESIGN.md §2 rules 1–4): what a real Windows Update
scan would offer, from an inventory (installed KBs, OS product, build revision).

Pure: takes a CatalogView and a ClientProfile, returns verdicts; storing them is apply.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sumtui.catalog.identity import build_family
from sumtui.compliance.models import INSTALLED, REQUIRED
from sumtui.compliance.products import Presence, client_products
from sumtui.compliance.view import CatalogView, UpdateInfo, build_tuple
from sumtui.fleet.osmap import product_info

NOT_REQUIRED = 0
# Setup dynamic updates serve only Windows setup; a wrong_build row is a catalog error (rule 4).
_NEVER_OFFERED = ("dynamic", "wrong_build")
STATE_NAMES = {REQUIRED: "required", INSTALLED: "installed", NOT_REQUIRED: "not_required", 3: "failed"}


@dataclass(frozen=True)
class ClientProfile:
    os_product: str | None
    build: str | None  # "10.0.17763"
    ubr: int | None
    installed: frozenset[str]  # KB numbers, digits only
    reported_products: tuple[str, ...] = ()
    edition: str | None = None

    @cached_property
    def full_build(self) -> tuple[int, ...] | None:
        base = build_tuple(self.build)
        if base is None or len(base) != 3:
            return base
        return base + (self.ubr,) if self.ubr is not None else base

    def cache_key(self, catalog_kbs: set[str]) -> tuple:
        """Clients with the same key get the same verdicts: evaluation is cached per key in a batch."""
        return (self.os_product, self.edition, self.full_build, frozenset(self.installed & catalog_kbs), self.reported_products)


@dataclass(frozen=True)
class Verdict:
    update_id: int
    state: int  # REQUIRED, INSTALLED or NOT_REQUIRED
    reason: str = ""
    covered_by: str | None = None  # the KB that covers a not-required update


@dataclass
class Evaluation:
    products: dict[str, Presence] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)


def evaluate(view: CatalogView, profile: ClientProfile, *, explain: bool = False) -> Evaluation:
    products = client_products(
        view, os_product=profile.os_product, installed=profile.installed, reported=profile.reported_products,
        edition=profile.edition,
    )
    result = Evaluation(products=products)
    for u, state, why, other in _classify(view, profile, products):
        reason = _reason(u, state, why, other, profile, products) if explain else ""
        result.verdicts.append(Verdict(u.id, state, reason, other if why == "covered" else None))
    return result


def evaluate_states(view: CatalogView, profile: ClientProfile) -> dict[int, int]:
    """Only what the state table stores (Required and Installed), without reasons: the fleet-wide path."""
    products = client_products(
        view, os_product=profile.os_product, installed=profile.installed, reported=profile.reported_products,
        edition=profile.edition,
    )
    return {u.id: state for u, state, _why, _other in _classify(view, profile, products) if state != NOT_REQUIRED}


def _classify(view: CatalogView, profile: ClientProfile, products):
    """(update, state, why, the KB or build the why refers to) for every update of the client's products."""
    applicable = [u for key in products for u in view.by_product.get(key, ())]
    offered = {u.kb for u in applicable if u.role not in _NEVER_OFFERED}
    build = profile.full_build
    by_build = {u.kb for u in applicable if u.role == "cumulative" and u.fixed_build and _build_covers(build, u.fixed_build)}
    installed = profile.installed | by_build
    for u in applicable:
        kb = u.kb
        if u.role in _NEVER_OFFERED:
            yield u, NOT_REQUIRED, u.role, None
        elif kb in profile.installed:
            yield u, INSTALLED, "installed", None
        elif kb in by_build:
            yield u, INSTALLED, "build", None
        else:
            ancestors = view.ancestors(kb)
            got = ancestors & installed
            later = view.later_cumulative.get(u.id, frozenset()) & installed if u.role == "ssu" and not got else None
            covering = ancestors & offered
            if got:
                yield u, INSTALLED, "superseded", got
            elif later:
                yield u, INSTALLED, "ssu", later
            elif covering:
                yield u, NOT_REQUIRED, "covered", _head(view, covering)
            else:
                yield u, REQUIRED, "required", bool(ancestors)


def _build_covers(build: tuple[int, ...] | None, fixed: tuple[int, ...]) -> bool:
    """The client's build (with its revision) is at or past an OS cumulative update's fixed build;
    enablement-package siblings (19044 and 19045, 22621 and 22631) share their revisions."""
    return (build is not None and len(build) == 4 and len(fixed) == 4
            and build_family(build) == build_family(fixed) and build[3] >= fixed[3])


def _reason(u: UpdateInfo, state: int, why: str, other, profile: ClientProfile, products) -> str:
    kb = u.kb
    if why == "dynamic":
        return f"Not required: KB{kb} is a setup dynamic update, used only by Windows setup"
    if why == "wrong_build":
        known = product_info(u.product)
        own = f" (build {known.build})" if known else ""
        return (f"Not applicable: the catalog lists KB{kb} for {u.product}{own} with fixed build "
                f"{_dotted(u.fixed_build)}, a build of another Windows release: a catalog error")
    if why == "installed":
        return f"Installed: KB{kb} is installed"
    if why == "build":
        return f"Installed: build {_dotted(profile.full_build)} is at or past KB{kb}'s fixed build {_dotted(u.fixed_build)}"
    if why == "superseded":
        newer = max(other, key=lambda k: (k in profile.installed, int(k)))
        how = "installed" if newer in profile.installed else f"covered by build {_dotted(profile.full_build)}"
        return f"Installed: superseded by KB{newer}, which is {how}"
    if why == "ssu":
        return f"Installed: a later cumulative update of {u.product}, KB{max(other, key=int)}, is installed"
    if why == "covered":
        return f"Not required: covered by KB{other} (Required)"
    presence = products.get(u.product_key)
    extra = f" ({presence.why})" if presence and presence.why != "the OS" else ""
    tail = "none of the KBs that supersede it is installed" if other else "nothing in the catalog supersedes it"
    return f"Required: {u.product} is installed{extra}; KB{kb} is not; {tail}"


def _head(view: CatalogView, covering: frozenset[str]) -> str:
    """The chain head among the covering KBs: one that nothing else in the set supersedes."""
    heads = [k for k in covering if not (view.ancestors(k) & covering)]
    return max(heads or covering, key=int)


def _dotted(build: tuple[int, ...] | None) -> str:
    return ".".join(map(str, build)) if build else "?"
