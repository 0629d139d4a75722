"""Reason texts rendered from seeds/messages/<lang>.yaml (issue 16, answers a doctor can read).

The engine is run over the acceptance dataset (seeds/demo + tests/acceptance/extra.yaml, as in-memory facts)
— every source at every target, for an item of every catalog, inside and outside the windows, with every
flag set — and the connectors' completeness findings are added for every upload rule: every reason code and
every variant of it the hub gives is rendered with the real parameters in Chinese and in English.  The
Chinese texts hold no English word (ids and codes aside); every template's facts are facts the engine gives;
no template is dead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import string
from pathlib import Path

import pytest
import yaml

from connectors import completeness
from connectors.completeness import SeriesInfo
from hub.domain.messages import LANGUAGES, MessageFileError, load_messages, read_message_file, show_value
from hub.domain.policy import load_policies
from hub.domain.recognition import Check, ClinicalContext, Reason, Recognition
from hub.domain.upload_rules import UploadRules
from hub.domain.vocabulary import CONTEXT_FLAGS, ReasonCode, Verdict

ROOT = Path(__file__).resolve().parents[2]
DATASET = [ROOT / "seeds/demo/demo.yaml", ROOT / "tests/acceptance/extra.yaml"]
#: an item of every catalog (the marked ones among them), and 右肩侧位 DR, which 003's and 004's lists lack
ITEMS = ["BJ-IMG:BW23ZYZZZ-00", "BJ-IMG:BW03ZZZZ1-00", "BJ-LAB:0025010101500000000", "HE-IMG:122",
         "ZJ-IMG:BW23ZYZZZ", "ZJ-LAB:1", "CY-IMG:94", "HC-IMG:CT-1", "BJ-IMG:BP08ZZZ8A-00"]
ON = dt.date(2026, 11, 23)


def load_dataset(facts) -> list[str]:
    """The acceptance dataset as in-memory facts; the institution ids."""
    data = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in DATASET]
    members: dict[str, list[str]] = {}
    marks: dict[str, list[tuple]] = {}
    for d in data:
        for a in d.get("alliances", []):
            for m in a["members"]:
                members.setdefault(m, []).append(a["id"])
        for m in d.get("marks", []):
            marks.setdefault(m["institution"], []).append((m["item"], str(m["scope"]), m["validFrom"], m["validTo"]))
    ids = []
    for d in data:
        for i in d.get("institutions", []):
            facts.add(i["id"], str(i["tier"]), str(i["region"]), kind=i["kind"], ownership=i["ownership"],
                      alliances=members.get(i["id"], ()), marks=marks.get(i["id"], ()))
            ids.append(i["id"])
    return ids


def neck_ct_plain(items) -> str:
    """颈部 CT 平扫, kept out of 002's list (附件1 CT(4))."""
    return next(ref for ref in items.by_ref if ref.startswith("CY-IMG:")
                and (items.features(ref).get("modality"), items.features(ref).get("bodyPart"),
                     items.features(ref).get("contrast")) == ("CT", "neck", "plain"))


def completeness_reasons() -> list[Reason]:
    """The connectors' findings for every upload rule, as the prior-studies use case adds them."""
    rules = UploadRules.of(load_policies().values())
    thick = SeriesInfo("1", "CT", "axial 5mm", 5.0, ("ORIGINAL",), 100)
    thin = SeriesInfo("2", "CT", "axial 1mm", 1.0, ("ORIGINAL",), 300)
    angio = SeriesInfo("3", "MR", "TOF MRA", 1.0, ("ORIGINAL",), 100)
    dr = SeriesInfo("4", "DX", "chest PA", None, ("ORIGINAL",), 1, announced=2)
    findings = (completeness.check("CT", [], rules=rules) + completeness.check("CT", [thick], rules=rules)
                + completeness.check("CT", [thin], rules=rules) + completeness.check("MR", [angio], rules=rules)
                + completeness.check("DR", [], rules=rules) + completeness.check("DR", [dr], rules=rules)
                + completeness.unknown("the platform timed out", "CT", rules=rules))
    return [Reason(f.code, f.source, f.clause, (("detail", f.text),), f.rule) for f in findings]


