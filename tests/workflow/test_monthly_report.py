"""``hub report monthly`` as the health commission's analyst runs it, on both stores: 002 四(四)'s monthly report
("每月初将上月份工作数据报…") of 000 一(一)'s four rates (首次提醒调阅率、互认率、诊断符合率、互认不遵从率) and their
counts, with what the hub knows of 004 7.1's data quality.

A known sequence of reminders and decisions is written through graph.workflow (as the reminder and decision
use cases write them), institutions through ``hub load``; then the real ``hub`` command writes the files, which
are read back with ``csv`` and openpyxl and checked cell by cell against counts worked out by hand below —
including the empty cell of a rate whose denominator is 0, the days at both ends of the month, and the total
matching the ``recognitionMetrics`` use case (the GraphQL query's numbers).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from graph.facts import region_index
from graph.store import open_store
from graph.workflow import WorkflowStore
from hub.domain.data_quality import NOT_PROVIDED_EN, NOT_PROVIDED_ZH, upload_rule_clauses
from hub.domain.monthly_report import CITATION, Month, columns
from hub.domain.policy import load_policies
from hub.domain.regions import RegionIndex
from hub.domain.seeds import DEFAULT_SEEDS_DIR, policies_dir
from hub.domain.upload_rules import Finding, UploadRules
from hub.domain.vocabulary import ReasonCode
from hub.services.recognition_metrics import recognition_metrics
from hub.services.reminders import finding_code_marker, findings_json
from hub.services.reports import division_prefixes
from tests.support.hubproc import HubServer, hub_cli
from tests.workflow.test_workflow_store import decision, reminder

D = dt.date
SCOPES_BJ_DC = ["110101", "110100", "110000", "JJJ", "CN"]
SCOPES_SJZ = ["130102", "130100", "130000", "JJJ", "CN"]
SCOPES_CD = ["510104", "510100", "510000", "CY", "CN"]
INSTITUTIONS = [
    {"id": "bj-a", "name": "北京甲医院", "tier": "3A", "region": "110101", "ownership": "public", "kind": "general"},
    {"id": "bj-b", "name": "北京乙医院", "tier": "2A", "region": "110108", "ownership": "public", "kind": "general"},
    {"id": "he-a", "name": "石家庄甲医院", "tier": "3A", "region": "130102", "ownership": "public", "kind": "general"},
    {"id": "sc-a", "name": "成都甲医院", "tier": "3A", "region": "510104", "ownership": "public", "kind": "general"},
]
INCOMPLETE = findings_json([Finding(ReasonCode.INCOMPLETE_IMAGES, "001", "三、2(二)", "CT: no thin slices", "ct.thin")])
UNKNOWN = findings_json([Finding(ReasonCode.COMPLETENESS_UNKNOWN, "001", "三、2(二)", "series unreadable",
                                 "completeness.unknown")])
#: the columns with the clauses of the demo seeds' upload rules (001 and 003 state them)
COLUMNS = columns("001 三、2(二)；003 二(四)")
KEYS = [c.key for c in COLUMNS]
RATE_KEYS = ("firstReminderViewRate", "recognitionRate", "diagnosisConsistencyRate", "nonComplianceRate")


async def _write_sequence(graph: str) -> None:
    """November 2026, by hand:

    bj-a  r1 11-01 (first day) ACCEPTED                                  viewed accepted decidedRecognized
          r2 11-30 (last day)  REJECTED, no exclusion; images incomplete viewed decidedRecognized nonCompliant
          r3 11-15 REEXAMINED, exclusion, consistent                     viewed decidedRecognized reexaminedCompared consistent
          r4 11-15 REEXAMINED of PHYSICIAN_DISCRETION, not consistent    viewed reexaminedCompared
          r5 11-20 viewed only; completeness could not be checked        viewed
          r6 11-20 nothing
          r7 12-01 ACCEPTED (next month: December's)   r8 10-31 (October's)
    he-a  r9 11-10 nothing, r10 11-11 viewed
    bj-b  nothing                                      sc-a r11 11-05 ACCEPTED (Sichuan: CY, not JJJ)
    """
    store = await open_store(graph, seed=False)
    w = WorkflowStore(store)
    try:
        await w.upsert([
            reminder("r1", at="bj-a", scopes=SCOPES_BJ_DC, uid="1", issued=D(2026, 11, 1)),
            reminder("r2", at="bj-a", scopes=SCOPES_BJ_DC, uid="2", issued=D(2026, 11, 30), findings=INCOMPLETE),
            reminder("r3", at="bj-a", scopes=SCOPES_BJ_DC, uid="3", issued=D(2026, 11, 15)),
            reminder("r4", at="bj-a", scopes=SCOPES_BJ_DC, uid="4", issued=D(2026, 11, 15),
                     verdict="PHYSICIAN_DISCRETION"),
            reminder("r5", at="bj-a", scopes=SCOPES_BJ_DC, uid="5", issued=D(2026, 11, 20), findings=UNKNOWN),
            reminder("r6", at="bj-a", scopes=SCOPES_BJ_DC, uid="6", issued=D(2026, 11, 20)),
            reminder("r7", at="bj-a", scopes=SCOPES_BJ_DC, uid="7", issued=D(2026, 12, 1)),
            reminder("r8", at="bj-a", scopes=SCOPES_BJ_DC, uid="8", issued=D(2026, 10, 31)),
            reminder("r9", at="he-a", scopes=SCOPES_SJZ, uid="9", issued=D(2026, 11, 10)),
            reminder("r10", at="he-a", scopes=SCOPES_SJZ, uid="10", issued=D(2026, 11, 11)),
            reminder("r11", at="sc-a", scopes=SCOPES_CD, uid="11", issued=D(2026, 11, 5)),
        ])
        await w.record_decision(decision("d1", "r1"))
        await w.record_decision(decision("d2", "r2", "REJECTED", reason="病情变化", patientInformed=True))
        await w.record_decision(decision("d3", "r3", "REEXAMINED", reason="急诊", patientInformed=True,
                                         exclusion="EXCLUSION_EMERGENCY", diagnosisConsistent=True))
        await w.record_decision(decision("d4", "r4", "REEXAMINED", reason="复查", patientInformed=True,
                                         verdict="PHYSICIAN_DISCRETION", diagnosisConsistent=False))
        await w.view("r5", "2026-11-20T02:00:00.000000Z")
        await w.record_decision(decision("d7", "r7"))
        await w.record_decision(decision("d8", "r8"))
        await w.view("r10", "2026-11-11T02:00:00.000000Z")
        await w.record_decision(decision("d11", "r11"))
    finally:
        await store.close()


def _counts(reminders, viewed, accepted, decided, non_compliant, compared, consistent) -> dict:
    return {"reminders": reminders, "viewed": viewed, "accepted": accepted, "decidedRecognized": decided,
            "nonCompliant": non_compliant, "reexaminedCompared": compared, "consistent": consistent}


# the four rates and the image-completeness rate, divided by hand (None: denominator 0, an empty cell)
BJ_A = {**_counts(6, 5, 1, 3, 1, 2, 1), "firstReminderViewRate": 5 / 6, "recognitionRate": 1 / 6,
        "diagnosisConsistencyRate": 1 / 2, "nonComplianceRate": 1 / 3,
        "imagesIncomplete": 1, "completenessUnknown": 1, "imageCompletenessRate": 4 / 6}
BJ_B = {**_counts(0, 0, 0, 0, 0, 0, 0), **dict.fromkeys(RATE_KEYS), "imagesIncomplete": 0, "completenessUnknown": 0,
        "imageCompletenessRate": None}
HE_A = {**_counts(2, 1, 0, 0, 0, 0, 0), "firstReminderViewRate": 1 / 2, "recognitionRate": 0.0,
        "diagnosisConsistencyRate": None, "nonComplianceRate": None,
        "imagesIncomplete": 0, "completenessUnknown": 0, "imageCompletenessRate": 1.0}
JJJ = {**_counts(8, 6, 1, 3, 1, 2, 1), "firstReminderViewRate": 6 / 8, "recognitionRate": 1 / 8,
       "diagnosisConsistencyRate": 1 / 2, "nonComplianceRate": 1 / 3,
       "imagesIncomplete": 1, "completenessUnknown": 1, "imageCompletenessRate": 6 / 8}
BJ_A_DECEMBER = {**_counts(1, 1, 1, 1, 0, 0, 0), "firstReminderViewRate": 1.0, "recognitionRate": 1.0,
                 "diagnosisConsistencyRate": None, "nonComplianceRate": 0.0,
                 "imagesIncomplete": 0, "completenessUnknown": 0, "imageCompletenessRate": 1.0}
NOT_PROVIDED_KEYS = [k for k in KEYS if k.startswith("quality ")]


def _load_institutions(graph: str, tmp_path: Path) -> None:
    data = tmp_path / "institutions.json"
    data.write_text(json.dumps({"institutions": INSTITUTIONS}, ensure_ascii=False), encoding="utf-8")
    hub_cli("load", "--graph", graph, str(data))


def _report(graph: str, out: Path, *args: str) -> tuple[list[dict], list[dict]]:
    """Run the command; the CSV's and the XLSX's rows as {column key: value} (headers mapped back by label)."""
    run = hub_cli("report", "monthly", "--graph", graph, "--out", str(out), *args, check=False)
    assert run.returncode == 0, run.stderr
    paths = [Path(line) for line in run.stdout.splitlines() if line.strip()]
    assert [p.suffix for p in paths] == [".csv", ".xlsx"] and all(p.parent == out for p in paths), run.stdout
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark (Excel in China)"
    with open(paths[0], encoding="utf-8-sig", newline="") as f:
        header, *body = list(csv.reader(f))
    book = openpyxl.load_workbook(paths[1])
    sheet = book.worksheets[0]
    xlsx_header, *xlsx_body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == xlsx_header
    for row in sheet.iter_rows(min_row=2):
        for cell, column in zip(row, COLUMNS, strict=True):
            assert cell.number_format == {"rate": "0.00%", "count": "0"}.get(column.kind, "General"), (column.key,
                                                                                                     cell.number_format)
    assert len(book.worksheets) == 2  # the notes sheet
    return ([dict(zip(KEYS, r, strict=True)) for r in body], [dict(zip(KEYS, r, strict=True)) for r in xlsx_body])


def _check_row(csv_row: dict, xlsx_row: dict, expected: dict, *, institution: str, name: str, region: str,
               region_name: str, month: str, not_provided: str = NOT_PROVIDED_ZH) -> None:
    ident = {"institution": institution, "institutionName": name, "region": region, "regionName": region_name,
             "month": month, "citation": CITATION}
    for key, value in ident.items():
        assert csv_row[key] == (value or ""), (key, csv_row[key])
        assert xlsx_row[key] == value, (key, xlsx_row[key])
    for key, value in expected.items():
        kind = next(c.kind for c in COLUMNS if c.key == key)
        if value is None:  # a rate over nothing: an empty cell in both files, never 0
            assert csv_row[key] == "" and xlsx_row[key] is None, (institution, key, csv_row[key], xlsx_row[key])
        elif kind == "rate":
            assert csv_row[key] == f"{value:.4f}", (institution, key, csv_row[key])
            assert xlsx_row[key] == pytest.approx(value, abs=1e-12), (institution, key, xlsx_row[key])
        else:
            assert csv_row[key] == str(value) and xlsx_row[key] == value, (institution, key, csv_row[key], xlsx_row[key])
    for key in NOT_PROVIDED_KEYS:  # 004 7.1 requirements the platforms give no data for: said, not invented
        assert csv_row[key] == not_provided and xlsx_row[key] == not_provided, key


async def _metrics(graph: str, **scope) -> dict:
    store = await open_store(graph, seed=False)
    try:
        counts = await recognition_metrics(store, await region_index(store), from_=D(2026, 11, 1),
                                           to=D(2026, 11, 30), **scope)
        return {**{k: counts.count(k) for k in _counts(*range(7))}, **counts.rates()}
    finally:
        await store.close()


def test_monthly_report_of_a_zone_and_of_an_institution(fresh_graph, tmp_path):
    """The JJJ report: a row per institution located in Beijing, Tianjin or Hebei (bj-b with no reminder too,
    sc-a in Sichuan not), then the total, which is the recognitionMetrics use case's answer for JJJ; bj-a's own
    report is its JJJ row; December holds only the reminder of the 1st of December."""
    graph = fresh_graph
    _load_institutions(graph, tmp_path)
    asyncio.run(_write_sequence(graph))

    csv_rows, xlsx_rows = _report(graph, tmp_path / "jjj", "--region", "JJJ", "--month", "2026-11")
    assert [r["institution"] for r in csv_rows] == ["bj-a", "bj-b", "he-a", "合计"]
    with open(tmp_path / "jjj" / "report-JJJ-2026-11.csv", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    assert header == [c.label("zh") for c in COLUMNS]  # Chinese headers; image completeness cites the seeds' rules
    assert header[5:16] == ["提醒数", "调阅数", "互认数", "应互认已处理数", "不遵从数", "复查比对数", "诊断符合数",
                            "首次提醒调阅率", "互认率", "诊断符合率", "互认不遵从率"]
    assert "影像完整率（001 三、2(二)；003 二(四)）" in header and "及时性（004 7.1.1）" in header
    for (c, x), exp, ident in zip(zip(csv_rows, xlsx_rows), (BJ_A, BJ_B, HE_A, JJJ), (
            ("bj-a", "北京甲医院", "110101", "东城区"), ("bj-b", "北京乙医院", "110108", "海淀区"),
            ("he-a", "石家庄甲医院", "130102", "长安区"), ("合计", None, "JJJ", "京津冀")), strict=True):
        _check_row(c, x, exp, institution=ident[0], name=ident[1], region=ident[2], region_name=ident[3],
                   month="2026-11")
    # the same numbers as the GraphQL query's use case, for the zone and for one institution
    metrics_keys = [*_counts(*range(7)), *RATE_KEYS]
    assert asyncio.run(_metrics(graph, region="JJJ")) == {k: JJJ[k] for k in metrics_keys}
    assert asyncio.run(_metrics(graph, institution="bj-a")) == {k: BJ_A[k] for k in metrics_keys}

    csv_rows, xlsx_rows = _report(graph, tmp_path / "one", "--institution", "bj-a", "--month", "2026-11")
    assert len(csv_rows) == len(xlsx_rows) == 1  # one institution: its row, no total
    _check_row(csv_rows[0], xlsx_rows[0], BJ_A, institution="bj-a", name="北京甲医院", region="110101",
               region_name="东城区", month="2026-11")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["report-bj-a-2026-11.csv",
                                                                     "report-bj-a-2026-11.xlsx"]

    # the month's edges: 12-01 is December's, 11-30 and 11-01 were November's (above)
    csv_rows, xlsx_rows = _report(graph, tmp_path / "dec", "--institution", "bj-a", "--month", "2026-12", "--lang", "en")
    _check_row(csv_rows[0], xlsx_rows[0], BJ_A_DECEMBER, institution="bj-a", name="北京甲医院", region="110101",
               region_name="东城区", month="2026-12", not_provided=NOT_PROVIDED_EN)
    with open(tmp_path / "dec" / "report-bj-a-2026-12.csv", encoding="utf-8-sig") as f:
        assert next(csv.reader(f))[:6] == ["institution id", "institution", "region code", "region", "month", "reminders"]

    csv_rows, _ = _report(graph, tmp_path / "cy", "--region", "CY", "--month", "2026-11")
    assert [(r["institution"], r["reminders"], r["accepted"]) for r in csv_rows] == [("sc-a", "1", "1"), ("合计", "1", "1")]


METRICS = """query($region: String, $institution: ID) {
  recognitionMetrics(from: "2026-11-01", to: "2026-11-30", region: $region, institution: $institution) {
    reminders viewed accepted decidedRecognized nonCompliant reexaminedCompared consistent
    firstReminderViewRate recognitionRate diagnosisConsistencyRate nonComplianceRate
  }
}"""


def test_the_report_holds_the_graphql_query_numbers_and_is_made_beside_hub_serve(fresh_graph, tmp_path):
    """The same numbers as ``recognitionMetrics`` asked of a running ``hub serve`` (no authentication on
    loopback), the report made while that server holds the store (the embedded one is read from a snapshot)."""
    graph = fresh_graph
    _load_institutions(graph, tmp_path)
    asyncio.run(_write_sequence(graph))
    server = HubServer(graph)
    try:
        zone = server.query(METRICS, {"region": "JJJ"})["data"]["recognitionMetrics"]
        one = server.query(METRICS, {"institution": "he-a"})["data"]["recognitionMetrics"]
        csv_rows, xlsx_rows = _report(graph, tmp_path / "served", "--region", "JJJ", "--month", "2026-11")
    finally:
        server.stop()
    assert zone == {k: JJJ[k] for k in zone} and one == {k: HE_A[k] for k in one}
    total, he_a = csv_rows[-1], next(r for r in csv_rows if r["institution"] == "he-a")
    for key in zone:
        for answer, row, xrow in ((zone, total, xlsx_rows[-1]), (one, he_a, xlsx_rows[csv_rows.index(he_a)])):
            if answer[key] is None:
                assert row[key] == "" and xrow[key] is None, key
            elif isinstance(answer[key], float):
                assert row[key] == f"{answer[key]:.4f}" and xrow[key] == pytest.approx(answer[key], abs=1e-12), key
            else:
                assert row[key] == str(answer[key]) and xrow[key] == answer[key], key


BAD = [
    (["--region", "JJJ", "--month", "2026-13"], "--month"),
    (["--region", "JJJ", "--month", "2026-1"], "--month"),
    (["--region", "JJJ", "--month", "November"], "--month"),
    (["--institution", "nobody", "--month", "2026-11"], "--institution"),
    (["--region", "990000", "--month", "2026-11"], "--region"),
    (["--region", "XYZ", "--month", "2026-11"], "--region"),
    (["--region", "JJJ", "--institution", "bj-a", "--month", "2026-11"], "--institution / --region"),
    (["--month", "2026-11"], "--institution / --region"),
    (["--region", "JJJ", "--month", "2026-11", "--lang", "fr"], "--lang"),
]


def test_bad_options_are_refused_naming_the_option_and_write_nothing(fresh_graph, tmp_path):
    """A month that is not YYYY-MM, an institution or region the graph does not know, both scopes or neither, a
    language the hub does not speak: one line naming the option, a non-zero exit, no file."""
    graph = fresh_graph
    _load_institutions(graph, tmp_path)
    for n, (args, option) in enumerate(BAD):
        out = tmp_path / f"out{n}"
        run = hub_cli("report", "monthly", "--graph", graph, "--out", str(out), *args, check=False)
        assert run.returncode != 0 and "Traceback" not in run.stderr, (args, run.stderr)
        assert f"{option}:" in run.stderr, (args, run.stderr)
        assert not out.exists(), (args, list(out.iterdir()))


def test_a_month_runs_from_its_first_day_to_its_last():
    assert (Month.parse("2026-11").first, Month.parse("2026-11").last) == (D(2026, 11, 1), D(2026, 11, 30))
    assert Month.parse("2028-02").last == D(2028, 2, 29) and Month.parse("2026-02").last == D(2026, 2, 28)
    assert Month.parse("2026-12").last == D(2026, 12, 31) and str(Month.parse(" 2026-01 ")) == "2026-01"
    for bad in ("2026-00", "2026-13", "2026-1", "26-11", "2026/11", "2026-11-01", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)


def test_the_store_counts_findings_by_the_text_the_reminders_write():
    """reminder.metrics_by_institution finds a code in the findings' JSON text: the marker it is given is made by
    the serializer that wrote the text (hub.services.reminders), for every completeness code."""
    for code in (ReasonCode.INCOMPLETE_IMAGES, ReasonCode.COMPLETENESS_UNKNOWN):
        text = findings_json([Finding(code, "001", "三、2(二)", "细节：缺薄层", "ct.thin")])
        assert finding_code_marker(code) in text
        assert finding_code_marker(ReasonCode.INCOMPLETE_IMAGES if code != ReasonCode.INCOMPLETE_IMAGES
                                   else ReasonCode.COMPLETENESS_UNKNOWN) not in text


def test_image_completeness_is_cited_from_the_policies_upload_rules():
    """The clauses beside the image-completeness figures come from the seeds' policy files, not from code."""
    rules = UploadRules.of(load_policies(policies_dir(DEFAULT_SEEDS_DIR)).values())
    assert upload_rule_clauses(rules) == "001 三、2(二)；003 二(四)"
    assert upload_rule_clauses(UploadRules()) == ""
    assert columns("")[16].label("zh") == "影像不完整数"


def test_a_region_is_read_as_the_prefixes_of_its_largest_divisions():
    """institution.in_regions tests prefixes: a zone is its provinces, the nation every province, a city and a
    county themselves (Chongqing 500000 is 50, not 5, which would take in Sichuan's 51)."""
    regions = RegionIndex.from_table()
    assert division_prefixes(regions, "JJJ") == ["11", "12", "13"]
    assert division_prefixes(regions, "CY") == ["50", "51"]
    assert division_prefixes(regions, "500000") == ["50"]
    assert division_prefixes(regions, "130100") == ["1301"] and division_prefixes(regions, "130102") == ["130102"]
    assert len(division_prefixes(regions, "CN")) == 34
