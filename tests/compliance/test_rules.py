"""DESIGN.md §2 rules 1–4 on a catalog that breaks the literal reading the way real MSRC data does."""

from __future__ import annotations

from sumtui.compliance.evaluate import (
    INSTALLED,
    NOT_REQUIRED,
    REQUIRED,
    ClientProfile,
    evaluate,
)
from tests.compliance.scenario import (
    CU,
    DYNAMIC,
    IE,
    NET,
    NET48_KB,
    ROLLUP,
    SECONLY,
    SSU,
)

W1809 = "Windows 10 Version 1809 for x64-based Systems"
W2012R2 = "Windows Server 2012 R2"


def states(view, profile) -> dict[tuple[str, str], tuple[int, str]]:
    result = evaluate(view, profile, explain=True)
    return {(view.updates[v.update_id].kb, view.updates[v.update_id].product): (v.state, v.reason) for v in result.verdicts}


def required(view, profile) -> set[str]:
    return {kb for (kb, _), (state, _) in states(view, profile).items() if state == REQUIRED}


def workstation(*kbs: str, ubr: int | None = None, products: tuple[str, ...] = ()) -> ClientProfile:
    return ClientProfile(W1809, "10.0.17763", ubr, frozenset(kbs), products)


def server(*kbs: str) -> ClientProfile:
    return ClientProfile(W2012R2, "6.3.9600", None, frozenset(kbs))


def test_fully_patched_machine_has_nothing_required(view):
    assert required(view, workstation(CU[4], NET[3])) == set()


def test_broken_chain_is_bridged_by_the_monthly_cumulative_family(view):
    # February's cumulative update names no predecessor; January's is still covered.
    got = states(view, workstation(CU[1]))
    assert got[(CU[1], W1809)][0] == INSTALLED
    assert got[(CU[4], W1809)][0] == REQUIRED
    assert got[(CU[2], W1809)] == (NOT_REQUIRED, f"Not required: covered by KB{CU[4]} (Required)")
    assert got[(CU[3], W1809)][0] == NOT_REQUIRED
    assert required(view, workstation(CU[2])) == {CU[4], SSU[3], NET[3]}


def test_installed_through_a_superseding_kb_across_the_broken_chain(view):
    got = states(view, workstation(CU[3], NET[3]))
    assert got[(CU[1], W1809)][0] == INSTALLED
    assert "superseded by KB" in got[(CU[1], W1809)][1]


def test_build_revision_credits_os_cumulative_updates(view):
    got = states(view, workstation(ubr=2686))  # March's fixed build, no KB listed
    assert got[(CU[3], W1809)][0] == INSTALLED
    assert "build 10.0.17763.2686" in got[(CU[3], W1809)][1]
    assert got[(CU[1], W1809)][0] == INSTALLED
    assert got[(CU[4], W1809)][0] == REQUIRED


def test_fixed_build_of_a_non_os_update_is_never_credited(view):
    net = "Microsoft .NET Framework 3.5 AND 4.7.2 on Windows 10 Version 1809 for x64-based Systems"
    got = states(view, workstation(ubr=9999))  # past the .NET update's OS-looking FixedBuild
    assert got[(NET[3], net)][0] == REQUIRED
    assert got[(CU[4], W1809)][0] == INSTALLED


def test_security_only_is_covered_by_a_later_rollup(view):
    got = states(view, server())
    assert got[(ROLLUP[4], W2012R2)][0] == REQUIRED
    for month in (1, 2, 3, 4):
        assert got[(SECONLY[month], W2012R2)][0] == NOT_REQUIRED, month
    assert got[(SECONLY[4], W2012R2)][1] == f"Not required: covered by KB{ROLLUP[4]} (Required)"
    assert required(view, server()) == {ROLLUP[4]}


def test_security_only_installed_when_a_later_rollup_is(view):
    got = states(view, server(ROLLUP[3]))
    assert got[(SECONLY[2], W2012R2)][0] == INSTALLED
    assert got[(SECONLY[4], W2012R2)][0] == NOT_REQUIRED
    assert required(view, server(ROLLUP[3])) == {ROLLUP[4]}


def test_component_seen_only_in_some_months_ships_with_the_os_and_is_covered(view):
    ie = "Internet Explorer 11 on Windows Server 2012 R2"
    got = states(view, server())
    assert got[(IE[1], ie)][0] == NOT_REQUIRED
    assert got[(IE[3], ie)][0] == NOT_REQUIRED
    assert "covered by KB" in got[(IE[3], ie)][1]
    assert states(view, server(ROLLUP[4]))[(IE[1], ie)][0] == INSTALLED


def test_ssu_installed_when_a_later_cumulative_update_is(view):
    got = states(view, workstation(CU[4], NET[3]))
    assert got[(SSU[3], W1809)][0] == INSTALLED
    assert got[(SSU[1], W1809)][0] == INSTALLED
    # With only March's cumulative update, March's SSU is not credited (not later) and stays Required.
    assert states(view, workstation(CU[3], NET[3]))[(SSU[3], W1809)][0] == REQUIRED


def test_ssu_family_supersedes_older_ssus(view):
    got = states(view, workstation())
    assert got[(SSU[1], W1809)][0] == NOT_REQUIRED
    assert got[(SSU[3], W1809)][0] == REQUIRED


def test_dynamic_updates_are_never_required(view):
    got = states(view, workstation())
    assert got[(DYNAMIC, W1809)][0] == NOT_REQUIRED
    assert "dynamic update" in got[(DYNAMIC, W1809)][1]


def test_inbox_dotnet_is_present_but_an_optional_version_needs_evidence(view):
    net48 = "Microsoft .NET Framework 3.5 AND 4.8 on Windows 10 Version 1809 for x64-based Systems"
    assert not any(product == net48 for _, product in states(view, workstation()))
    with_48 = states(view, workstation(NET48_KB[1]))
    assert with_48[(NET48_KB[3], net48)][0] == REQUIRED
    reported = states(view, workstation(products=(".NET Framework 3.5 AND 4.8",)))
    assert reported[(NET48_KB[3], net48)][0] == REQUIRED


def test_a_kb_shared_with_another_os_does_not_add_that_os(view):
    # The 2012 R2 rollups are also listed for Windows 8.1: the server must not "have" Windows 8.1.
    products = {product for _, product in states(view, server(ROLLUP[1]))}
    assert "Windows 8.1 for x64-based systems" not in products
    assert "Windows Server 2019" not in {p for _, p in states(view, workstation(CU[1]))}


def test_required_reason_names_the_product_and_the_missing_kb(view):
    reason = states(view, server())[(ROLLUP[4], W2012R2)][1]
    assert reason == f"Required: {W2012R2} is installed; KB{ROLLUP[4]} is not; nothing in the catalog supersedes it"
    ie = states(view, server())[(IE[3], "Internet Explorer 11 on Windows Server 2012 R2")]
    assert ie[0] == NOT_REQUIRED


def test_unmapped_os_has_no_applicable_updates(view):
    assert evaluate(view, ClientProfile(None, "6.1.0", None, frozenset())).verdicts == []
