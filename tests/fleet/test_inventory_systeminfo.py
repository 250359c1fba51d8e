"""systeminfo parsing (list and CSV formats, every encoding and language we meet), and what
parse_inventory does with inputs that are not inventories at all."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from sumtui.fleet.inventory import Inventory, InventoryError, parse_inventory
from sumtui.fleet.inventory.decode import decode_text
from sumtui.fleet.osmap import map_os

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def load(name: str) -> Inventory:
    return parse_inventory((FIXTURES / name).read_bytes(), name=name)


def product(inv: Inventory) -> str | None:
    match = map_os(os_name=inv.os_name, build=inv.build, architecture=inv.architecture, is_server=inv.is_server)
    return match.product if match else None


# --- real samples -------------------------------------------------------------------------------

def test_real_server_2012_r2(realdata):
    inv = parse_inventory((realdata / "inventory/srv_2012r2_u1_systeminfo.txt").read_bytes(), name="srv.txt")
    assert inv.source_format == "systeminfo"
    assert inv.name == "SRV12R2U1X64"
    assert inv.domain == "nuggetlab.com"
    assert inv.os_name == "Microsoft Windows Server 2012 R2 Standard"
    assert (inv.build, inv.architecture, inv.is_server, inv.edition) == ("6.3.9600", "x64", True, "Standard")
    assert len(inv.installed_kbs) == 154
    assert inv.installed_kbs[:2] == ["2894852", "2919355"]
    assert inv.installed_kbs == sorted(inv.installed_kbs, key=int)
    assert inv.kb_list_complete and not inv.warnings
    assert product(inv) == "Windows Server 2012 R2"


@pytest.mark.parametrize("file, host, build, edition, kbs, expected_product", [
    ("10_1803_x64_pro_it_systeminfo.txt", "PC044", "10.0.17134", "Pro", 10,
     "Windows 10 Version 1803 for x64-based Systems"),
    ("10_1809_x64_enterprise_zh-cn_systeminfo.txt", "DESKTOP-0CQH3P2", "10.0.17763", "LTSC", 1,
     "Windows 10 Version 1809 for x64-based Systems"),
    ("11_24H2_x64_enterprise_systeminfo.txt", "WINXI24H2LTSC", "10.0.26100", "LTSC", 3,
     "Windows 11 Version 24H2 for x64-based Systems"),
    ("7_sp1_x64_ultimaten_de_systeminfo.txt", "OLI7-PC", "6.1.7601", "Ultimate", 242,
     "Windows 7 for x64-based Systems Service Pack 1"),
])
def test_real_samples_map_with_their_kb_counts(realdata, file, host, build, edition, kbs, expected_product):
    inv = parse_inventory((realdata / "inventory" / file).read_bytes(), name=file)
    assert (inv.name, inv.build, inv.edition, inv.is_server, inv.architecture) == (host, build, edition, False, "x64")
    assert len(inv.installed_kbs) == kbs
    assert product(inv) == expected_product


def test_real_localized_values(realdata):
    it = parse_inventory((realdata / "inventory/10_1803_x64_pro_it_systeminfo.txt").read_bytes(), name="it.txt")
    assert it.domain == "intranet.xxxxx.it"
    assert it.installed_kbs[0] == "4100347"
    zh = parse_inventory((realdata / "inventory/10_1809_x64_enterprise_zh-cn_systeminfo.txt").read_bytes(),
                         name="zh.txt")
    assert zh.os_name == "Microsoft Windows 10 企业版 LTSC"
    assert zh.installed_kbs == ["4464455"]


def test_real_windows7_list_cut_by_systeminfo_is_marked_incomplete(realdata):
    # That machine announces 263 hotfixes and systeminfo lists 245 (with repeats: 242 KBs), then a
    # broken "[24" line: the KBs listed are kept, the list is flagged as incomplete.
    inv = parse_inventory((realdata / "inventory/7_sp1_x64_ultimaten_de_systeminfo.txt").read_bytes(), name="de.txt")
    assert len(inv.installed_kbs) == 242
    assert not inv.kb_list_complete
    assert "263" in inv.warnings[0] and "245" in inv.warnings[0]


# --- our fixtures: languages, code pages, unknown labels ------------------------------------------

@pytest.mark.parametrize("file, expected", [
    ("fr_10_22h2_pro_cp850_systeminfo.txt",
     dict(name="PC-FR-042", domain="corp.example.fr", os_name="Microsoft Windows 10 Professionnel",
          build="10.0.19045", architecture="x64", is_server=False, edition="Pro",
          installed_kbs=["5011048", "5015684", "5034441", "5040427"],
          product="Windows 10 Version 22H2 for x64-based Systems")),
    ("ja_11_23h2_pro_cp932_systeminfo.txt",
     dict(name="PC-JP01", domain="WORKGROUP", os_name="Microsoft Windows 11 Pro", build="10.0.22631",
          architecture="x64", is_server=False, edition="Pro",
          installed_kbs=["5027397", "5034467", "5036980", "5037853"],
          product="Windows 11 Version 23H2 for x64-based Systems")),
    ("ru_10_1607_x86_ltsb_cp866_systeminfo.txt",
     dict(name="WS-RU-017", domain="WORKGROUP", build="10.0.14393", architecture="x86", is_server=False,
          edition="LTSC", installed_kbs=["4049065", "4103720", "5034767"],
          product="Windows 10 Version 1607 for 32-bit Systems")),
    ("es_2022_dc_cp1252_systeminfo.txt",
     dict(name="SRV-MAD-01", domain="corp.example.es", os_name="Microsoft Windows Server 2022 Standard",
          build="10.0.20348", architecture="x64", is_server=True, edition="Standard",
          installed_kbs=["5012170", "5041160", "5042881"], product="Windows Server 2022")),
    ("ko_11_24h2_arm64_cp949_systeminfo.txt",
     dict(name="KR-ARM-01", build="10.0.26100", architecture="arm64", is_server=False, edition="Pro",
          installed_kbs=["5043080", "5044284"], product="Windows 11 Version 24H2 for ARM64-based Systems")),
    # Labels sumtui does not know (Finnish): every field is found by the shape of its value.
    ("fi_10_21h2_enterprise_cp850_systeminfo.txt",
     dict(name="FI-LAPTOP-9", domain="corp.example.fi", os_name="Microsoft Windows 10 Enterprise",
          build="10.0.19044", architecture="x64", is_server=False, edition="Enterprise",
          installed_kbs=["5003791", "5034441", "5039211"],
          product="Windows 10 Version 21H2 for x64-based Systems")),
    # PowerShell 5 redirection: UTF-16 LE with a BOM; labels holding a colon ("Virtual Memory: Max Size:").
    ("en_2019_dc_utf16_systeminfo.txt",
     dict(name="DC2019-A", domain="corp.example", os_name="Microsoft Windows Server 2019 Datacenter",
          build="10.0.17763", architecture="x64", is_server=True, edition="Datacenter",
          installed_kbs=["4535680", "4589208", "5005112", "5043050", "5043126"], product="Windows Server 2019")),
    # systeminfo /fo csv
    ("en_10_21h2_enterprise_systeminfo.csv",
     dict(name="PC-CSV-7", domain="corp.example", build="10.0.19044", architecture="x64", is_server=False,
          edition="Enterprise", installed_kbs=["5003791", "5012170", "5041580"],
          product="Windows 10 Version 21H2 for x64-based Systems")),
])
def test_fixture_systeminfo(file, expected):
    inv = load(file)
    expected = dict(expected)
    assert product(inv) == expected.pop("product")
    for key, value in expected.items():
        assert getattr(inv, key) == value, key
    assert inv.source_format == "systeminfo"
    assert inv.kb_list_complete and inv.warnings == []


def test_non_kb_entries_are_skipped_and_repeats_merged():
    inv = load("xp_sp3_unmapped_systeminfo.txt")  # "File 1", "Q147222", "KB2347290 - Update", a repeat
    assert inv.installed_kbs == ["2347290", "2393802"]
    assert inv.kb_list_complete  # 5 announced, 5 entries: complete even though only 2 are KBs


def test_unknown_os_parses_but_does_not_map():
    inv = load("xp_sp3_unmapped_systeminfo.txt")
    assert (inv.name, inv.build, inv.architecture, inv.is_server) == ("OLDXP", "5.1.2600", "x86", False)
    assert product(inv) is None


def test_misaligned_values_still_parse():
    # Padding squeezed to one space (re-typed, or trimmed by a mail client).
    text = ("Host Name: PC9\r\nOS Name: Microsoft Windows 10 Pro\r\nOS Version: 10.0.19045 N/A Build 19045\r\n"
            "System Type: x64-based PC\r\nDomain: WORKGROUP\r\nLogon Server: \\\\PC9\r\n"
            "Hotfix(s): 1 Hotfix(s) Installed.\r\n [01]: KB5034441\r\nNetwork Card(s): 0 NIC(s) Installed.\r\n")
    inv = parse_inventory(text.encode(), name="squeezed.txt")
    assert (inv.name, inv.build, inv.domain, inv.installed_kbs) == ("PC9", "10.0.19045", "WORKGROUP", ["5034441"])


def test_role_from_os_configuration_when_the_name_is_missing():
    text = ("Host Name:        SRV9\r\nOS Version:       10.0.20348 N/A Build 20348\r\n"
            "OS Configuration: Member Server\r\nSystem Type:      x64-based PC\r\n"
            "Hotfix(s):        N/A\r\nNetwork Card(s):  0 NIC(s) Installed.\r\n")
    inv = parse_inventory(text.encode(), name="noname.txt")
    assert inv.os_name is None and inv.is_server is True
    assert inv.installed_kbs == [] and inv.kb_list_complete
    assert product(inv) == "Windows Server 2022"


def test_systeminfo_csv_with_several_machines_is_refused():
    data = (FIXTURES / "en_10_21h2_enterprise_systeminfo.csv").read_bytes()
    lines = data.split(b"\r\n")
    with pytest.raises(InventoryError, match=r"^many\.csv: systeminfo CSV with 2 machines"):
        parse_inventory(b"\r\n".join([lines[0], lines[1], lines[1]]) + b"\r\n", name="many.csv")


# --- truncated files ------------------------------------------------------------------------------

def _english() -> str:
    return decode_text((FIXTURES / "en_2019_dc_utf16_systeminfo.txt").read_bytes(), name="dc")


def test_truncated_inside_the_hotfix_list_keeps_listed_kbs_and_says_so():
    text = _english()
    cut = text.index("[04]: KB5043050")
    inv = parse_inventory(text[:cut].encode(), name="cut.txt")  # ends after "[03]: …\r\n"
    assert inv.installed_kbs == ["4535680", "4589208", "5005112"]
    assert not inv.kb_list_complete
    assert "announces 5 hotfixes but lists 3" in inv.warnings[0]


def test_truncated_in_the_middle_of_a_kb_drops_the_cut_kb():
    text = _english()
    cut = text.index("[05]: KB5043126") + len("[05]: KB504")
    inv = parse_inventory(text[:cut].encode(), name="cut.txt")  # ends in "KB504", no line break
    assert inv.installed_kbs == ["4535680", "4589208", "5005112", "5043050"]
    assert not inv.kb_list_complete


def test_truncated_right_after_a_complete_hotfix_list_is_complete():
    text = _english()
    cut = text.index("Network Card(s):")
    inv = parse_inventory(text[:cut].encode(), name="cut.txt")
    assert len(inv.installed_kbs) == 5 and inv.kb_list_complete


def test_truncated_before_the_hotfix_list_is_refused():
    # Reporting "0 KBs" for a machine whose list was cut off would make every update Required.
    text = _english()
    cut = text.index("Domain:")
    with pytest.raises(InventoryError, match=r"^cut\.txt: truncated systeminfo: no hotfix list"):
        parse_inventory(text[:cut].encode(), name="cut.txt")


def test_truncated_after_the_host_name_is_refused():
    with pytest.raises(InventoryError, match="truncated systeminfo"):
        parse_inventory(b"\r\nHost Name:                 PC1\r\nOS Name:                   Micro", name="cut.txt")


# --- encodings ----------------------------------------------------------------------------------

def test_utf16_without_bom_both_byte_orders():
    text = _english()
    for encoding in ("utf-16-le", "utf-16-be"):
        assert parse_inventory(text.encode(encoding), name="x.txt").name == "DC2019-A"


def test_utf8_with_and_without_bom():
    text = decode_text((FIXTURES / "ja_11_23h2_pro_cp932_systeminfo.txt").read_bytes(), name="ja")
    for data in (text.encode("utf-8"), codecs.BOM_UTF8 + text.encode("utf-8")):
        assert parse_inventory(data, name="ja.txt").os_name == "Microsoft Windows 11 Pro"


@pytest.mark.parametrize("file, encoding", [
    ("fr_10_22h2_pro_cp850_systeminfo.txt", "cp850"),
    ("ja_11_23h2_pro_cp932_systeminfo.txt", "cp932"),
    ("ru_10_1607_x86_ltsb_cp866_systeminfo.txt", "cp866"),
    ("es_2022_dc_cp1252_systeminfo.txt", "cp1252"),
    ("ko_11_24h2_arm64_cp949_systeminfo.txt", "cp949"),
    ("fi_10_21h2_enterprise_cp850_systeminfo.txt", "cp850"),
])
def test_code_page_is_detected(file, encoding):
    data = (FIXTURES / file).read_bytes()
    # Without label hints too: the plausibility of the words alone must pick the right page.
    assert decode_text(data, name=file) == data.decode(encoding)


def test_same_text_in_another_code_page():
    text = decode_text((FIXTURES / "fr_10_22h2_pro_cp850_systeminfo.txt").read_bytes(), name="fr")
    assert "Nom de l'hôte" in text
    inv = parse_inventory(text.encode("cp1252"), name="fr-ansi.txt")  # saved from Notepad
    assert inv.name == "PC-FR-042" and inv.edition == "Pro"


# --- inputs that are not inventories --------------------------------------------------------------

def test_empty_file():
    with pytest.raises(InventoryError, match=r"^inv\.txt: empty file$"):
        parse_inventory(b"", name="inv.txt")
    with pytest.raises(InventoryError, match=r"^inv\.txt: empty file$"):
        parse_inventory(b"\r\n  \r\n", name="inv.txt")


def test_binary_file():
    data = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8
    with pytest.raises(InventoryError, match=r"^inv\.bin: binary data, not an inventory$"):
        parse_inventory(data, name="inv.bin")


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes(seed):
    noise = random.Random(seed).randbytes(4096)
    with pytest.raises(InventoryError, match=r"^noise\.txt: (binary data|unrecognised text encoding)"):
        parse_inventory(noise, name="noise.txt")
    high = bytes(b | 0x80 for b in noise)  # no NUL or control bytes: only the code-page scoring can refuse it
    with pytest.raises(InventoryError, match=r"^noise\.txt: "):
        parse_inventory(high, name="noise.txt")


def test_utf32_is_refused_with_a_clear_message():
    text = _english()
    for data in (text.encode("utf-32"), text.encode("utf-32-le"), text.encode("utf-32-be")):
        with pytest.raises(InventoryError, match=r"^x\.txt: UTF-32 text is not supported"):
            parse_inventory(data, name="x.txt")


def test_text_in_an_encoding_no_windows_tool_writes():
    text = decode_text((FIXTURES / "xp_sp3_unmapped_systeminfo.txt").read_bytes(), name="xp")
    with pytest.raises(InventoryError, match=r"^ebcdic\.txt: unrecognised text encoding"):
        parse_inventory(text.encode("cp500"), name="ebcdic.txt")  # EBCDIC, from a mainframe transfer


def test_some_other_text():
    expected = r"^x\.txt: not a systeminfo, wmic qfe or Get-HotFix output, nor agent JSON$"
    with pytest.raises(InventoryError, match=expected):
        parse_inventory(b"Dear operator,\r\nplease patch my PC.\r\n", name="x.txt")


def test_too_large():
    with pytest.raises(InventoryError, match=r"^huge\.txt: \d+ bytes, larger than any inventory"):
        parse_inventory(b"a" * (9 * 1024 * 1024), name="huge.txt")


def test_error_messages_are_one_line():
    for data in (b"", b"\x00\x01\x02" * 100, b"{", b"Host Name: X\r\n"):
        with pytest.raises(InventoryError) as caught:
            parse_inventory(data, name="in.txt")
        assert "\n" not in str(caught.value) and str(caught.value).startswith("in.txt: ")


def test_truncated_right_after_the_hotfix_header_is_refused():
    text = _english()
    for cut in (text.index("[01]: KB4535680"), text.index("Hotfix(s):") + len("Hotf")):
        with pytest.raises(InventoryError, match=r"^cut\.txt: truncated systeminfo"):
            parse_inventory(text[:cut].encode(), name="cut.txt")


def test_two_systeminfo_outputs_in_one_file_are_refused():
    text = _english()
    with pytest.raises(InventoryError, match=r"^two\.txt: systeminfo of 2 machines: import one machine per file$"):
        parse_inventory((text + text).encode(), name="two.txt")


def _never_silently_short(data: bytes, full: list[str], name: str) -> None:
    try:
        inv = parse_inventory(data, name=name)
    except InventoryError as exc:
        assert str(exc).startswith(f"{name}: ") and "\n" not in str(exc)
        return
    assert inv.installed_kbs and set(inv.installed_kbs) <= set(full)
    if inv.kb_list_complete:
        assert inv.installed_kbs == full


def test_cut_anywhere_is_refused_or_flagged():
    text = _english()
    full = parse_inventory(text.encode(), name="full.txt").installed_kbs
    for cut in range(len(text)):
        _never_silently_short(text[:cut].encode("utf-16"), full, "cut.txt")


def test_real_file_cut_anywhere_is_refused_or_flagged(realdata):
    data = (realdata / "inventory/srv_2012r2_u1_systeminfo.txt").read_bytes()
    full = parse_inventory(data, name="full.txt").installed_kbs
    for cut in range(0, len(data), 13):
        _never_silently_short(data[:cut], full, "cut.txt")


# --- long lists and machine names -------------------------------------------------------------------

def test_a_list_of_ten_thousand_hotfixes_is_kept_whole():
    # systeminfo numbers entries "[01]" … "[9999]", "[10000]": a five-digit number is still an entry.
    text = _english()
    start, end = text.index("Hotfix(s):"), text.index("Network Card(s):")
    entries = "".join(f"                            [{i:02d}]: KB{3000000 + i}\r\n" for i in range(1, 10001))
    big = text[:start] + "Hotfix(s):                  10000 Hotfix(s) Installed.\r\n" + entries + text[end:]
    inv = parse_inventory(big.encode(), name="big.txt")
    assert len(inv.installed_kbs) == 10000 and inv.installed_kbs[-1] == "3010000"
    assert inv.kb_list_complete and not inv.warnings
    csv_text = ('"Host Name","OS Version","Hotfix(s)"\r\n"BIG-01","10.0.17763 N/A Build 17763","10000 Hotfix(s) Installed.,'
                + ",".join(f"[{i:02d}]: KB{3000000 + i}" for i in range(1, 10001)) + '"\r\n')
    inv = parse_inventory(csv_text.encode(), name="big.csv")
    assert len(inv.installed_kbs) == 10000 and inv.kb_list_complete


def _without_host_line() -> str:
    text = _english()
    start = text.index("Host Name:")
    return text[:start] + text[text.index("OS Name:"):]


def test_a_capture_without_its_host_name_line_needs_a_name():
    with pytest.raises(InventoryError) as caught:
        parse_inventory(_without_host_line().encode(), name="nohost.txt")
    assert str(caught.value) == ("nohost.txt: systeminfo without a usable host name on its first line: "
                                 "give the machine's name (--name NAME)")
    inv = parse_inventory(_without_host_line().encode(), name="nohost.txt", host="DC2019-A")
    assert (inv.name, inv.build, inv.os_name) == ("DC2019-A", "10.0.17763", "Microsoft Windows Server 2019 Datacenter")
    assert inv.installed_kbs == ["4535680", "4589208", "5005112", "5043050", "5043126"]


def test_an_unusable_host_name_is_replaced_by_the_given_one():
    broken = _english().replace("DC2019-A\r\nOS Name", "DC 2019 (restored)\r\nOS Name", 1)
    with pytest.raises(InventoryError, match="give the machine's name"):
        parse_inventory(broken.encode(), name="broken.txt")
    assert parse_inventory(broken.encode(), name="broken.txt", host="DC2019-A").name == "DC2019-A"
    # The file's own usable name is kept: the caller decides whether the given name overrides it.
    assert parse_inventory(_english().encode(), name="ok.txt", host="OTHER").name == "DC2019-A"
    with pytest.raises(InventoryError, match=r"^nohost\.txt: 'not a name' is not a machine name"):
        parse_inventory(_without_host_line().encode(), name="nohost.txt", host="not a name")
