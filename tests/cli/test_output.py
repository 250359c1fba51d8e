"""`--format table|json|csv` as people and scripts read them: outside text stays data (never Rich markup,
control and bidi characters escaped), and tables never cut an identifier, a number or a state, in a
terminal of 80 or 200 columns or in a pipe; only free text wraps."""

from __future__ import annotations

import csv
import io
import json
import re
import sys

import pytest
from rich.cells import cell_len

from sumtui.cli.output import ID, NUMBER, STATE, TEXT, Column, column_widths, emit
from tests.hostile_site import (
    BAD_FILE_SHOWN,
    CLIENT,
    CLIENT_SHOWN,
    COLLECTION_SHOWN,
    DOMAIN_SHOWN,
    HOSTILE,
    PLAIN_CLIENT,
    PRODUCT_SHOWN,
    RAW,
    SHOWN,
    build_site,
    cli,
)

SGR = re.compile(r"\x1b\[([0-9;]*)m")
WHY = ("Required: no installed update covers KB4592440, and the client runs Windows 10 Version 1809 for "
       "x64-based Systems, which it applies to")
ROWS = [
    dict(kb="KB4592440", product="Windows 10 Version 1809 for x64-based Systems", severity="Critical",
         state="required", count=1533, why=WHY),
    dict(kb="KB4586793", product="Windows Server 2019", severity="Important", state="not_required", count=7,
         why="Not required: KB4592440 covers it"),
]
COLUMNS = [("kb", "KB", ID), ("product", "Product", TEXT), ("severity", "Severity", STATE), ("state", "State", STATE),
           ("count", "Clients", NUMBER), ("why", "Why", TEXT)]


class Terminal(io.StringIO):
    """What a terminal would receive (rich writes its styles: they are taken off to read the text)."""

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        return SGR.sub("", self.getvalue())


def table(rows, columns, *, columns_env: int | None, monkeypatch) -> str:
    if columns_env is None:
        out = io.StringIO()
        emit(rows, fmt="table", columns=columns, out=out)
        return out.getvalue()
    monkeypatch.setenv("COLUMNS", str(columns_env))
    out = Terminal()
    emit(rows, fmt="table", columns=columns, out=out)
    return out.text()


def assert_never_raw(text: str) -> None:
    for sequence in RAW:
        assert sequence not in text, f"{sequence!r} reached the output raw"


# ------------------------------------------------------------------ emit: layout


@pytest.mark.parametrize("width", [80, 200])
def test_a_terminal_table_keeps_ids_states_and_numbers_whole_and_wraps_text(width, monkeypatch):
    text = table(ROWS, COLUMNS, columns_env=width, monkeypatch=monkeypatch)
    lines = text.splitlines()
    assert all(cell_len(line) <= width for line in lines), "a line is wider than the terminal"
    header, first = lines[0].split(), lines[1].split()
    assert header == ["KB", "Product", "Severity", "State", "Clients", "Why"]
    assert first[0] == "KB4592440" and "Critical" in first and "required" in first and "1533" in first
    assert "not_required" in text and "…" not in text
    # Free text is wrapped, not cut: every word of it is printed.
    words = " ".join(text.split())
    assert all(word in words for word in WHY.split())
    if width == 200:
        assert "Windows 10 Version 1809 for x64-based Systems" in lines[1]  # room for the product on one line


def test_piped_tables_print_every_row_on_one_line_whole(monkeypatch):
    text = table(ROWS, COLUMNS, columns_env=None, monkeypatch=monkeypatch)
    lines = text.splitlines()
    assert len(lines) == 3 and "\x1b" not in text
    assert lines[1].startswith("KB4592440  Windows 10 Version 1809 for x64-based Systems  Critical")
    assert lines[1].endswith(WHY)  # no padding after the last cell
    assert "1533" in lines[1] and "…" not in text


def test_numbers_are_right_aligned_under_their_header(monkeypatch):
    lines = table(ROWS, COLUMNS, columns_env=None, monkeypatch=monkeypatch).splitlines()
    end = lines[0].index("Clients") + len("Clients")
    assert lines[1][:end].endswith("1533") and lines[2][:end].endswith("   7")


