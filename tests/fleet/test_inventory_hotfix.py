"""wmic qfe and Get-HotFix outputs: host name and KB ids, in the shapes and encodings people save."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sumtui.fleet.inventory import InventoryError, parse_inventory
from sumtui.fleet.inventory.decode import decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"
PC044_KBS = ["4100347", "4338853", "4343669", "4456655", "4465663", "4477137", "4480979", "4485449", "4487017",
             "4487038"]
PC_FR_042_KBS = ["5011048", "5015684", "5034441", "5040427"]


def load(name: str):
    return parse_inventory((FIXTURES / name).read_bytes(), name=name)


def test_real_qfe_matches_its_systeminfo(realdata):
    qfe = parse_inventory((realdata / "inventory/srv_2012r2_u1_qfe.txt").read_bytes(), name="qfe.txt")
    info = parse_inventory((realdata / "inventory/srv_2012r2_u1_systeminfo.txt").read_bytes(), name="si.txt")
    assert qfe.source_format == "qfe"
    assert qfe.name == info.name == "SRV12R2U1X64"
    assert set(qfe.installed_kbs) <= set(info.installed_kbs)
    assert len(qfe.installed_kbs) == 154
    assert qfe.os_name is None and qfe.build is None and qfe.is_server is None  # no OS facts in a qfe list
    assert qfe.kb_list_complete


def test_wmic_qfe_table_utf16():
    inv = load("qfe_pc044_utf16.txt")
    assert (inv.name, inv.source_format, inv.installed_kbs) == ("PC044", "qfe", PC044_KBS)


def test_wmic_qfe_lists_what_systeminfo_lists(realdata):
    info = parse_inventory((realdata / "inventory/10_1803_x64_pro_it_systeminfo.txt").read_bytes(), name="it.txt")
    assert load("qfe_pc044_utf16.txt").installed_kbs == info.installed_kbs


@pytest.mark.parametrize("file, host, fmt, kbs", [
    ("qfe_list_full.txt", "SRV-FILE-02", "qfe", PC044_KBS[:4]),  # key=value blocks, "\r\r\n" line ends
    ("qfe_csv.txt", "WS-CSV-3", "qfe", sorted(PC044_KBS[4:8], key=int)),  # /format:csv with a Node column
    ("gethotfix_pc-fr-042_utf16.txt", "PC-FR-042", "get-hotfix", PC_FR_042_KBS),  # table, dash row
    ("gethotfix_list.txt", "PC-FR-042", "get-hotfix", PC_FR_042_KBS[:3]),  # Format-List
    ("gethotfix_export.csv", "PC-FR-042", "get-hotfix", PC_FR_042_KBS),  # Export-Csv with #TYPE
])
def test_hotfix_list_shapes(file, host, fmt, kbs):
    inv = load(file)
    assert (inv.name, inv.source_format, inv.installed_kbs) == (host, fmt, kbs)
    assert inv.kb_list_complete and inv.warnings == []


def _gethotfix_text() -> str:
    return decode_text((FIXTURES / "gethotfix_pc-fr-042_utf16.txt").read_bytes(), name="gh")


def test_get_hotfix_in_utf8_and_without_bom():
    text = _gethotfix_text()
    for data in (text.encode("utf-8"), codecs.BOM_UTF8 + text.encode("utf-8"), text.encode("utf-16-le")):
        assert parse_inventory(data, name="gh.txt").installed_kbs == PC_FR_042_KBS


def test_non_kb_ids_are_skipped():
    text = _gethotfix_text().replace("KB5015684", "File 1   ")
    assert parse_inventory(text.encode(), name="gh.txt").installed_kbs == ["5011048", "5034441", "5040427"]


def test_several_machines_in_one_file_are_refused():
    text = _gethotfix_text()
    lines = text.split("\r\n")
    lines.append(lines[-3].replace("PC-FR-042", "PC-FR-043"))
    with pytest.raises(InventoryError, match=r"^two\.txt: hotfixes of 2 machines \(PC-FR-042, PC-FR-043\)"):
        parse_inventory("\r\n".join(lines).encode(), name="two.txt")


def test_host_name_case_differences_are_one_machine():
    text = _gethotfix_text()
    lines = text.split("\r\n")
    lines[-3] = lines[-3].replace("PC-FR-042", "pc-fr-042")
    assert parse_inventory("\r\n".join(lines).encode(), name="case.txt").name == "PC-FR-042"


def test_without_a_host_column_is_refused():
    text = "HotFixID   InstalledOn\r\nKB5011048  5/10/2022\r\nKB5015684  7/13/2022\r\n"
    with pytest.raises(InventoryError, match=r"^ids\.txt: no host name \(CSName or Source column\)"):
        parse_inventory(text.encode(), name="ids.txt")


def test_truncated_file_drops_a_cut_kb_and_says_so():
    text = decode_text((FIXTURES / "qfe_pc044_utf16.txt").read_bytes(), name="qfe")
    cut = text.index("KB4487038") + len("KB448")
    inv = parse_inventory(codecs.BOM_UTF16_LE + text[:cut].encode("utf-16-le"), name="cut.txt")
    assert "4487038" not in inv.installed_kbs and "448" not in inv.installed_kbs
    assert len(inv.installed_kbs) == 8
    assert not inv.kb_list_complete and "cut" in inv.warnings[0]


def test_truncated_utf16_with_an_odd_byte_count():
    data = (FIXTURES / "qfe_pc044_utf16.txt").read_bytes()
    inv = parse_inventory(data[:1501], name="odd.txt")
    assert inv.name == "PC044" and not inv.kb_list_complete


def test_header_only_is_refused():
    with pytest.raises(InventoryError, match=r"^h\.txt: no host name"):
        parse_inventory(b"Caption  CSName  Description  HotFixID\r\n", name="h.txt")


def test_error_messages_stay_on_one_line():
    text = "Source  HotFixID\r\n------  --------\r\nA\rB     KB1\r\nC       KB2\r\n"
    with pytest.raises(InventoryError) as caught:
        parse_inventory(text.encode(), name="x.txt")
    assert "\r" not in str(caught.value) and "\n" not in str(caught.value)


def test_without_a_host_column_a_given_name_is_used():
    text = "HotFixID   InstalledOn\r\nKB5011048  5/10/2022\r\nKB5015684  7/13/2022\r\n"
    with pytest.raises(InventoryError, match=r"give the machine's name \(--name NAME\)$"):
        parse_inventory(text.encode(), name="ids.txt")
    inv = parse_inventory(text.encode(), name="ids.txt", host="PC-FR-042")
    assert (inv.name, inv.installed_kbs) == ("PC-FR-042", ["5011048", "5015684"])


def test_an_unusable_host_column_is_replaced_by_a_given_name():
    text = "Source        HotFixID\r\n------        --------\r\nPC FR 042     KB5011048\r\nPC FR 042     KB5015684\r\n"
    with pytest.raises(InventoryError, match=r"'PC FR 042' is not a machine name .*--name NAME"):
        parse_inventory(text.encode(), name="bad.txt")
    assert parse_inventory(text.encode(), name="bad.txt", host="PC-FR-042").installed_kbs == ["5011048", "5015684"]
