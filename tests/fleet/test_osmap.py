"""OS facts → MSRC product names, architecture and edition words, and the components an OS ships with."""

from __future__ import annotations

import json
import re

import pytest

from sumtui.fleet.inbox import inbox_components
from sumtui.fleet.osmap import (
    PRODUCTS,
    architecture_from_system_type,
    edition_from_os_name,
    map_os,
    product_info,
)


def ws(build: str, arch: str = "x64", name: str | None = None):
    return map_os(os_name=name, build=build, architecture=arch, is_server=False)


def srv(build: str, arch: str | None = "x64", name: str | None = None):
    return map_os(os_name=name, build=build, architecture=arch, is_server=True)


@pytest.mark.parametrize("build, arch, expected", [
    ("10.0.17763", "x64", "Windows 10 Version 1809 for x64-based Systems"),
    ("6.1.7601", "x64", "Windows 7 for x64-based Systems Service Pack 1"),
    ("6.1.7601", "x86", "Windows 7 for 32-bit Systems Service Pack 1"),
    ("6.3.9600", "x64", "Windows 8.1 for x64-based systems"),
    ("6.3.9600", "x86", "Windows 8.1 for 32-bit systems"),
    ("10.0.10240", "x64", "Windows 10 for x64-based Systems"),
    ("10.0.10240", "x86", "Windows 10 for 32-bit Systems"),
    ("10.0.10586", "x64", "Windows 10 Version 1511 for x64-based Systems"),
    ("10.0.14393", "x86", "Windows 10 Version 1607 for 32-bit Systems"),
    ("10.0.15063", "x64", "Windows 10 Version 1703 for x64-based Systems"),
    ("10.0.16299", "arm64", "Windows 10 Version 1709 for ARM64-based Systems"),
    ("10.0.17134", "x64", "Windows 10 Version 1803 for x64-based Systems"),
    ("10.0.17763", "arm64", "Windows 10 Version 1809 for ARM64-based Systems"),
    ("10.0.18362", "x64", "Windows 10 Version 1903 for x64-based Systems"),
    ("10.0.18363", "x86", "Windows 10 Version 1909 for 32-bit Systems"),
    ("10.0.19041", "x64", "Windows 10 Version 2004 for x64-based Systems"),
    ("10.0.19042", "x64", "Windows 10 Version 20H2 for x64-based Systems"),
    ("10.0.19043", "x64", "Windows 10 Version 21H1 for x64-based Systems"),
    ("10.0.19044", "arm64", "Windows 10 Version 21H2 for ARM64-based Systems"),
    ("10.0.19045", "x64", "Windows 10 Version 22H2 for x64-based Systems"),
    ("10.0.19045", "x86", "Windows 10 Version 22H2 for 32-bit Systems"),
    ("10.0.22000", "x64", "Windows 11 version 21H2 for x64-based Systems"),
    ("10.0.22621", "arm64", "Windows 11 Version 22H2 for ARM64-based Systems"),
    ("10.0.22631", "x64", "Windows 11 Version 23H2 for x64-based Systems"),
    ("10.0.26100", "x64", "Windows 11 Version 24H2 for x64-based Systems"),
    ("10.0.26200", "arm64", "Windows 11 Version 25H2 for ARM64-based Systems"),
    ("10.0.17763.3287", "x64", "Windows 10 Version 1809 for x64-based Systems"),  # with a revision
    ("10.0.17763", "AMD64", "Windows 10 Version 1809 for x64-based Systems"),  # PROCESSOR_ARCHITECTURE
    ("10.0.17763", "x64-based PC", "Windows 10 Version 1809 for x64-based Systems"),  # systeminfo value
])
def test_workstations(build, arch, expected):
    match = ws(build, arch)
    assert match is not None and match.product == expected
    assert match.is_server is False


@pytest.mark.parametrize("build, expected", [
    ("6.1.7601", "Windows Server 2008 R2 for x64-based Systems Service Pack 1"),
    ("6.2.9200", "Windows Server 2012"),
    ("6.3.9600", "Windows Server 2012 R2"),
    ("10.0.14393", "Windows Server 2016"),
    ("10.0.17763", "Windows Server 2019"),
    ("10.0.20348", "Windows Server 2022"),
    ("10.0.25398", "Windows Server 2022, 23H2 Edition (Server Core installation)"),
    ("10.0.26100", "Windows Server 2025"),
    ("10.0.18363", "Windows Server, version 1909 (Server Core installation)"),
    ("10.0.19042", "Windows Server, version 20H2 (Server Core Installation)"),
])
def test_servers(build, expected):
    assert srv(build).product == expected
    assert srv(build, arch=None).product == expected  # x64-only releases: the architecture is not needed


def test_match_details():
    match = ws("10.0.17763")
    assert (match.family, match.version, match.build, match.architecture) == ("Windows 10", "1809", 17763, "x64")
    match = srv("10.0.17763")
    assert (match.family, match.version, match.is_server) == ("Windows Server 2019", "1809", True)
    assert match.aliases == ("Windows Server 2019 (Server Core installation)",)
    assert ws("10.0.22000").aliases == ("Windows 11 for x64-based Systems",)


