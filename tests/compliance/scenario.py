"""A four-month catalog (2022-Jan to 2022-Apr) written in the real CVRF JSON shape, built to exercise
every compliance rule: a Windows 10 1809 cumulative chain that breaks in February, servicing stack
updates, .NET Framework with a FixedBuild that looks like an OS build, Windows Server 2012 R2 Monthly
Rollups and Security Only updates, and Internet Explorer 11 appearing only in January and March."""

from __future__ import annotations

from tests.cvrf_builder import Fix, Vuln, month_doc, write

W1809 = "11569"
NET472 = "11950"
NET48 = "11951"
W2012R2 = "10483"
IE2012R2 = "10412-10483"
W81 = "10482"
S2019 = "11571"
PRODUCTS = {
    W1809: "Windows 10 Version 1809 for x64-based Systems",
    NET472: "Microsoft .NET Framework 3.5 AND 4.7.2 on Windows 10 Version 1809 for x64-based Systems",
    NET48: "Microsoft .NET Framework 3.5 AND 4.8 on Windows 10 Version 1809 for x64-based Systems",
    W2012R2: "Windows Server 2012 R2",
    IE2012R2: "Internet Explorer 11 on Windows Server 2012 R2",
    W81: "Windows 8.1 for x64-based systems",
    S2019: "Windows Server 2019",
}

# The KBs, by month.
CU = {1: "5009557", 2: "5010351", 3: "5011503", 4: "5012647"}
CU_BUILD = {1: "10.0.17763.2452", 2: "10.0.17763.2565", 3: "10.0.17763.2686", 4: "10.0.17763.2803"}
SSU = {1: "5009642", 3: "5011570"}
NET = {1: "5008873", 3: "5011267"}
NET48_KB = {1: "5008858", 3: "5011258"}
ROLLUP = {1: "5009624", 2: "5010419", 3: "5011564", 4: "5012670"}
SECONLY = {1: "5009595", 2: "5010395", 3: "5011560", 4: "5012639"}
IE = {1: "5009713", 3: "5011486"}
DYNAMIC = "5011584"
SERVER2019 = {1: "5009557"}


def months() -> dict[int, dict]:
    docs = {}
    for m in (1, 2, 3, 4):
        vulns = []
        for i in range(3):  # several CVEs name the cumulative update: it is the month's biggest KB
            previous = "" if m == 2 else CU.get(m - 1, "5008218")  # February's Supercedence is empty: a broken chain
            fixes = [Fix(CU[m], [W1809, S2019] if m == 1 else [W1809], supersedes=previous, fixed_build=CU_BUILD[m])]
            fixes.append(Fix(ROLLUP[m], [W2012R2, W81], subtype="Monthly Rollup", supersedes=ROLLUP.get(m - 1, "5008263")))
            fixes.append(Fix(SECONLY[m], [W2012R2, W81], subtype="Security Only"))
            vulns.append(Vuln(f"CVE-2022-2{m}{i:03d}", fixes, severity="Critical" if i == 0 else "Important"))
        if m in SSU:
            vulns.append(Vuln(f"CVE-2022-2{m}900", [Fix(SSU[m], [W1809], subtype="Servicing Stack Update",
                                                        supersedes=SSU.get(m - 2, ""))], severity="Moderate"))
        if m in NET:
            net_fixes = [
                # .NET FixedBuild values are not OS builds, even when they look like one: never credited.
                Fix(NET[m], [NET472], supersedes=NET.get(m - 2, ""), fixed_build="10.0.17763.1000"),
                Fix(NET48_KB[m], [NET48], supersedes=NET48_KB.get(m - 2, "")),
            ]
            vulns.append(Vuln(f"CVE-2022-2{m}800", net_fixes, title=".NET Framework Denial of Service Vulnerability",
                              impact="Denial of Service"))
        if m in IE:
            vulns.append(Vuln(f"CVE-2022-2{m}700", [Fix(IE[m], [IE2012R2], subtype="IE Cumulative")],
                              title="Scripting Engine Memory Corruption Vulnerability"))
        if m == 3:
            vulns.append(Vuln("CVE-2022-23999", [Fix(DYNAMIC, [W1809], subtype="Setup Dynamic Update")], severity="Low"))
            vulns.append(Vuln("CVE-2022-23998", [], advisories=[("Release Notes", [W1809])]))
        docs[m] = month_doc(2022, m, PRODUCTS, vulns)
    return docs


def write_months(folder) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for m, doc in months().items():
        path = folder / f"2022-{('Jan', 'Feb', 'Mar', 'Apr')[m - 1]}.json"
        write(path, doc)
        paths.append(path)
    return paths
