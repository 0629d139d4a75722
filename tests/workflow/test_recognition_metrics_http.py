"""The authority's four rates end to end (issue 17, "Done when"; CONTRACT.md ``recognitionMetrics``; 000 一(一)
defines 首次提醒调阅率、互认率、诊断符合率、互认不遵从率, 000 六(三) ranks institutions by them): a real
``hub serve --auth-jwks`` over each store, the three real Orthanc platforms of tests/connectors, signed tokens.

Clinicians drive a known sequence of reminders and decisions; an analyst then reads every count and every rate
over GraphQL, checked against values computed by hand below (a null where the denominator is 0), by period,
institution, province and zone; the ranking's order against hand-computed rates; the refusals (a clinician
FORBIDDEN, bad arguments BAD_INPUT naming the argument, an unknown institution); the month's gauges at /metrics.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from tests.workflow.test_reminder_flow_http import DECIDE, ORDERS, REMINDERS, VIEW, P, flow  # noqa: F401
from tests.connectors.conftest import ON

METRICS = """query($from: Date!, $to: Date!, $institution: ID, $region: String, $lang: Language) {
  recognitionMetrics(from: $from, to: $to, institution: $institution, region: $region, lang: $lang) {
    reminders viewed accepted decidedRecognized nonCompliant reexaminedCompared consistent
    firstReminderViewRate recognitionRate nonComplianceRate diagnosisConsistencyRate
    from to institution institutionName region regionName rates { name label clause value higherIsBetter }
  }
}"""
RANKING = """query($from: Date!, $to: Date!, $rate: RateName!, $region: String, $first: Int, $min: Int, $lang: Language) {
  recognitionRanking(from: $from, to: $to, rate: $rate, region: $region, first: $first, minDenominator: $min,
                     lang: $lang) {
    rank institution institutionName rate reminders viewed accepted decidedRecognized nonCompliant
    reexaminedCompared consistent
  }
}"""
COUNTS = ("reminders", "viewed", "accepted", "decidedRecognized", "nonCompliant", "reexaminedCompared", "consistent")
RATES = ("firstReminderViewRate", "recognitionRate", "nonComplianceRate", "diagnosisConsistencyRate")
#: the period of both institutions' reminders: sc-cd's on 2024-11-20, bj-hd's on ON (2025-06-30)
PERIOD = {"from": "2024-11-01", "to": ON.isoformat()}

# ---- what the sequence below must give, computed by hand (CONTRACT.md's definitions) ----
# bj-hd, 2025-06-30: r1 head CT RECOGNIZED viewed then ACCEPTED; r2 old head CT PHYSICIAN_DISCRETION untouched;
# r3 Hebei head MR RECOGNIZED, REEXAMINED without an exclusion, diagnosis consistent; r4 chest CT
# PHYSICIAN_DISCRETION, REJECTED with an exclusion, then REEXAMINED, diagnosis not consistent (the last counts)
BJ_HD = {"reminders": 4, "viewed": 3, "accepted": 1, "decidedRecognized": 2, "nonCompliant": 1,
         "reexaminedCompared": 2, "consistent": 1,
         "firstReminderViewRate": 3 / 4, "recognitionRate": 1 / 4, "nonComplianceRate": 1 / 2,
         "diagnosisConsistencyRate": 1 / 2}
# sc-cd, 2024-11-20: the MR angiography, viewed only — no decision: two rates over nothing are null
SC_CD = {"reminders": 1, "viewed": 1, "accepted": 0, "decidedRecognized": 0, "nonCompliant": 0,
         "reexaminedCompared": 0, "consistent": 0,
         "firstReminderViewRate": 1.0, "recognitionRate": 0.0, "nonComplianceRate": None,
         "diagnosisConsistencyRate": None}
BOTH = {"reminders": 5, "viewed": 4, "accepted": 1, "decidedRecognized": 2, "nonCompliant": 1,
        "reexaminedCompared": 2, "consistent": 1,
        "firstReminderViewRate": 4 / 5, "recognitionRate": 1 / 5, "nonComplianceRate": 1 / 2,
        "diagnosisConsistencyRate": 1 / 2}
NOTHING = {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(RATES, None)}


def _post(flow, role: str, query: str, variables: dict, **claims) -> dict:
    token = flow.keys.token(role=role, **claims)
    status, out = flow.server.post({"query": query, "variables": variables},
                                   headers={"Authorization": f"Bearer {token}"})
    assert status == 200, (status, out)
    return out


def _analyst(flow, query: str, variables: dict) -> dict:
    return _post(flow, "analyst", query, variables, sub="an-zhao")


def _figures(out: dict) -> dict:
    assert "errors" not in out, out
    m = out["data"]["recognitionMetrics"]
    return {k: m[k] for k in (*COUNTS, *RATES)}


def _error(out: dict) -> dict:
    assert out.get("data") is None and out.get("errors"), out
    return out["errors"][0]["extensions"]


def _drive(flow, scenario) -> dict:
    """The known sequence, by clinicians over GraphQL; returns bj-hd's reminders by study key."""
    li = {"sub": "dr-li", "institution": "bj-hd"}
    uids = {uid: key for key, uid in scenario.uids.items()}
    out = flow.ask(li, REMINDERS, {"p": P, "at": "bj-hd", "orders": ORDERS, "on": ON.isoformat()}, audit=None)
    assert "errors" not in out, out
    got = {uids[r["study"]["studyInstanceUid"]]: r for r in out["data"]["reminders"]}
    assert {k: r["recognition"]["verdict"] for k, r in got.items()} == {
        "bj_ct": "RECOGNIZED", "bj_old": "PHYSICIAN_DISCRETION", "he_mr": "RECOGNIZED",
        "bj_ct_thin_missing": "PHYSICIAN_DISCRETION"}

    def decide(given: dict) -> None:
        out = flow.ask(li, DECIDE, {"in": given}, audit=None)
        assert "errors" not in out, out

    assert "errors" not in flow.ask(li, VIEW, {"r": got["bj_ct"]["id"]}, audit=None)
    decide({"reminder": got["bj_ct"]["id"], "decision": "ACCEPTED", "archiveNo": "XH-2025-061001"})
    decide({"reminder": got["he_mr"]["id"], "decision": "REEXAMINED", "reason": "症状加重", "patientInformed": True,
            "diagnosisConsistent": True})
    decide({"reminder": got["bj_ct_thin_missing"]["id"], "decision": "REJECTED", "reason": "需薄层重建",
            "patientInformed": True, "exclusion": "三、5(六)"})
    decide({"reminder": got["bj_ct_thin_missing"]["id"], "decision": "REEXAMINED", "reason": "复查薄层CT",
            "patientInformed": True, "diagnosisConsistent": False})

    chen = {"sub": "dr-chen", "institution": "sc-cd"}
    cy = flow.ask(chen, REMINDERS, {"p": P, "at": "sc-cd", "orders": ["CY-IMG:116"], "on": "2024-11-20"}, audit=None)
    assert "errors" not in cy, cy
    (mra,) = cy["data"]["reminders"]
    assert "errors" not in flow.ask(chen, VIEW, {"r": mra["id"]}, audit=None)
    return got