@pytest.fixture(scope="module")
def answers(seeds) -> list[Recognition]:
    from hub.domain.recognition import RecognitionEngine
    from tests.unit.conftest import MemoryFacts

    policies, regions, items = seeds
    facts = MemoryFacts()
    ids = load_dataset(facts)
    engine = RecognitionEngine(policies, regions, items, facts)
    every_flag = ClinicalContext(**{flag: True for flag in CONTEXT_FLAGS})
    checks = [Check(s, item, performed, t, ON, context)
              for s in ids for t in ids for item in [*ITEMS, neck_ct_plain(items)]
              for performed in (ON - dt.timedelta(days=12), dt.date(2024, 6, 1))
              for context in (ClinicalContext(), every_flag)]
    out = asyncio.run(engine.check_many(checks))
    assert all(isinstance(r, Recognition) for r in out)
    return out  # type: ignore[return-value]


@pytest.fixture(scope="module")
def reasons(answers) -> dict[tuple[str, str], list[Reason]]:
    """Every (code, variant) the hub gives, with the reasons that carry it."""
    out: dict[tuple[str, str], list[Reason]] = {}
    for r in [x for a in answers for x in a.reasons] + completeness_reasons():
        out.setdefault((r.code, r.variant), []).append(r)
    return out


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def ids_and_codes(reason: Reason) -> list[str]:
    """What a Chinese text may show in Latin letters: ids, refs, codes, the clause."""
    out = [str(reason.clause or ""), reason.source]
    for _, value in reason.params:
        values = value if isinstance(value, tuple) else (value,)
        out += [str(v) for v in values if isinstance(v, str) and not re.search(r"[\u4e00-\u9fff]", v)]
    return sorted(out, key=len, reverse=True)


def test_the_message_files_have_one_template_per_code_and_variant_in_every_language():
    messages = load_messages()
    assert list(messages) == list(LANGUAGES) == ["zh", "en"]
    zh, en = messages["zh"], messages["en"]
    assert {c: set(v) for c, v in zh.reasons.items()} == {c: set(v) for c, v in en.reasons.items()}
    assert set(zh.reasons) == {c.value for c in ReasonCode} and all("default" in v for v in zh.reasons.values())
    assert set(zh.verdicts) == set(en.verdicts) == {v.value for v in Verdict}
    assert set(zh.billing) == set(en.billing) and set(zh.phrases) == set(en.phrases)


def test_every_code_and_variant_the_hub_gives_has_its_own_template_and_none_is_dead(reasons):
    templates = load_messages()["zh"].reasons
    given = set(reasons)
    assert {code for code, _ in given} == {c.value for c in ReasonCode}, "a code the engine never gives"
    without = sorted(f"{c}.{v}" for c, v in given if v and v not in templates[c])
    assert without == [], f"variants that fall back to the code's default template: {without}"
    dead = sorted(f"{c}.{v}" for c, variants in templates.items() for v in variants
                  if v != "default" and (c, v) not in given)
    assert dead == [], f"templates no reason uses: {dead}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_reads_only_facts_its_reasons_carry(reasons, lang):
    templates = load_messages()[lang].reasons
    problems = []
    for (code, variant), found in reasons.items():
        template = templates[code].get(variant) or templates[code]["default"]
        for r in found:
            missing = fields(template) - {name for name, _ in r.params} - {"clause", "doc"}
            if missing:
                problems.append((code, variant, sorted(missing)))
                break
    assert problems == []


def test_chinese_texts_hold_no_english_but_ids_and_codes(reasons, renderer):
    english = []
    for (code, variant), found in reasons.items():
        for r in found[:50]:
            text = renderer.text(r, "zh")
            assert text and "{" not in text and "}" not in text, (code, variant, text)
            rest = text
            for kept in ids_and_codes(r):
                if kept:
                    rest = rest.replace(kept, " ")
            if re.search(r"[a-z]{2,}", rest):
                english.append((code, variant, text))
                break
    assert english == []