def test_role_from_the_os_name():
    name = "Microsoft Windows Server 2019 Standard"
    assert map_os(os_name=name, build="10.0.17763", architecture="x64", is_server=None).product == "Windows Server 2019"
    name = "Microsoft Windows 10 Enterprise LTSC"
    assert map_os(os_name=name, build="10.0.17763", architecture="x64",
                  is_server=None).product == "Windows 10 Version 1809 for x64-based Systems"


def test_editions_share_one_product():
    editions = ("Pro", "Enterprise", "Enterprise LTSC", "Education", "企业版 LTSC")
    products = {map_os(os_name=f"Microsoft Windows 10 {e}", build="10.0.17763", architecture="x64",
                       is_server=False).product for e in editions}
    assert products == {"Windows 10 Version 1809 for x64-based Systems"}


@pytest.mark.parametrize("kwargs", [
    dict(os_name="Microsoft Windows XP Professional", build="5.1.2600", architecture="x86", is_server=False),
    dict(os_name="Microsoft Windows 10 Pro Insider Preview", build="10.0.27774", architecture="x64", is_server=False),
    dict(os_name="Microsoft Windows 11 Pro", build="10.0.22631", architecture="x86", is_server=False),  # no 32-bit 11
    dict(os_name="Microsoft Windows 10 Pro", build="10.0.14393", architecture="arm64", is_server=False),
    dict(os_name="Microsoft Windows 10 Pro", build="10.0.19045", architecture=None, is_server=False),
    dict(os_name=None, build="10.0.17763", architecture="x64", is_server=None),  # 1809 or Server 2019?
    dict(os_name="Microsoft Windows 10 Pro", build="6.0.19045", architecture="x64", is_server=False),
    dict(os_name="Microsoft Windows 10 Pro", build=None, architecture="x64", is_server=False),
    dict(os_name="Microsoft Windows 10 Pro", build="garbage", architecture="x64", is_server=False),
    dict(os_name="Microsoft Windows Server 2019", build="10.0.17763", architecture="x86", is_server=True),
    dict(os_name="Microsoft Windows 7 Ultimate", build="6.1.7600", architecture="x64", is_server=False),  # no SP1
])
def test_unknown_os_is_unmapped(kwargs):
    assert map_os(**kwargs) is None


def test_build_known_on_one_side_only_maps_without_a_role():
    assert map_os(os_name=None, build="10.0.19045", architecture="x64", is_server=None).is_server is False
    assert map_os(os_name=None, build="10.0.20348", architecture=None, is_server=None).product == "Windows Server 2022"


@pytest.mark.parametrize("value, expected", [
    ("x64-based PC", "x64"), ("X86-based PC", "x86"), ("ARM64-based PC", "arm64"),
    ("PC basato su x64", "x64"), ("x64 ベース PC", "x64"), ("", None), (None, None), ("Itanium-based PC", None),
])
def test_architecture_from_system_type(value, expected):
    assert architecture_from_system_type(value) == expected


@pytest.mark.parametrize("os_name, expected", [
    ("Microsoft Windows 10 企业版 LTSC", "LTSC"),
    ("Microsoft Windows 7 Ultimate N ", "Ultimate"),
    ("Microsoft Windows 10 Enterprise 2016 LTSB", "LTSC"),
    ("Microsoft Windows 10 IoT Enterprise LTSC 2021", "IoT LTSC"),
    ("Microsoft Windows 11 Enterprise LTSC", "LTSC"),
    ("Microsoft Windows 10 Enterprise N", "Enterprise"),
    ("Microsoft Windows 11 Enterprise multi-session", "Enterprise"),
    ("Microsoft Windows 10 Education", "Education"),
    ("Microsoft Windows 10 Pro Education", "Pro Education"),
    ("Microsoft Windows 11 Pro for Workstations", "Pro for Workstations"),
    ("Microsoft Windows 10 Pro", "Pro"),
    ("Microsoft Windows 10 Professionnel", "Pro"),
    ("Microsoft Windows 7 Professional", "Pro"),
    ("Microsoft Windows 10 专业版", "Pro"),
    ("Microsoft Windows 10 家庭中文版", "Home"),
    ("Microsoft Windows 10 Home", "Home"),
    ("Microsoft Windows 7 Home Premium", "Home"),
    ("Microsoft Windows 7 Максимальная", "Ultimate"),
    ("Microsoft Windows 10 Корпоративная 2016 с долгосрочным обслуживанием", "LTSC"),
    ("Microsoft Windows Server 2012 R2 Standard", "Standard"),
    ("Microsoft Windows Server 2022 Datacenter: Azure Edition", "Datacenter"),
    ("Microsoft Windows Server 2019 Essentials", "Essentials"),
    ("Microsoft Windows 10", None),
    (None, None),
])
def test_edition_from_os_name(os_name, expected):
    assert edition_from_os_name(os_name) == expected