def test_every_count_and_rate_of_a_known_sequence(flow, scenario):
    """000 一(一): the seven counts and four rates over GraphQL equal the hand-computed values, for the
    institution, its province and zone, the nation, a period holding only one institution's reminders and a
    period holding none (every rate null: nothing to divide by); the scope is described with its names."""
    _drive(flow, scenario)

    cases = [
        ({**PERIOD, "institution": "bj-hd"}, BJ_HD),
        ({**PERIOD, "institution": "sc-cd"}, SC_CD),
        ({**PERIOD, "region": "110000"}, BJ_HD),      # Beijing: bj-hd only
        ({**PERIOD, "region": "110108"}, BJ_HD),      # its county
        ({**PERIOD, "region": "JJJ"}, BJ_HD),         # the zone 京津冀
        ({**PERIOD, "region": "CY"}, SC_CD),          # the zone 川渝: Chengdu
        ({**PERIOD, "region": "130000"}, NOTHING),    # Hebei: the study came from there, no reminder was issued there
        ({**PERIOD, "region": "CN"}, BOTH),
        (PERIOD, BOTH),                               # everywhere
        ({"from": ON.isoformat(), "to": ON.isoformat()}, BJ_HD),              # one day: bj-hd's only
        ({"from": "2024-11-01", "to": "2024-11-30"}, SC_CD),                  # November 2024: sc-cd's only
        ({"from": "2025-07-01", "to": "2025-07-31"}, NOTHING),                # after both
    ]
    for variables, expected in cases:
        got = _figures(_analyst(flow, METRICS, variables))
        assert got == expected, variables

    m = _analyst(flow, METRICS, {**PERIOD, "institution": "bj-hd"})["data"]["recognitionMetrics"]
    assert (m["from"], m["to"], m["institution"], m["institutionName"], m["region"], m["regionName"]) == (
        "2024-11-01", "2025-06-30", "bj-hd", "海淀示例医院", None, None)
    assert [(r["name"], r["label"], r["clause"], r["value"], r["higherIsBetter"]) for r in m["rates"]] == [
        ("firstReminderViewRate", "首次提醒调阅率", "000 一(一)", 0.75, True),
        ("recognitionRate", "互认率", "000 一(一)", 0.25, True),
        ("diagnosisConsistencyRate", "诊断符合率", "000 一(一)", 0.5, True),
        ("nonComplianceRate", "互认不遵从率", "000 一(一)", 0.5, False)]
    z = _analyst(flow, METRICS, {**PERIOD, "region": "JJJ", "lang": "EN"})["data"]["recognitionMetrics"]
    assert (z["institution"], z["region"], z["regionName"], z["rates"][1]["label"]) == (
        None, "JJJ", "京津冀", "recognition rate")


