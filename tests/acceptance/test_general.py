"""Acceptance across documents: no governing policy, unknown inputs, batches."""

from tests.acceptance.conftest import RECOGNITION_FIELDS, codes


def test_no_document_governs_tianjin(ask):
    """CONTRACT: NO_POLICY where no document governs the target (Tianjin to Tianjin)."""
    r = ask("tj-hp", "BJ-IMG:BW23ZYZZZ-00", "2026-11-11", "tj-hx", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert codes(r) == ["NO_POLICY"]


def test_source_outside_the_zone(ask):
    """004 6.2 (川渝两地): a Zhejiang study at a Chongqing target shares no scope."""
    r = ask("zj-hz-1", "ZJ-IMG:BW23ZYZZZ", "2026-11-11", "cq-wz", "2026-11-23")
    assert r["verdict"] == "NOT_RECOGNIZED"
    assert "NO_SHARED_SCOPE" in codes(r)


def test_ocr_variant_of_a_printed_code_resolves(ask):
    """001 附件2 prints BPONZZZZ7-00 with a letter O (INDEX.md): it resolves to the corrected code."""
    r = ask("bj-dc-2", "BJ-IMG:BPONZZZZ7-00", "2026-11-11", "bj-xh", "2026-11-23")
    assert r["verdict"] == "RECOGNIZED"
    assert r["targetItem"] == "BJ-IMG:BP0NZZZZ7-00"


def _single(hub_server, study, at="bj-xh"):
    q = f"query($s: StudyInput!) {{ recognizability(study: $s, at: \"{at}\", on: \"2026-11-23\") {{ verdict }} }}"
    return hub_server.query(q, {"s": study})


def test_unknown_institution_is_a_clear_error(hub_server):
    out = _single(hub_server, {"institution": "nope", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-01"})
    (err,) = out["errors"]
    assert err["extensions"]["code"] == "UNKNOWN_INSTITUTION"
    assert "nope" in err["message"] and err["extensions"]["value"] == "nope"
    assert err["message"].startswith("未知机构 'nope'")  # a doctor reads it: Chinese by default
    q = ('query($s: StudyInput!) { recognizability(study: $s, at: "bj-xh", on: "2026-11-23", lang: EN) { verdict } }')
    english = hub_server.query(q, {"s": {"institution": "nope", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-01"}})
    assert english["errors"][0]["message"] == "unknown institution 'nope'"


def test_unknown_item_is_a_clear_error(hub_server):
    out = _single(hub_server, {"institution": "bj-xh", "item": "BJ-IMG:NOPE", "performedOn": "2026-11-01"})
    (err,) = out["errors"]
    assert err["extensions"]["code"] == "UNKNOWN_ITEM"
    assert err["extensions"]["value"] == "BJ-IMG:NOPE"


def test_batch_answers_in_order_and_a_bad_element_errors_alone(hub_server):
    studies = [
        {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"},
        {"institution": "ghost", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"},
        {"institution": "bj-ft-2b", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"},
    ] * 200
    q = f"query($s: [StudyInput!]!) {{ recognizabilities(studies: $s, at: \"bj-hd-3b\", on: \"2026-11-23\") {{ {RECOGNITION_FIELDS} }} }}"
    out = hub_server.query(q, {"s": studies})
    data = out["data"]["recognizabilities"]
    assert len(data) == 600
    assert [d and d["verdict"] for d in data[:3]] == ["RECOGNIZED", None, "PHYSICIAN_DISCRETION"]
    paths = sorted(e["path"][1] for e in out["errors"])
    assert paths == list(range(1, 600, 3))
    assert {e["extensions"]["code"] for e in out["errors"]} == {"UNKNOWN_INSTITUTION"}


def test_equivalents_of_a_chest_ct(hub_server):
    out = hub_server.query('{ equivalents(item: "BJ-IMG:BW23ZYZZZ-00") { ref catalog name } }')
    refs = [e["ref"] for e in out["data"]["equivalents"]]
    assert refs[0] == "BJ-IMG:BW23ZYZZZ-00"
    assert {"ZJ-IMG:BW23ZYZZZ", "HE-IMG:122", "CY-IMG:94"} <= set(refs)