def test_product_info_reads_names_as_msrc_spells_them():
    assert product_info("Windows Server 2016  (Server Core installation)").family == "Windows Server 2016"
    assert product_info("windows 11 VERSION 21H2 for x64-based systems").version == "21H2"
    assert product_info("Windows 11 for ARM64-based Systems").architecture == "arm64"
    assert product_info("Microsoft Office 2019 for 32-bit editions") is None
    assert product_info(None) is None


def test_every_product_is_unique_and_maps_back():
    names = [p.product for p in PRODUCTS]
    assert len(names) == len(set(names))
    for match in PRODUCTS:
        assert product_info(match.product) == match
        again = map_os(os_name=None, build=_kernel(match) + str(match.build), architecture=match.architecture,
                       is_server=match.is_server)
        assert again == match


def _kernel(match) -> str:
    if match.build < 9200:
        return "6.0." if match.build == 6002 else "6.1."
    return {9200: "6.2.", 9600: "6.3."}.get(match.build, "10.0.")


# --- spellings checked against real MSRC documents ------------------------------------------------

def _real_os_names(realdata) -> set[str]:
    doc = json.loads((realdata / "msrc/2020-Dec.cvrf.json").read_text("utf-8"))
    names = {p["Value"] for p in doc["ProductTree"]["FullProductName"]}
    xml = (realdata / "msrc/2017-Jan.cvrf.xml").read_text("utf-8")
    names |= set(re.findall(r"<prod:FullProductName\s+ProductID=\"[^\"]+\">([^<]+)<", xml))
    # "Microsoft Edge (EdgeHTML-based) on Windows 10 Version 1511 for x64-based Systems" names the OS too.
    names = {n.rsplit(" on ", 1)[-1] for n in names}
    return {n for n in names if re.match(r"^Windows (\d|7|8|Server)", n)}


def test_names_exist_in_real_documents(realdata):
    real = _real_os_names(realdata)
    expected = [
        ws("6.1.7601", "x86"), ws("6.1.7601"), ws("6.3.9600", "x86"), ws("6.3.9600"), ws("10.0.10240", "x86"),
        ws("10.0.10240"), ws("10.0.10586"), ws("10.0.14393", "x86"), ws("10.0.14393"), ws("10.0.17134", "arm64"),
        ws("10.0.17763", "x86"), ws("10.0.17763"), ws("10.0.17763", "arm64"), ws("10.0.18362"), ws("10.0.18363"),
        ws("10.0.19041", "arm64"), ws("10.0.19042", "x86"), srv("6.0.6002", "x86"), srv("6.1.7601"),
        srv("6.2.9200"), srv("6.3.9600"), srv("10.0.14393"), srv("10.0.17763"), srv("10.0.18362"),
        srv("10.0.19041"), srv("10.0.19042"),
    ]
    missing = [m.product for m in expected if m.product not in real]
    assert missing == []


def test_every_real_windows_product_is_understood(realdata):
    # Windows RT 8.1 (32-bit ARM) and Itanium are not client platforms sumtui manages.
    real = {n for n in _real_os_names(realdata) if "RT 8.1" not in n and "Itanium" not in n}
    assert sorted(n for n in real if product_info(n) is None) == []


# --- in-box components ----------------------------------------------------------------------------

def test_inbox_components():
    c = inbox_components("Windows 10 Version 1809 for x64-based Systems")
    assert (c.dotnet, c.internet_explorer, c.edge_html, c.defender) == (("4.7.2",), "11", True, True)
    assert inbox_components("Windows 10 Version 22H2 for x64-based Systems").dotnet == ("4.8",)
    assert inbox_components("Windows 10 Version 2004 for 32-bit Systems").dotnet == ("4.8",)
    assert inbox_components("Windows 11 Version 22H2 for x64-based Systems").dotnet == ("4.8.1",)
    assert inbox_components("Windows 11 Version 24H2 for ARM64-based Systems").internet_explorer is None
    c = inbox_components("Windows Server 2012 R2")
    assert (c.dotnet, c.internet_explorer, c.edge_html, c.defender) == (("4.5.1",), "11", False, False)
    assert inbox_components("Windows Server 2012 R2 (Server Core installation)") == c
    assert inbox_components("Windows 7 for x64-based Systems Service Pack 1").dotnet == ("3.5.1",)
    assert inbox_components("Windows Server 2019").defender is True
    assert inbox_components("Windows Server 2019").edge_html is False


def test_ltsc_has_no_edgehtml():
    product = "Windows 10 Version 1809 for x64-based Systems"
    assert inbox_components(product, "LTSC").edge_html is False
    assert inbox_components(product, "LTSC").dotnet == ("4.7.2",)
    assert inbox_components(product, "Enterprise").edge_html is True


def test_every_product_has_inbox_facts():
    for match in PRODUCTS:
        assert inbox_components(match.product).dotnet, match.product


def test_inbox_of_unknown_product_is_empty():
    c = inbox_components("Microsoft Office 2019 for 32-bit editions")
    assert (c.dotnet, c.internet_explorer, c.edge_html, c.defender) == ((), None, False, False)