def test_the_ranking_order_and_who_may_ask(flow, scenario):
    """000 六(三): institutions ranked by each rate, rank 1 the best (互认不遵从率: the lowest), an institution
    with nothing in a rate's denominator not ranked; ``minDenominator`` and ``region`` narrow it.  Only analysts
    and admins ask (CONTRACT.md "Who is asking"); bad arguments are BAD_INPUT naming the argument."""
    _drive(flow, scenario)

    def ranking(rate: str, **more) -> list[tuple]:
        out = _analyst(flow, RANKING, {**PERIOD, "rate": rate, **more})
        assert "errors" not in out, out
        return [(r["rank"], r["institution"], r["institutionName"], r["rate"]) for r in out["data"]["recognitionRanking"]]

    # hand-computed: bj-hd 3/4 viewed, 1/4 accepted, 1/2 non-compliant, 1/2 consistent; sc-cd 1/1, 0/1, —, —
    assert ranking("FIRST_REMINDER_VIEW_RATE") == [(1, "sc-cd", "成都示例医院", 1.0), (2, "bj-hd", "海淀示例医院", 0.75)]
    assert ranking("RECOGNITION_RATE") == [(1, "bj-hd", "海淀示例医院", 0.25), (2, "sc-cd", "成都示例医院", 0.0)]
    assert ranking("NON_COMPLIANCE_RATE") == [(1, "bj-hd", "海淀示例医院", 0.5)]
    assert ranking("DIAGNOSIS_CONSISTENCY_RATE") == [(1, "bj-hd", "海淀示例医院", 0.5)]
    assert ranking("FIRST_REMINDER_VIEW_RATE", min=2) == [(1, "bj-hd", "海淀示例医院", 0.75)]   # 1 of 1 left out
    assert ranking("FIRST_REMINDER_VIEW_RATE", first=1) == [(1, "sc-cd", "成都示例医院", 1.0)]
    assert ranking("RECOGNITION_RATE", region="CY") == [(1, "sc-cd", "成都示例医院", 0.0)]
    out = _analyst(flow, RANKING, {**PERIOD, "rate": "RECOGNITION_RATE", "region": "110000"})
    (place,) = out["data"]["recognitionRanking"]
    assert {k: place[k] for k in COUNTS} == {k: BJ_HD[k] for k in COUNTS}

    # who may ask: an analyst and an admin; a clinician (even of the institution asked about) is refused
    ok = _post(flow, "admin", METRICS, {**PERIOD, "institution": "bj-hd"}, sub="root")
    assert _figures(ok) == BJ_HD
    for query, variables in ((METRICS, {**PERIOD, "institution": "bj-hd"}), (RANKING, {**PERIOD, "rate": "RECOGNITION_RATE"})):
        out = _post(flow, "clinician", query, variables, sub="dr-li", institution="bj-hd")
        assert _error(out)["code"] == "FORBIDDEN", out
        out = _post(flow, "auditor", query, variables, sub="au-1")
        assert _error(out)["code"] == "FORBIDDEN", out

    # bad arguments, each naming the argument (messages in Chinese, English with lang: EN)
    for query, variables, code, argument in (
            (METRICS, {"from": "2025-07-01", "to": "2025-06-30"}, "BAD_INPUT", "to"),
            (METRICS, {**PERIOD, "institution": "bj-hd", "region": "110000"}, "BAD_INPUT", "region"),
            (METRICS, {**PERIOD, "region": "XX"}, "BAD_INPUT", "region"),
            (METRICS, {**PERIOD, "region": "999999"}, "BAD_INPUT", "region"),
            (METRICS, {**PERIOD, "institution": "no-such-hospital"}, "UNKNOWN_INSTITUTION", "institution"),
            (RANKING, {**PERIOD, "rate": "RECOGNITION_RATE", "first": 100_000}, "BAD_INPUT", "first"),
            (RANKING, {**PERIOD, "rate": "RECOGNITION_RATE", "first": -1}, "BAD_INPUT", "first"),
            (RANKING, {**PERIOD, "rate": "RECOGNITION_RATE", "min": 0}, "BAD_INPUT", "minDenominator"),
            (RANKING, {"from": "2025-07-01", "to": "2025-06-30", "rate": "RECOGNITION_RATE"}, "BAD_INPUT", "to"),
            (RANKING, {**PERIOD, "rate": "RECOGNITION_RATE", "region": "XX"}, "BAD_INPUT", "region")):
        zh, en = _analyst(flow, query, variables), _analyst(flow, query, {**variables, "lang": "EN"})
        ext = _error(zh)
        assert (ext["code"], ext["argument"]) == (code, argument) and _error(en) == ext, (variables, ext)
        given = str(variables.get(argument.replace("minDenominator", "min"), ext["value"]))
        zh, en = zh["errors"][0]["message"], en["errors"][0]["message"]
        assert zh.startswith(f"参数 {argument}：") and re.search(r"[\u4e00-\u9fff]", zh) and given in zh, (variables, zh)
        assert en.startswith(f"argument {argument}: ") and given in en and zh != en, (variables, en)
    zh = _analyst(flow, METRICS, {"from": "2025-07-01", "to": "2025-06-30"})["errors"][0]["message"]
    en = _analyst(flow, METRICS, {"from": "2025-07-01", "to": "2025-06-30", "lang": "EN"})["errors"][0]["message"]
    assert "结束日期 2025-06-30 早于开始日期 2025-07-01" in zh and en.startswith("argument to: "), (zh, en)


