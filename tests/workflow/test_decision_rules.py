"""What a decision must carry, per the contract and the governing document's ``records`` section
(hub/services/decisions.py), against the real seeds: each document's citation, the refusals naming the field,
exclusions named by flag / code / clause, and every records field of every policy file mapped.  Plus the
reminder's id and "the same exam" (hub/services/reminders.py).  No store, no server: the engine is asked only
which document governs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from graph.items import Items
from graph.workflow import StoredReminder
from hub.domain.policy import load_policies
from hub.domain.recognition import RecognitionEngine
from hub.domain.regions import RegionIndex
from hub.domain.seeds import DEFAULT_SEEDS_DIR, policies_dir
from hub.services.decisions import RECORD_FIELDS, DecisionKind, DecisionRefused, DecisionRequest, check
from hub.services.reminders import reminder_id, same_exam

A, R, X = DecisionKind.ACCEPTED, DecisionKind.REJECTED, DecisionKind.REEXAMINED


@pytest.fixture(scope="module")
def engine() -> RecognitionEngine:
    return RecognitionEngine(load_policies(policies_dir(DEFAULT_SEEDS_DIR)), RegionIndex.from_table(),
                             Items.from_seeds(), facts=None)  # type: ignore[arg-type]  # no check is run


def reminder(source_region: str, at_region: str, item: str, policy: str) -> StoredReminder:
    return StoredReminder(
        id="r_x", patient="p_x", key_id="k_x", at="t", at_region=at_region, at_scopes=(at_region,),
        ordered_item=item, platform="p", study_uid="1.2", performed_on=dt.date(2025, 6, 1), modality="CT",
        description=None, dicom_institution_name=None, institution="s", institution_name="某医院",
        institution_region=source_region, item=item, findings=None, verdict="RECOGNIZED", policy=policy,
        issued_on=dt.date(2025, 6, 30), issued_at="2025-06-30T00:00:00Z", last_on=dt.date(2025, 6, 30), viewed=False,
        viewed_at=None, decision_id=None, decision=None, decision_verdict=None, decision_exclusion=None,
        diagnosis_consistent=None, decided_at=None)


ZJ = reminder("330106", "330102", "ZJ-IMG:BW23ZYZZZ", "000")          # Hangzhou: 000 四(二) lists 档案号
HC = reminder("451202", "451202", "HC-IMG:CT-5", "002")               # Hechi: 002 三(四)
CY = reminder("500103", "510104", "CY-IMG:94", "004")                  # Chongqing → Chengdu: 004 6.6
BJ = reminder("110101", "110108", "BJ-IMG:BW23ZYZZZ-00", "001")       # Beijing: 001 names no records
JJJ = reminder("110101", "130102", "HE-IMG:122", "JJJ")               # Beijing → Shijiazhuang: 003 under the overlay


def refused(engine, r, **given) -> tuple[str, str | None]:
    with pytest.raises(DecisionRefused) as err:
        check(engine, r, DecisionRequest(r.id, **given))
    zh, en = err.value.text("zh"), err.value.text("en")  # Chinese by default, English on request
    assert str(err.value) == zh and re.search(r"[\u4e00-\u9fff]", zh) and en != zh, (zh, en)
    if err.value.argument is not None:
        assert err.value.argument in zh and err.value.argument in en, (zh, en)
    return err.value.code, err.value.field


@pytest.mark.parametrize("r, citation", [(ZJ, "000 四(二)"), (HC, "002 三(四)"), (CY, "004 6.6"),
                                         (BJ, "001 三、互认规则"), (JJJ, "003 三、互认方式")],
                         ids=["000", "002", "004", "001", "JJJ-003"])
def test_an_accepted_result_cites_what_the_governing_document_says_to_record(engine, r, citation):
    stored, exclusion_clause, cited = check(engine, r, DecisionRequest(r.id, A, archive_no=" ZJ-0001 "))
    assert cited == citation and exclusion_clause is None and stored.archive_no == "ZJ-0001"


def test_000_asks_for_the_archive_number_of_an_accepted_result_only(engine):
    assert refused(engine, ZJ, decision=A) == ("BAD_INPUT", "archiveNo")
    assert refused(engine, ZJ, decision=A, archive_no="  ") == ("BAD_INPUT", "archiveNo")
    # a refusal records its 复查依据 instead (四(二): 对不予认可的，应将复查依据记录在病历中)
    stored, _, cited = check(engine, ZJ, DecisionRequest(ZJ.id, R, reason="病情变化", patient_informed=True))
    assert cited == "000 四(二)" and stored.archive_no is None
    for r in (HC, CY, BJ, JJJ):  # their records come from the study: nothing to ask the doctor
        check(engine, r, DecisionRequest(r.id, A))


@pytest.mark.parametrize("given, field", [
    ({"decision": R}, "reason"),
    ({"decision": R, "reason": " \n", "patient_informed": True}, "reason"),
    ({"decision": X, "reason": "复查"}, "patientInformed"),
    ({"decision": R, "reason": "复查", "patient_informed": False}, "patientInformed"),
    ({"decision": A, "exclusion": "emergency"}, "exclusion"),
    ({"decision": R, "reason": "复查", "patient_informed": True, "diagnosis_consistent": True}, "diagnosisConsistent"),
    ({"decision": R, "reason": "复查", "patient_informed": True, "exclusion": "四(三)10"}, "exclusion"),
    ({"decision": X, "reason": "x" * 2001, "patient_informed": True}, "reason"),
    ({"decision": A, "archive_no": "9" * 129}, "archiveNo"),
])
def test_refusals_name_the_field(engine, given, field):
    assert refused(engine, BJ, **given) == ("BAD_INPUT", field)


@pytest.mark.parametrize("named", ["emergency", "EXCLUSION_EMERGENCY", "exclusion_emergency", "三、5(七)", "三、5（七）",
                                   " 三、5 (七) "])
def test_an_exclusion_is_named_by_flag_code_or_clause_and_kept_as_its_code(engine, named):
    stored, where, cited = check(engine, BJ, DecisionRequest(BJ.id, X, reason="急诊", patient_informed=True,
                                                              exclusion=named, diagnosis_consistent=False))
    assert (stored.exclusion, where, cited) == ("EXCLUSION_EMERGENCY", "001 三、5(七)", "001 三、5(七)")


def test_the_exclusions_are_the_governing_documents(engine):
    # under the 京津冀 overlay at a Hebei target, 003's exclusions (not 001's) apply
    stored, where, _ = check(engine, JJJ, DecisionRequest(JJJ.id, R, reason="x", patient_informed=True,
                                                            exclusion="emergency"))
    assert stored.exclusion == "EXCLUSION_EMERGENCY" and where.startswith("003 ")
    _, where, cited = check(engine, ZJ, DecisionRequest(ZJ.id, R, reason="x", patient_informed=True, exclusion="四(三)7"))
    assert (where, cited) == ("000 四(三)7", "000 四(二)")  # 000 has a records clause: that is the citation


def test_every_records_field_of_every_policy_file_is_recorded(engine):
    fields = {f for p in engine.policies.values() for f in (p.records or {}).get("fields", ())}
    assert fields and fields <= set(RECORD_FIELDS), fields - set(RECORD_FIELDS)


def test_a_records_field_the_hub_cannot_record_is_refused_naming_it(engine):
    odd = dataclasses.replace(engine.policies["000"], records={"clause": "四(二)", "fields": ["机构名称", "报告医师"]})
    other = RecognitionEngine({**engine.policies, "000": odd}, engine.regions, engine.items, facts=None)  # type: ignore[arg-type]
    assert refused(other, ZJ, decision=A, archive_no="1") == ("NOT_RECORDABLE", "报告医师")


def test_reminder_ids_are_stable_and_keyed_on_each_part():
    base = reminder_id("p_abc", "bj-hd", "1.2.3", "BJ-IMG:B020ZYZZZ-00")
    assert base == reminder_id("p_abc", "bj-hd", "1.2.3", "BJ-IMG:B020ZYZZZ-00")
    assert base.startswith("r_") and len(base) == 28
    others = {reminder_id("p_abd", "bj-hd", "1.2.3", "BJ-IMG:B020ZYZZZ-00"),
              reminder_id("p_abc", "bj-xh", "1.2.3", "BJ-IMG:B020ZYZZZ-00"),
              reminder_id("p_abc", "bj-hd", "1.2.4", "BJ-IMG:B020ZYZZZ-00"),
              reminder_id("p_abc", "bj-hd", "1.2.3", "BJ-IMG:B030ZYZZZ-00")}
    assert base not in others and len(others) == 4


def test_the_same_exam_is_the_crosswalks(engine):
    items = engine.items
    assert same_exam(items, "HE-IMG:219", "BJ-IMG:B030ZYZZZ-00")          # one class, two catalogs
    assert same_exam(items, "BJ-IMG:BW23ZYZZZ-00", "HC-IMG:CT-5")
    assert not same_exam(items, "BJ-IMG:BW23ZYZZZ-00", "BJ-IMG:B020ZYZZZ-00")  # chest CT is not head CT
    covering = items.map_to_catalog("BJ-IMG:BW03ZZZZ1-00", "HC-IMG")          # a group item of Hechi's list
    assert covering is not None and same_exam(items, "BJ-IMG:BW03ZZZZ1-00", covering)



async def test_orders_are_resolved_before_any_platform_is_asked(engine):
    from hub.services.reminders import RemindersRefused, reminders

    with pytest.raises(RemindersRefused) as err:  # no platform, no store: neither is reached
        await reminders(None, engine, engine.items, None, None, "P", None, "t", ["BJ-IMG:B020ZYZZZ-00", "NO-SUCH:1"],
                        dt.date(2025, 6, 30))
    assert (err.value.code, err.value.value) == ("UNKNOWN_ITEM", "NO-SUCH:1")
    empty = await reminders(None, engine, engine.items, None, None, "P", None, "t", [], dt.date(2025, 6, 30))
    assert empty.reminders == [] and empty.platforms == []