def test_english_texts_are_english_and_keep_the_documents_words(reasons, renderer):
    for (code, variant), found in reasons.items():
        r = found[0]
        en, zh = renderer.text(r, "en"), renderer.text(r, "zh")
        assert en != zh and re.search(r"\b[a-z]{2,}\b", en), (code, variant, en)
        rule = r.param("rule")
        if rule:  # the document's own words are quoted in both languages
            assert rule in en and rule in zh


def test_a_text_names_regions_items_and_documents_the_way_a_doctor_reads_them(seeds, renderer, facts, ask):
    """Regions by name and code, items by their printed name and ref, the document by its title."""
    facts.add("bj", "3A", "110101", marks=[("BJ-IMG:BW23ZYZZZ-00", "JJJ", "2024-01-01", None)])
    facts.add("sjz", "3A", "130102")
    r = ask("bj", "BJ-IMG:BW23ZYZZZ-00", "2026-11-11", "sjz", "2026-11-23")
    zh = [renderer.text(x, "zh") for x in r.reasons]
    assert zh[0] == ("东城区（110101）与长安区（130102）分属京津冀的不同省份：适用京津冀互认范围，接诊机构一方的规则由"
                     "《河北省影像检查项目互认工作指引（2025版）》规定")
    assert "胸部 CT 平扫（BJ-IMG:BW23ZYZZZ-00）" in zh[1] and "（HE-IMG:122）" in zh[1]
    en = renderer.text(r.reasons[0], "en")
    assert en.startswith("东城区 (110101) and 长安区 (130102) lie in different provinces of 京津冀 (JJJ)")
    assert [renderer.verdict_label(v, "zh") for v in Verdict] == ["应予互认", "不予互认", "由接诊医师判断"]
    assert renderer.verdict_label("RECOGNIZED", "en").startswith("Recognized")


def test_a_text_is_rendered_once_per_reason_and_language(renderer, seeds):
    r = Reason(ReasonCode.WITHIN_WINDOW, "004", "6.5",
               (("performedOn", dt.date(2026, 11, 1)), ("span", (1, "month")), ("validUntil", dt.date(2026, 12, 1))))
    first = renderer.text(r, "zh")
    assert first == "检查日期2026-11-01，在1个月互认时限内（至2026-12-01）"
    assert renderer.text(Reason(*[getattr(r, f) for f in ("code", "source", "clause", "params")]), "zh") is first
    assert renderer.text(r, "en") == "performed 2026-11-01: inside the 1-month window until 2026-12-01"


def test_a_message_file_is_read_strictly(tmp_path):
    raw = yaml.safe_load((ROOT / "seeds/messages/zh.yaml").read_text(encoding="utf-8"))
    del raw["reasons"]["MARK_SCOPE"]
    raw["verdict"] = raw.pop("verdicts")
    bad = tmp_path / "zh.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(MessageFileError, match=r"zh\.yaml: .*verdicts: missing key.*verdict: unknown key"):
        read_message_file(bad)
    raw["verdicts"] = raw.pop("verdict")
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(MessageFileError, match=r"reasons\.MARK_SCOPE: missing key"):
        read_message_file(bad)


# ---- refusals: one text per key and language (seeds/messages refusals:, hub.domain.refusals.Refusal) ----

CJK = re.compile(r"[\u4e00-\u9fff]")


def _reminder(source_region: str, at_region: str, item: str, policy: str):
    from graph.workflow import StoredReminder

    return StoredReminder(
        id="r_x", patient="p_x", key_id="k_x", at="t", at_region=at_region, at_scopes=(at_region,),
        ordered_item=item, platform="p", study_uid="1.2", performed_on=dt.date(2025, 6, 1), modality="CT",
        description=None, dicom_institution_name=None, institution="s", institution_name="某医院",
        institution_region=source_region, item=item, findings=None, verdict="RECOGNIZED", policy=policy,
        issued_on=dt.date(2025, 6, 30), issued_at="2025-06-30T00:00:00Z", last_on=dt.date(2025, 6, 30),
        viewed=False, viewed_at=None, decision_id=None, decision=None, decision_verdict=None,
        decision_exclusion=None, diagnosis_consistent=None, decided_at=None)