def _scrape(flow) -> dict[tuple[str, str, str], float]:
    """/metrics' recognition gauges as {(metric, rate or count, region): value}."""
    status, _, body = flow.server.request("GET", "/metrics")
    assert status == 200
    text = body.decode()
    out = {}
    for m in re.finditer(r'^(hub_recognition_(?:rate|count))\{(?:rate|count)="(\w+)",region="(\w+)"\} (\S+)$', text, re.M):
        out[(m.group(1), m.group(2), m.group(3))] = float(m.group(4))
    return out


def test_the_months_gauges_at_metrics(flow, scenario):
    """000 一(一)'s figures for the current calendar month (China time) as Prometheus gauges per region: a
    clinician at bj-cy is reminded today; the nation, Beijing and 京津冀 count exactly those reminders, none
    viewed (rate 0), 互认率 0 and the two rates over nothing absent; Sichuan counts 0 with no rates; every
    gauge equals recognitionMetrics for the month over GraphQL.  The 2025 sequence is not this month."""
    _drive(flow, scenario)
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    wu = {"sub": "dr-wu", "institution": "bj-cy"}
    out = flow.ask(wu, REMINDERS.replace(", $on: Date", "").replace(", on: $on", ""),
                   {"p": P, "at": "bj-cy", "orders": ["BJ-IMG:B020ZYZZZ-00"]}, audit=None)
    assert "errors" not in out, out
    issued_today = len(out["data"]["reminders"])
    assert issued_today >= 1 and {r["issuedOn"] for r in out["data"]["reminders"]} == {today.isoformat()}

    gauges = _scrape(flow)
    for region in ("CN", "110000", "JJJ"):
        assert gauges[("hub_recognition_count", "reminders", region)] == issued_today, region
        assert gauges[("hub_recognition_count", "viewed", region)] == 0
        assert gauges[("hub_recognition_rate", "firstReminderViewRate", region)] == 0.0
        assert gauges[("hub_recognition_rate", "recognitionRate", region)] == 0.0
        assert ("hub_recognition_rate", "nonComplianceRate", region) not in gauges
        assert ("hub_recognition_rate", "diagnosisConsistencyRate", region) not in gauges
    assert gauges[("hub_recognition_count", "reminders", "510000")] == 0
    assert not [k for k in gauges if k[0] == "hub_recognition_rate" and k[2] in ("510000", "CY", "130000")]
    month = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    for region in ("CN", "110000", "JJJ", "CY"):
        m = _analyst(flow, METRICS, {**month, "region": region})["data"]["recognitionMetrics"]
        assert {c: gauges[("hub_recognition_count", c, region)] for c in COUNTS} == {c: m[c] for c in COUNTS}
        assert {r: gauges.get(("hub_recognition_rate", r, region)) for r in RATES} == {r: m[r] for r in RATES}