def test_no_color_prints_the_same_text_and_no_colour(monkeypatch):
    plain_text = table(ROWS, COLUMNS, columns_env=80, monkeypatch=monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    out = Terminal()
    emit(ROWS, fmt="table", columns=COLUMNS, out=out)
    assert out.text() == plain_text
    # Bold and reset at most: meaning never rides on a colour.
    assert {code for code in SGR.findall(out.getvalue())} <= {"", "0", "1"}


def test_column_widths_give_text_what_is_left_and_never_shrink_the_rest():
    columns = [Column("kb", "KB", ID), Column("product", "Product", TEXT), Column("state", "State", STATE),
               Column("why", "Why", TEXT)]
    natural = [9, 45, 12, 120]
    # 80 columns: 9 + 12 + 3 gaps of 2 = 27 for the fixed ones; the text columns share 53.
    widths, gap = column_widths(columns, natural, 80)
    assert gap == 2 and widths[0] == 9 and widths[2] == 12 and sum(widths) + 3 * gap == 80
    assert widths[1] == 26 and widths[3] == 27
    # A narrow product column takes only what it needs; the sentence gets the rest.
    widths, _ = column_widths(columns, [9, 8, 12, 120], 80)
    assert widths == [9, 8, 12, 45]
    # Too narrow for two-space gaps: one space, the text columns at their floor of 10.
    widths, gap = column_widths(columns, natural, 40)
    assert gap == 1 and widths == [9, 10, 12, 10]
    # A pipe: everything at its natural width.
    assert column_widths(columns, natural, None) == (natural, 2)


def test_columns_without_a_kind_are_numbers_only_when_every_value_is_one():
    out = io.StringIO()
    emit([dict(n=5, t="x"), dict(n=12, t="y")], fmt="table", columns=[("n", "N"), ("t", "T")], out=out, width=80)
    assert out.getvalue().splitlines()[1] == " 5  x"


# ------------------------------------------------------------------ emit: outside text is data


@pytest.mark.parametrize("width", [None, 80])
def test_table_cells_are_data_never_markup_and_controls_are_escaped(width, monkeypatch):
    rows = [dict(name=HOSTILE, why=HOSTILE, n=1)]
    text = table(rows, [("name", "Name", ID), ("why", "Why", TEXT), ("n", "N", NUMBER)], columns_env=width,
                 monkeypatch=monkeypatch)
    assert_never_raw(text)
    assert text.splitlines()[1].startswith(SHOWN)  # the id column, whole and literal


def test_a_terminal_gets_no_raw_escape_even_in_a_wrapped_cell(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = Terminal()
    emit([dict(kb="KB1", why=HOSTILE * 3)], fmt="table", columns=[("kb", "KB", ID), ("why", "Why", TEXT)], out=out)
    assert_never_raw(out.getvalue())
    assert "".join(line[5:].rstrip() for line in out.text().splitlines()[1:]) == SHOWN * 3


def test_csv_escapes_controls_and_defuses_formulas():
    rows = [
        dict(v='=HYPERLINK("http://x","click")'), dict(v="+1+1"), dict(v="-2+3"), dict(v="@SUM(A1:A9)"),
        dict(v="plain text"), dict(v=-5), dict(v="-5"), dict(v=HOSTILE), dict(v=["=1", "KB2"]), dict(v=None),
    ]
    out = io.StringIO()
    emit(rows, fmt="csv", columns=[("v", "Value")], out=out)
    assert_never_raw(out.getvalue())
    cells = [row[0] for row in csv.reader(io.StringIO(out.getvalue()))]
    assert cells == ["v", '\'=HYPERLINK("http://x","click")', "'+1+1", "'-2+3", "'@SUM(A1:A9)", "plain text",
                     "-5", "-5", SHOWN, "'=1 KB2", ""]


def test_json_keeps_the_exact_data():
    out = io.StringIO()
    emit([dict(name=HOSTILE, n=1)], fmt="json", columns=[], out=out)
    assert json.loads(out.getvalue()) == [dict(name=HOSTILE, n=1)]
    assert_never_raw(out.getvalue())


# ------------------------------------------------------------------ the commands


def built_site(tmp_path_factory, *, hostile: bool) -> str:
    """A site shared by a module's tests, built with its own home folders and no SUMTUI_* settings."""
    import os

    folder = tmp_path_factory.mktemp("hostile" if hostile else "plain")
    url = f"sqlite:///{folder / 'site.db'}"
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("SUMTUI_")]:
            patch.delenv(name)
        for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            patch.setenv(var, str(folder / "home" / var.lower()))
        build_site(url, folder, hostile=hostile)
    return url


@pytest.fixture(scope="module")
def plain_url(tmp_path_factory):
    return built_site(tmp_path_factory, hostile=False)


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    return built_site(tmp_path_factory, hostile=True)


def run(url: str, *args: str, width: int | None, monkeypatch, capsys) -> str:
    """The command's standard output: piped (width None) or on a terminal `width` columns wide."""
    capsys.readouterr()
    if width is None:
        assert cli("--db", url, *args) == 0
        return capsys.readouterr().out
    terminal = Terminal()
    with monkeypatch.context() as patch:
        patch.setenv("COLUMNS", str(width))
        patch.setattr(sys, "stdout", terminal)
        assert cli("--db", url, *args) == 0
    return terminal.text()


def row_of(text: str, first: str) -> list[str]:
    return next(line.split() for line in text.splitlines() if line.startswith(first))


@pytest.mark.parametrize("width", [80, 200, None])
def test_client_compliance_prints_kb_severity_and_state(plain_url, width, monkeypatch, capsys):
    text = run(plain_url, "compliance", "--client", PLAIN_CLIENT, "--state", "required", width=width,
               monkeypatch=monkeypatch, capsys=capsys)
    assert text.split("\n", 1)[0].split() == ["KB", "Product", "Severity", "State", "Why"]
    row = row_of(text, "KB4592440")
    assert "Critical" in row and "required" in row
    assert "…" not in text


@pytest.mark.parametrize("width", [80, 100, 120])
def test_compliance_by_update_shows_more_than_the_product(plain_url, width, monkeypatch, capsys):
    text = run(plain_url, "compliance", width=width, monkeypatch=monkeypatch, capsys=capsys)
    header = text.split("\n", 1)[0].split()
    assert header[:3] == ["KB", "Product", "Severity"] and "Req." in header and "%OK" in header
    assert all(cell_len(line) <= width for line in text.splitlines())
    row = row_of(text, "KB4592440")
    assert "Critical" in row and "1" in row


def test_updates_at_80_columns_show_the_kb(plain_url, monkeypatch, capsys):
    text = run(plain_url, "updates", "--severity", "Critical", width=80, monkeypatch=monkeypatch, capsys=capsys)
    assert row_of(text, "KB4592440")[0] == "KB4592440"
    assert all(cell_len(line) <= 80 for line in text.splitlines())


def test_runs_at_80_columns_show_the_status(plain_url, monkeypatch, capsys):
    text = run(plain_url, "runs", width=80, monkeypatch=monkeypatch, capsys=capsys)
    header = text.split("\n", 1)[0].split()
    assert header[:4] == ["Id", "Kind", "Status", "Started"]
    assert row_of(text, "1")[1:3] == ["import", "ok"]
    assert all(cell_len(line) <= 80 for line in text.splitlines())


def test_piped_output_never_cuts_a_kb(plain_url, monkeypatch, capsys):
    for args in (("compliance",), ("updates",), ("compliance", "--client", PLAIN_CLIENT)):
        text = run(plain_url, *args, width=None, monkeypatch=monkeypatch, capsys=capsys)
        assert "KB4592440" in text and "KB4586793" in text and "…" not in text, args


HOSTILE_COMMANDS = {
    ("clients",): (CLIENT_SHOWN, DOMAIN_SHOWN),
    ("compliance",): (PRODUCT_SHOWN,),
    ("compliance", "--by", "client"): (CLIENT_SHOWN,),
    ("compliance", "--by", "collection"): (COLLECTION_SHOWN,),
    ("compliance", "--client", CLIENT, "--all"): ("KB4592440",),
    ("updates",): (PRODUCT_SHOWN,),
    ("runs",): (BAD_FILE_SHOWN,),
}


@pytest.mark.parametrize("args", list(HOSTILE_COMMANDS), ids=lambda args: " ".join(args[:3]).replace(CLIENT, "hostile"))
@pytest.mark.parametrize("width", [None, 80])
def test_hostile_names_are_printed_literally(hostile_url, args, width, monkeypatch, capsys):
    text = run(hostile_url, *args, width=width, monkeypatch=monkeypatch, capsys=capsys)
    assert_never_raw(text)
    if width is None:  # one row per line: every value whole (on a terminal, free text may wrap)
        for shown in HOSTILE_COMMANDS[args]:
            assert shown in text, (args, shown)
    elif args == ("clients",):
        assert CLIENT_SHOWN in text  # an id: whole on a terminal too


def test_hostile_names_in_csv_and_json(hostile_url, monkeypatch, capsys):
    text = run(hostile_url, "clients", "--format", "csv", width=None, monkeypatch=monkeypatch, capsys=capsys)
    assert_never_raw(text)
    assert CLIENT_SHOWN in text and DOMAIN_SHOWN in text
    clients = json.loads(run(hostile_url, "clients", "--format", "json", width=None, monkeypatch=monkeypatch,
                             capsys=capsys))
    assert {c["name"] for c in clients} == {PLAIN_CLIENT, CLIENT}
    assert {c["domain"] for c in clients} == {"corp.example", HOSTILE}


def test_errors_on_stderr_show_what_they_quote_escaped(tmp_path, capsys):
    from tests.hostile_site import BAD_FILE

    bad = tmp_path / BAD_FILE
    bad.write_text("{ this is not a CVRF document", encoding="utf-8")
    assert cli("--db", f"sqlite:///{tmp_path / 'site.db'}", "import", bad) == 1
    err = capsys.readouterr().err
    assert_never_raw(err)
    assert BAD_FILE_SHOWN in err and "\x1b" not in err


def test_on_a_real_terminal_its_width_is_read_from_it(plain_url, tmp_path):
    """The command in a pseudo-terminal 100 columns wide, with no COLUMNS to go by (80 is the fallback)."""
    pty = pytest.importorskip("pty")
    fcntl, termios = pytest.importorskip("fcntl"), pytest.importorskip("termios")
    import os
    import struct
    import subprocess

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d"), TERM="xterm")
    done = subprocess.run([sys.executable, "-m", "sumtui", "--db", plain_url, "compliance", "--client", PLAIN_CLIENT,
                           "--state", "required"], stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, timeout=120)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal is closed once everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert done.returncode == 0, done.stderr
    text = SGR.sub("", b"".join(chunks).decode()).replace("\r\n", "\n")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].split() == ["KB", "Product", "Severity", "State", "Why"]
    assert "Critical" in row_of(text, "KB4592440") and "required" in row_of(text, "KB4592440")
    assert max(cell_len(line) for line in lines) == 100 and len(lines) > 2  # all the width, the sentence wrapped
