"""Installer exit codes normalised as the issue says, raw codes kept as unsigned hex."""

from __future__ import annotations

import pytest

from sumtui.deploy.install_codes import describe, hex_code, normalise, parse_code


@pytest.mark.parametrize(("code", "kind"), [
    (0, "installed"), (3010, "restart"), (1641, "restart"), (0x00240005, "restart"), (0x00240006, "already_installed"),
    (0x80240017, "not_applicable"), (-2145124329, "not_applicable"), (1618, "busy"), (0x80240016, "busy"),
    (0x80070643, "failed"), (-2147023293, "failed"), (1603, "failed"), (0xDEADBEEF, "failed"),
])
def test_exit_codes_are_normalised(code, kind):
    assert normalise(code).kind == kind


def test_raw_codes_are_kept_as_unsigned_hex_with_their_meaning():
    failed = normalise(-2147023293)  # what a signed exit status shows for 0x80070643
    assert (failed.code, failed.hex) == (0x80070643, "0x80070643")
    assert describe(0x80070643) == "0x80070643 (installation failure)"
    assert describe(3010) == "3010 (0x00000BC2: installed; a restart is required to finish)"
    assert describe(0x8024FFFF).endswith("(no description known for this code)")
    assert hex_code(1618) == "0x00000652"


@pytest.mark.parametrize(("text", "code"), [("0x80070643", 0x80070643), ("80070643h", 0x80070643), ("3010", 3010),
                                            ("-2145124329", 0x80240017)])
def test_codes_are_read_as_operators_write_them(text, code):
    assert parse_code(text) == code


@pytest.mark.parametrize("text", ["zz", "0x1FFFFFFFF", "-99999999999", ""])
def test_what_is_not_a_code_is_refused(text):
    with pytest.raises(ValueError):
        parse_code(text)