def real_refusals(seeds) -> list:
    """Every refusal key, each raised by the code that raises it with the facts it gives (the use cases run
    against the real seeds; the few a resolver makes are made as it makes them)."""
    import dataclasses

    from hub.domain.recognition import RecognitionEngine
    from hub.domain.refusals import Refusal
    from hub.services import decisions, prior_studies, recognition_metrics, reminders
    from hub.services.decisions import DecisionKind as K
    from hub.services.decisions import DecisionRequest

    policies, regions, items = seeds
    engine = RecognitionEngine(policies, regions, items, facts=None)  # type: ignore[arg-type]  # no check is run
    bj = _reminder("110101", "110108", "BJ-IMG:BW23ZYZZZ-00", "001")
    zj = _reminder("330106", "330102", "ZJ-IMG:BW23ZYZZZ", "000")
    nowhere = _reminder("", "", "BJ-IMG:BW23ZYZZZ-00", "no-such-document")
    odd = dataclasses.replace(policies["000"], records={"clause": "四(二)", "fields": ["机构名称", "报告医师"]})
    odd_engine = RecognitionEngine({**policies, "000": odd}, regions, items, facts=None)  # type: ignore[arg-type]
    no_exclusions = dataclasses.replace(policies["001"], exclusions={})
    bare_engine = RecognitionEngine({**policies, "001": no_exclusions}, regions, items, facts=None)  # type: ignore[arg-type]
    out: list[Refusal] = []

    def caught(call, *args, **kwargs) -> None:
        try:
            result = call(*args, **kwargs)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
        except Refusal as e:
            out.append(e)
        else:
            raise AssertionError(f"{call.__name__}{args} was not refused")

    for e, r, given in (
            (engine, bj, {"decision": K.REJECTED}),
            (engine, bj, {"decision": K.REEXAMINED, "reason": "病情变化", "patient_informed": False}),
            (engine, bj, {"decision": K.ACCEPTED, "exclusion": "emergency"}),
            (engine, bj, {"decision": K.ACCEPTED, "diagnosis_consistent": True}),
            (engine, bj, {"decision": K.REEXAMINED, "reason": "x" * 2001, "patient_informed": True}),
            (engine, bj, {"decision": K.REJECTED, "reason": "复查", "patient_informed": True, "exclusion": "sunny day"}),
            (bare_engine, bj, {"decision": K.REJECTED, "reason": "复查", "patient_informed": True, "exclusion": "三、5(七)"}),
            (engine, nowhere, {"decision": K.REJECTED, "reason": "复查", "patient_informed": True, "exclusion": "emergency"}),
            (engine, zj, {"decision": K.ACCEPTED}),
            (odd_engine, zj, {"decision": K.ACCEPTED, "archive_no": "ZJ-1"})):
        caught(decisions.check, e, r, DecisionRequest(r.id, **given))
    out.append(decisions.unknown_reminder("r_nosuchreminder"))
    caught(reminders.reminders, None, engine, items, None, None, "P", None, "bj-hd", ["BJ-IMG:B020ZYZZZ-00", "NO-SUCH:1"],
           dt.date(2025, 6, 30))
    out.append(reminders.RemindersRefused("UNKNOWN_INSTITUTION", "at", "institutions.unknown", value="ghost-hospital"))

    class Search:
        async def search(self, patient_id, issuer=None, since=None, on=None):
            raise ValueError("the platform file names no platform for modality XA")

    on = dt.date(2025, 6, 30)
    caught(prior_studies.prior_studies, None, engine, "P-1", None, "bj-hd", None, on)
    caught(prior_studies.prior_studies, Search(), engine, " ", None, "bj-hd", None, on)
    caught(prior_studies.prior_studies, Search(), engine, "P-1", None, "bj-hd", dt.date(2025, 7, 1), on)
    caught(prior_studies.prior_studies, Search(), engine, "P-1", None, "bj-hd", None, on)
    out.append(Refusal("PLATFORM_UNAVAILABLE", None, "platforms.unavailable", platform="gx-cloud",
                       error="connection refused"))
    out.append(Refusal("NO_AUDIT_LOG", None, "audit.none"))
    out.append(Refusal("NO_AUDIT_LOG", None, "audit.none_for_workflow"))

    june = {"from_": dt.date(2025, 6, 1), "to": dt.date(2025, 6, 30)}
    caught(recognition_metrics.check_scope, None, regions, from_=dt.date(2025, 7, 1), to=dt.date(2025, 6, 30))
    caught(recognition_metrics.check_scope, None, regions, **june, institution="bj-hd", region="110000")
    caught(recognition_metrics.check_scope, None, regions, **june, region="XX")
    for rate, first, least in (("noSuchRate", 5, 1), ("recognitionRate", 5, 0), ("recognitionRate", -1, 1)):
        caught(recognition_metrics.recognition_ranking, None, regions, **june, rate=rate, first=first,
               min_denominator=least)
    out.append(recognition_metrics.MetricsScopeError("UNKNOWN_INSTITUTION", "institution",
                                                     "metrics.unknown_institution", value="no-such-hospital"))
    out.append(Refusal("BAD_INPUT", "first", "metrics.first_too_large", value=100_000, most=500))

    from hub.domain.identity import Identity
    from hub.domain.vocabulary import Role
    from hub.services.access import authorize

    doctor = Identity("医生-07", Role.CLINICIAN, "bj-hd", frozenset(), True)
    portal = Identity("portal-1", Role.PORTAL, None, frozenset({"bj-hd", "bj-cy"}), True)
    caught(authorize, doctor, "recognitionMetrics")  # the analyst's and admin's field
    caught(authorize, doctor, "reminders", None)  # patient data names the institution asking
    caught(authorize, doctor, "reminders", "he-sjz-1")  # a clinician reads only at its own institution
    caught(authorize, portal, "priorStudies", "he-sjz-1")  # a portal only at its institutions
    return out


