"""`systeminfo` output → Inventory: host, OS name and build, architecture, role, domain, hotfix KBs.

The default list format is "Label:<padding>value" lines with continuation lines indented to the
value column; `systeminfo /fo csv` (one header row, one value row, multi-valued cells joined with
commas) is read too. Labels are translated in every Windows language, so each field is recognised
by its label where we know it (LABELS) and otherwise by the shape of its value, which does not
change with the language:

- the host name is the first field;
- the OS name starts with "Microsoft Windows";
- the OS version looks like "10.0.17763 N/A Build 17763" ("N/D build", "暂缺 Build", "Service Pack 1
  Build 7601"): a dotted version whose last number is repeated at the end of the line;
- the system type holds "x64-based PC" / "X86-based PC" / "ARM64-based PC";
- the logon server starts with "\\\\", the domain is the field just before it and the hotfix list
  the field just after it (systeminfo's field order is the same in every language);
- hotfix entries look like "[01]: KB4100347"; entries that are not KB ids ("File 1", as systeminfo
  prints for some packages) count as entries but give no KB.
- the time zone looks like "(UTC+01:00) Amsterdam, Berlin, ..." (older Windows: "(GMT+01:00) ..."):
  read by `timezones.zone_from_display` into an IANA name or a fixed offset.

Values are aligned in display columns (a CJK character takes two), which is how a label that holds
a colon ("Virtual Memory: Max Size:") is told from its value.

Truncation (decided here, relied on by compliance): a file that has no hotfix list at all, or whose
list is cut before its first KB, is refused (InventoryError) — reporting "0 KBs installed" for a
machine whose list was cut off would make every update Required. A file whose hotfix list is
present but shorter than announced ("263 Hotfix(s) Installed." followed by 245 entries — systeminfo
itself cuts long lists on Windows 7 — or a file that ends inside the list) is accepted with the KBs
it does list, `kb_list_complete=False` and a warning. An empty list is accepted as complete only
when the file shows it is ("Hotfix(s): N/A" or a zero count, followed by the next field).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field

from sumtui.fleet.inventory.model import (
    Inventory,
    InventoryError,
    machine_name,
    normalize_kbs,
)
from sumtui.fleet.inventory.timezones import (
    looks_like_zone_display,
    zone_from_display,
)
from sumtui.fleet.osmap import (
    architecture_from_system_type,
    edition_from_os_name,
    is_server_os_name,
)

# Field labels as systeminfo prints them, lower-cased, without the colon. English, German, Italian and
# Simplified Chinese are checked against real output; the others are the translations Windows uses
# as far as we know them — a wrong or missing one only means the value-shape rules take over.
LABELS: dict[str, tuple[str, ...]] = {
    "host": ("host name", "hostname", "nome host", "nom de l'hôte", "nombre de host", "nome do host",
             "hostnaam", "主机名", "主機名稱", "ホスト名", "호스트 이름", "имя узла", "nazwa hosta",
             "ana bilgisayar adı", "název hostitele"),
    "os_name": ("os name", "betriebssystemname", "nome so", "nom du système d'exploitation",
                "nombre del sistema operativo", "nome do sistema operacional", "naam van besturingssysteem",
                "os 名称", "作業系統名稱", "os 名", "os 이름", "название ос", "nazwa systemu operacyjnego",
                "işletim sistemi adı", "název operačního systému"),
    "os_version": ("os version", "betriebssystemversion", "versione so", "version du système",
                   "versión del sistema operativo", "versão do sistema operacional",
                   "versie van besturingssysteem", "os 版本", "作業系統版本", "os バージョン", "os 버전",
                   "версия ос", "wersja systemu operacyjnego", "işletim sistemi sürümü",
                   "verze operačního systému"),
    "os_config": ("os configuration", "betriebssystemkonfiguration", "configurazione so",
                  "configuration du système d'exploitation", "configuración del sistema operativo",
                  "configuração do so", "configuração do sistema operacional",
                  "configuratie van besturingssysteem", "os 配置", "作業系統設定", "os 構成", "os 구성",
                  "параметры ос", "konfiguracja systemu operacyjnego", "işletim sistemi yapılandırması",
                  "konfigurace operačního systému"),
    "system_type": ("system type", "systemtyp", "tipo sistema", "type du système", "tipo de sistema",
                    "systeemtype", "系统类型", "系統類型", "システムの種類", "시스템 종류", "тип системы",
                    "typ systemu", "sistem türü", "typ systému"),
    "domain": ("domain", "domäne", "dominio", "domaine", "domínio", "domein", "域", "網域", "ドメイン",
               "도메인", "домен", "domena", "etki alanı", "doména"),
    "logon_server": ("logon server", "anmeldeserver", "server di accesso", "serveur d'ouverture de session",
                     "servidor de inicio de sesión", "servidor de logon", "aanmeldingsserver", "登录服务器",
                     "登入伺服器", "ログオン サーバー", "로그온 서버", "сервер входа в сеть",
                     "serwer logowania", "oturum açma sunucusu", "přihlašovací server"),
    "time_zone": ("time zone", "zeitzone", "fuso orario", "fuseau horaire", "zona horaria", "fuso horário",
                  "tijdzone", "时区", "時區", "タイム ゾーン", "표준 시간대", "часовой пояс", "strefa czasowa",
                  "saat dilimi", "časové pásmo"),
    "hotfixes": ("hotfix(s)", "hotfix(es)", "hotfix(e)", "aggiornamenti rapidi", "correctif(s)", "revisiones",
                 "revisión(es)", "correções", "修补程序", "修補程式", "ホットフィックス", "핫픽스",
                 "исправление(я)", "исправления", "poprawki", "düzeltmeler", "opravy hotfix"),
}
_FIELD_OF_LABEL = {label: key for key, labels in LABELS.items() for label in labels}

# Localized words for "server"/"domain controller" and "workstation" in the OS Configuration value
# ("Member Server", "Workstation membro", "独立工作站", "Eigenständige Arbeitsstation" …).
_SERVER_ROLE = re.compile(
    r"server|serveur|servidor|serwer|sunucu|сервер|服务器|伺服器|サーバー|서버|"
    r"controller|contrôleur|controlador|kontroler|контроллер|控制器|コントローラー|컨트롤러", re.IGNORECASE)
_WORKSTATION_ROLE = re.compile(
    r"workstation|arbeitsstation|station de travail|estación de trabajo|estação de trabalho|werkstation|"
    r"stacja robocza|iş istasyonu|pracovní stanice|рабочая станция|工作站|ワークステーション|워크스테이션",
    re.IGNORECASE)

_BUILD_LINE = re.compile(r"^(\d{1,2}\.\d{1,2}\.(\d{3,6}))\b.*?\b(\d{3,6})\s*$")
_OS_NAME = re.compile(r"^(?:Microsoft\s+)?Windows\b", re.IGNORECASE)
_ARCH_VALUE = re.compile(r"\b(?:x64|x86|arm64|amd64)-based\b", re.IGNORECASE)
# Entry numbers grow with the list: "[01]" … "[9999]", "[10000]" and on (no upper bound on digits).
_ENTRY = re.compile(r"^\[(\d+)\]:\s*(.*)$")
_KB = re.compile(r"^KB(\d{1,8})\b", re.IGNORECASE)
_COUNT = re.compile(r"\d+")
_FIRST_LINE = re.compile(r"^(\S[^:]*?:)\s+\S")
_LAST_COLON = re.compile(r"^(.*?\S)\s*:\s+(.*)$|^(.*?\S)\s*:$")
_CSV_ENTRY_SPLIT = re.compile(r",(?=\[\d+\]:)")
# systeminfo /fo csv puts the whole hotfix list in one cell: 10,000 entries are ~200 KB, past the csv
# module's 128 KB default. Raised (never lowered) to the largest inventory parse_inventory accepts.
csv.field_size_limit(max(csv.field_size_limit(), 8 * 1024 * 1024))


@dataclass
class _Field:
    label: str                 # normalized: lower case, no colon, single spaces
    value: str
    extra: list[str] = field(default_factory=list)  # continuation lines, stripped
    ended_cleanly: bool = True  # False when the file stops on this field's last line without a newline


def looks_like_systeminfo(text: str) -> bool:
    """Cheap sniff: a "Label: value" list (or systeminfo's CSV) with a recognisable field near the top."""
    head = text.lstrip("\ufeff\r\n\t ")[:4000]
    first = head.split("\n", 1)[0]
    if first.startswith('"') and '","' in first:
        # systeminfo /fo csv: a known host label heads the first column, or a build sits in a value cell.
        try:
            rows = list(csv.reader(line.replace("\r", "") for line in head.split("\n")[:2]))
        except csv.Error:
            return False
        if rows and rows[0] and _normal(rows[0][0]) in LABELS["host"]:
            return True
        return len(rows) > 1 and any(_BUILD_LINE.match(cell.strip()) for cell in rows[1])
    if not _FIRST_LINE.match(first):
        return False
    for line in head.split("\n")[:12]:
        if ":" not in line:
            continue
        label, _, value = line.partition(":")
        if _normal(label) in _FIELD_OF_LABEL or _BUILD_LINE.match(value.strip()):
            return True
    return False


def parse_systeminfo(text: str, *, name: str, host: str | None = None) -> Inventory:
    """`host` names the machine when the file's own host-name line is missing or unusable."""
    text = text.lstrip("\ufeff")
    first = text.lstrip("\r\n\t ").split("\n", 1)[0]
    fields = _csv_fields(text, name) if first.startswith('"') else _list_fields(text, name)
    if not fields:
        raise InventoryError(f"{name}: not a systeminfo output: no 'Label: value' lines")
    return _inventory(fields, name, host)


def _normal(label: str) -> str:
    return " ".join(label.replace("\u2019", "'").strip().rstrip(":").split()).casefold()


def _lines(text: str) -> list[str]:
    if "\n" not in text and "\r" in text:
        return text.split("\r")
    return [line.rstrip("\r") for line in text.split("\n")]


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _split_at_column(line: str, column: int) -> tuple[str, str] | None:
    """(label, value) when the line has a label ending in ':' that fills exactly `column` display cells."""
    if line[:column].isascii():
        cut = column
    else:
        width, cut = 0, len(line)
        for index, char in enumerate(line):
            if width >= column:
                cut = index
                break
            width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    label, value = line[:cut], line[cut:]
    if not label.rstrip().endswith(":") or (value and label and not label[-1].isspace()):
        return None
    if value[:1].isspace():
        return None
    return label, value


def _split_loose(line: str) -> tuple[str, str]:
    # Misaligned line (re-typed, trimmed by a mail client): the first ': ' ends the label.
    label, sep, value = line.partition(": ")
    if not sep:
        return line.rstrip().rstrip(":"), ""
    return label, value


def _list_fields(text: str, name: str) -> list[_Field]:
    lines = _lines(text)
    ends_with_newline = text.endswith(("\n", "\r"))
    fields: list[_Field] = []
    column = None
    last_index = len(lines) - 1
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if line[0] in " \t":
            if fields:
                fields[-1].extra.append(line.strip())
                if index == last_index and not ends_with_newline:
                    fields[-1].ended_cleanly = False
            continue
        if column is None:
            match = _FIRST_LINE.match(line)
            if not match:
                raise InventoryError(f"{name}: not a systeminfo output: first line is not 'Label: value'")
            column = _width(line[: match.end() - 1])
        split = _split_at_column(line, column) or _split_loose(line)
        fields.append(_Field(_normal(split[0]), split[1].strip()))
        if index == last_index and not ends_with_newline:
            fields[-1].ended_cleanly = False
    return fields


def _csv_fields(text: str, name: str) -> list[_Field]:
    try:
        rows = [row for row in csv.reader(line.replace("\r", "") for line in _lines(text))
                if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InventoryError(f"{name}: malformed systeminfo CSV: {exc}") from None
    if len(rows) < 2:
        raise InventoryError(f"{name}: systeminfo CSV without a value row (header only or truncated)")
    if len(rows) > 2:
        raise InventoryError(f"{name}: systeminfo CSV with {len(rows) - 1} machines: import one machine per file")
    header, values = rows
    if len(values) < len(header):
        raise InventoryError(f"{name}: truncated systeminfo CSV: {len(values)} of {len(header)} columns")
    fields = []
    for label, cell in zip(header, values):
        head, *entries = _CSV_ENTRY_SPLIT.split(cell)
        fields.append(_Field(_normal(label), head.strip(), [entry.strip() for entry in entries]))
    return fields


def _find(fields: list[_Field], key: str, shape=None, start: int = 0, stop: int | None = None) -> int | None:
    for index, fld in enumerate(fields):
        if _FIELD_OF_LABEL.get(fld.label) == key:
            return index
    if shape is not None:
        for index in range(start, min(len(fields), stop if stop is not None else len(fields))):
            if shape(fields[index]):
                return index
    return None


def _has_kb_entries(fld: _Field) -> bool:
    return any(_ENTRY.match(line) and _KB.match(_ENTRY.match(line).group(2)) for line in fld.extra[:3])


def _inventory(fields: list[_Field], name: str, given: str | None) -> Inventory:
    host_at = _find(fields, "host")
    hosts = sum(1 for f in fields if _FIELD_OF_LABEL.get(f.label) == "host")
    builds = sum(1 for f in fields if _is_build_line(f))
    if hosts > 1 or builds > 1:
        raise InventoryError(f"{name}: systeminfo of {max(hosts, builds)} machines: import one machine per file")
    # Without a known host label the first field is the host name (its label may be in a language we
    # do not know), unless the operator named the machine.
    found = fields[host_at].value if host_at is not None else None if given else fields[0].value
    host = machine_name(found, given, name=name, problem="systeminfo without a usable host name on its first line")

    name_at = _find(fields, "os_name", lambda f: bool(_OS_NAME.match(f.value)))
    os_name = fields[name_at].value if name_at is not None else None
    version_at = _find(fields, "os_version", _is_build_line)
    build = None
    if version_at is not None:
        match = _BUILD_LINE.match(fields[version_at].value)
        build = match.group(1) if match else None
    type_at = _find(fields, "system_type", lambda f: bool(_ARCH_VALUE.search(f.value)))
    architecture = architecture_from_system_type(fields[type_at].value) if type_at is not None else None
    # OS Configuration follows the OS version within a few fields; looking further would take
    # "Logon Server: \\SERVER01" for a role.
    after_version = (version_at or 0) + 1
    config_at = _find(fields, "os_config", lambda f: _role(f.value) is not None,
                      start=after_version, stop=after_version + 3)
    role = _role(fields[config_at].value) if config_at is not None else None
    is_server = is_server_os_name(os_name)
    if is_server is None and role is not None:
        is_server = role == "server"

    logon_at = _find(fields, "logon_server", lambda f: f.value.startswith("\\\\"))
    domain_at = _find(fields, "domain")
    if domain_at is None and logon_at is not None and logon_at > 0:
        domain_at = logon_at - 1
    domain = (fields[domain_at].value or None) if domain_at is not None else None
    hotfix_at = _find(fields, "hotfixes", _has_kb_entries)
    if hotfix_at is None and logon_at is not None and logon_at + 1 < len(fields):
        hotfix_at = logon_at + 1

    zone_at = _find(fields, "time_zone", lambda f: looks_like_zone_display(f.value))
    time_zone = zone_from_display(fields[zone_at].value) if zone_at is not None else None

    inventory = Inventory(name=host, source_format="systeminfo", domain=domain, os_name=os_name, build=build,
                          architecture=architecture, is_server=is_server, edition=edition_from_os_name(os_name),
                          time_zone=time_zone)
    if hotfix_at is None:
        last = fields[-1].label or "?"
        raise InventoryError(f"{name}: truncated systeminfo: no hotfix list (the file ends after '{last}')")
    _read_hotfixes(fields, hotfix_at, inventory)
    if not inventory.installed_kbs and not inventory.kb_list_complete:
        # An incomplete list without a single KB says nothing about what is installed.
        raise InventoryError(f"{name}: truncated systeminfo: the file ends at the start of the hotfix list")
    return inventory


def _is_build_line(fld: _Field) -> bool:
    match = _BUILD_LINE.match(fld.value)
    return bool(match) and match.group(2) == match.group(3)


def _role(value: str) -> str | None:
    if _WORKSTATION_ROLE.search(value):
        return "workstation"
    if _SERVER_ROLE.search(value):
        return "server"
    return None


def _read_hotfixes(fields: list[_Field], at: int, inventory: Inventory) -> None:
    section = fields[at]
    entries = [m.group(2) for m in map(_ENTRY.match, section.extra) if m]
    is_last_field = at == len(fields) - 1
    if is_last_field and not section.ended_cleanly:
        if section.extra and _ENTRY.match(section.extra[-1]):
            entries.pop()  # the file stops mid-line: the last KB number may be cut ("KB45")
        inventory.kb_list_complete = False
        inventory.warnings.append("the file ends in the middle of the hotfix list")
    kbs = [m.group(1) for m in map(_KB.match, entries) if m]
    inventory.installed_kbs = normalize_kbs(kbs)

    count = _COUNT.search(section.value)
    announced = int(count.group()) if count else None
    if announced is not None and announced > len(entries):
        inventory.kb_list_complete = False
        inventory.warnings.append(
            f"the hotfix list announces {announced} hotfixes but lists {len(entries)}: "
            "KBs that are not listed may still be installed")
    elif is_last_field and announced is None and inventory.kb_list_complete:
        # Nothing after the list and no count to check it against: it may have been cut.
        inventory.kb_list_complete = False
        inventory.warnings.append("the file ends after the hotfix list, which has no count to check")
