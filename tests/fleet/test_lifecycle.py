"""End of servicing by release and edition, and the "out of support" flag."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sumtui.fleet.lifecycle import end_of_servicing, is_out_of_support, lifecycle
from sumtui.fleet.osmap import PRODUCTS, edition_from_os_name

W10_1809 = "Windows 10 Version 1809 for x64-based Systems"


@pytest.mark.parametrize("product, edition, expected", [
    (W10_1809, "Enterprise", date(2021, 5, 11)),
    (W10_1809, "Education", date(2021, 5, 11)),
    (W10_1809, "Pro", date(2020, 11, 10)),
    (W10_1809, "Home", date(2020, 11, 10)),
    (W10_1809, "LTSC", date(2029, 1, 9)),
    (W10_1809, "IoT LTSC", date(2029, 1, 9)),
    ("Windows 10 Version 1809 for ARM64-based Systems", "Enterprise", date(2021, 5, 11)),
    ("Windows 7 for x64-based Systems Service Pack 1", "Ultimate", date(2020, 1, 14)),
    ("Windows 7 for 32-bit Systems Service Pack 1", None, date(2020, 1, 14)),
    ("Windows Server 2012 R2", "Standard", date(2023, 10, 10)),
    ("Windows Server 2012 R2 (Server Core installation)", "Datacenter", date(2023, 10, 10)),
    ("Windows Server 2008 R2 for x64-based Systems Service Pack 1", "Standard", date(2020, 1, 14)),
    ("Windows 8.1 for x64-based systems", "Pro", date(2023, 1, 10)),
    ("Windows 10 Version 22H2 for x64-based Systems", "Pro", date(2025, 10, 14)),
    ("Windows 10 Version 22H2 for x64-based Systems", "Enterprise", date(2025, 10, 14)),
    ("Windows 10 Version 21H2 for x64-based Systems", "Enterprise", date(2024, 6, 11)),
    ("Windows 10 Version 21H2 for x64-based Systems", "LTSC", date(2027, 1, 12)),
    ("Windows 10 Version 21H2 for x64-based Systems", "IoT LTSC", date(2032, 1, 13)),
    ("Windows 10 Version 1607 for x64-based Systems", "LTSC", date(2026, 10, 13)),
    ("Windows 10 for x64-based Systems", "LTSC", date(2025, 10, 14)),
    ("Windows 11 version 21H2 for x64-based Systems", "Pro", date(2023, 10, 10)),
    ("Windows 11 Version 23H2 for x64-based Systems", "Enterprise", date(2026, 11, 10)),
    ("Windows 11 Version 24H2 for x64-based Systems", "LTSC", date(2029, 10, 9)),
    ("Windows 11 Version 24H2 for x64-based Systems", "IoT LTSC", date(2034, 10, 10)),
    ("Windows 11 Version 24H2 for x64-based Systems", "Pro", date(2026, 10, 13)),
    ("Windows 11 Version 25H2 for ARM64-based Systems", "Education", date(2028, 10, 10)),
    ("Windows Server 2016", "Standard", date(2027, 1, 12)),
    ("Windows Server 2019", "Datacenter", date(2029, 1, 9)),
    ("Windows Server 2022", None, date(2031, 10, 14)),
    ("Windows Server 2025", "Standard", date(2034, 10, 10)),
    ("Windows Server 2022, 23H2 Edition (Server Core installation)", "Datacenter", date(2025, 10, 24)),
    ("Windows Server, version 20H2 (Server Core Installation)", None, date(2022, 8, 9)),
])
def test_end_of_servicing(product, edition, expected):
    assert end_of_servicing(product, edition) == expected


def test_ltsc_2019_mainstream_and_extended():
    found = lifecycle(W10_1809, "LTSC")
    assert (found.mainstream_end, found.end_of_servicing) == (date(2024, 1, 9), date(2029, 1, 9))


def test_unknown_edition_gets_the_earliest_date():
    assert end_of_servicing(W10_1809, None) == date(2020, 11, 10)
    assert end_of_servicing(W10_1809, "Pro for Workstations") == date(2020, 11, 10)


def test_ltsc_word_on_a_release_without_ltsc_falls_back_to_enterprise():
    assert end_of_servicing("Windows 10 Version 22H2 for x64-based Systems", "LTSC") == date(2025, 10, 14)
    assert end_of_servicing("Windows 10 Version 20H2 for x64-based Systems", "LTSC") == date(2023, 5, 9)


def test_editions_from_localized_os_names():
    assert end_of_servicing(W10_1809, edition_from_os_name("Microsoft Windows 10 企业版 LTSC")) == date(2029, 1, 9)
    assert end_of_servicing("Windows 7 for x64-based Systems Service Pack 1",
                            edition_from_os_name("Microsoft Windows 7 Ultimate N")) == date(2020, 1, 14)


def test_unknown_product():
    assert end_of_servicing("Windows XP Professional", "Pro") is None
    assert lifecycle("Microsoft Office 2019 for 32-bit editions", None) is None
    assert is_out_of_support("Windows XP Professional", "Pro", date(2030, 1, 1)) is False


def test_is_out_of_support():
    assert is_out_of_support(W10_1809, "Pro", date(2020, 11, 11))
    assert not is_out_of_support(W10_1809, "Pro", date(2020, 11, 10))  # the last Patch Tuesday itself
    assert not is_out_of_support(W10_1809, "LTSC", date(2026, 11, 25))
    assert is_out_of_support("Windows Server 2012 R2", "Standard", date(2026, 11, 25))
    assert is_out_of_support("Windows 10 Version 22H2 for x64-based Systems", "Enterprise", date(2026, 11, 25))
    assert not is_out_of_support("Windows Server 2022", "Standard", datetime(2026, 11, 25, 10, tzinfo=UTC))


def test_every_product_has_a_lifecycle():
    for match in PRODUCTS:
        for edition in (None, "Pro", "Enterprise", "LTSC", "IoT LTSC", "Standard"):
            assert end_of_servicing(match.product, edition) is not None, (match.product, edition)