@pytest.fixture(scope="module")
def refusals(seeds) -> list:
    return real_refusals(seeds)


def test_every_refusal_key_is_raised_by_the_hub_and_has_a_text_in_every_language(refusals):
    from hub.domain.messages import ERROR_REFUSALS, REFUSALS

    suggesting = {k for _, k in ERROR_REFUSALS.values()} - {r.key for r in refusals}  # only recognizability's
    assert {r.key for r in refusals} | suggesting == set(REFUSALS)
    for lang, m in load_messages().items():
        assert set(m.refusals) == set(REFUSALS), lang


def test_recognizabilitys_unknown_item_and_institution_read_from_the_same_section(renderer, seeds):
    """UNKNOWN_ITEM with the items the hub suggests, UNKNOWN_INSTITUTION: the texts of ``items.unknown…`` and
    ``institutions.unknown``, in both languages."""
    _, _, items = seeds
    ref = "BJ-IMG:BW23ZYZZZ-00"
    name = items.by_ref[ref].name
    suggestion = (ref, name, "BJ-IMG")
    zh = renderer.error_text("UNKNOWN_ITEM", "胸布CT", [suggestion], lang="zh")
    en = renderer.error_text("UNKNOWN_ITEM", "胸布CT", [suggestion], lang="en")
    assert zh == f"未知检查项目 '胸布CT'。您是否要找：{ref} {name}？"
    assert en == f"unknown catalog item '胸布CT'. Did you mean: {ref} {name}?"
    assert renderer.error_text("UNKNOWN_ITEM", "HE-IMG:9999") == "未知检查项目 'HE-IMG:9999'"
    assert renderer.error_text("UNKNOWN_INSTITUTION", "nowhere").startswith("未知机构 'nowhere'：")
    assert renderer.error_text("UNKNOWN_INSTITUTION", "nowhere", lang="en").startswith("unknown institution 'nowhere'")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_refusal_renders_with_its_real_facts_naming_the_argument_and_the_value(refusals, lang):
    for r in refusals:
        text = r.text(lang)
        assert text and "{" not in text and "}" not in text, (r.key, text)
        if r.argument is not None:
            assert r.argument in text, (r.key, text)
        if r.value is not None:  # as the caller gave it (a blank as the file's word for nothing)
            assert show_value(r.value, load_messages()[lang]) in text, (r.key, text)
        for name, value in r.facts.items():
            values = value if isinstance(value, list) else [value]
            assert all((v.isoformat() if isinstance(v, dt.date) else str(v)) in text for v in values), (r.key, name, text)


def test_chinese_refusals_are_chinese_and_english_ones_english(refusals):
    for r in refusals:
        zh, en = r.text("zh"), r.text("en")
        assert CJK.search(zh) and str(r) == zh == r.text("ZH") == r.text("fr"), (r.key, zh)
        assert en == r.text("EN") and en != zh and re.search(r"\b[a-z]{3,}\b", en), (r.key, en)


def test_the_refusals_of_a_decision_keep_the_documents_clauses(refusals):
    """000 四(二) and 004 6.6 (告知, 复查依据) as the documents number them, in both languages."""
    by_key = {r.key: r for r in refusals}
    for key in ("decision.reason_needed", "decision.informed_needed"):
        for lang in LANGUAGES:
            text = by_key[key].text(lang)
            assert "000 四(二)" in text and "004 6.6" in text and by_key[key].facts["decision"] in text, text
    assert "000 四(二)" in by_key["decision.record_needed"].text("zh")
    assert "档案号" in by_key["decision.record_needed"].text("zh") and "档案号" in by_key["decision.record_needed"].text("en")
    assert "三、5(七)" in by_key["decision.exclusion_unknown"].text("en")


def test_a_refusal_carries_code_argument_and_value_for_graphql(refusals):
    by_key = {r.key: r for r in refusals}
    assert by_key["metrics.period"].extensions == {"code": "BAD_INPUT", "argument": "to", "value": "2025-06-30"}
    assert by_key["decision.reason_needed"].extensions == {"code": "BAD_INPUT", "argument": "reason"}
    assert by_key["decision.not_recordable"].extensions == {"code": "NOT_RECORDABLE"}
    assert by_key["decision.not_recordable"].field == "报告医师"
    assert by_key["platforms.none"].extensions == {"code": "NO_PLATFORMS"}
    assert by_key["access.clinician_elsewhere"].extensions == {"code": "FORBIDDEN", "argument": "at", "value": "he-sjz-1"}
    assert by_key["access.role"].extensions == {"code": "FORBIDDEN"}


def test_a_refusal_of_access_names_who_would_be_allowed(refusals):
    """The roles a field needs and the institutions patient data may be read at, in both languages."""
    by_key = {r.key: r for r in refusals}
    assert "admin、analyst" in by_key["access.role"].text("zh") and "clinician" in by_key["access.role"].text("zh")
    assert "admin, analyst" in by_key["access.role"].text("en")
    assert "bj-cy、bj-hd" in by_key["access.portal_elsewhere"].text("zh")
    assert "bj-hd" in by_key["access.clinician_elsewhere"].text("en") and "he-sjz-1" in by_key["access.clinician_elsewhere"].text("en")


def test_a_refusal_is_raised_only_with_the_facts_its_text_shows():
    from hub.domain.refusals import Refusal

    with pytest.raises(KeyError, match="no refusal 'no.such'"):
        Refusal("BAD_INPUT", "x", "no.such")
    with pytest.raises(TypeError, match="metrics.period"):
        Refusal("BAD_INPUT", "to", "metrics.period", value="2025-01-01", since="2025-02-01")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_refusals_section_is_read_strictly(tmp_path, lang):
    source = ROOT / f"seeds/messages/{lang}.yaml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    del raw["refusals"]["decision.reason_needed"]
    raw["refusals"]["decision.made_up"] = "x"
    raw["refusals"]["metrics.period"] = "{value} {since}"
    bad = tmp_path / f"{lang}.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(MessageFileError) as err:
        read_message_file(bad)
    said = str(err.value)
    assert said.startswith(f"{bad}: ") and "refusals.decision.reason_needed: missing key" in said
    assert "refusals.decision.made_up: unknown key" in said and "refusals.metrics.period: unknown fact {since}" in said
