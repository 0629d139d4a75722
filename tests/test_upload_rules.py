"""The upload rules in the policy files (``uploadRules``, hub.domain.upload_rules) are the documents' words:
each quote is found verbatim in its document, each requirement is worded in its quote, and the schema
refuses a requirement or a modality class it does not know, naming file and key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from hub.domain.policy import PolicyFileError, load_policies, read_policy
from hub.domain.upload_rules import Requirement, UploadRules

CHECKOUT = Path(__file__).resolve().parents[1]
POLICIES = CHECKOUT / "seeds" / "policies"
SEED_DOCS = Path(os.environ.get("HUB_SEED_DOCS", CHECKOUT.parent / "shared" / "seed-docs"))

#: the words of a document that a requirement stands for (one of them must be in the quote)
WORDED = {
    Requirement.ALL_IMAGES: ("所有图像",),
    Requirement.THICK_SLICES: ("厚层",),
    Requirement.THIN_SLICES: ("薄层",),
    Requirement.POST_PROCESSED: ("后处理",),
    Requirement.SEQUENCES: ("各序列",),
    Requirement.ANGIO_FUNCTIONAL_POST_PROCESSED: ("血管成像、功能性成像",),
}
#: how a document names each modality class in its upload rules
NAMED = {"DR": ("X线平片",), "RF": ("胃肠",), "MG": ("乳腺钼靶",), "CT": ("CT",), "MR": ("MR",)}


def document(source: str) -> str:
    found = sorted(SEED_DOCS.glob(f"{source}_*.txt"))
    if not found:
        pytest.skip(f"document {source} not found in {SEED_DOCS}")
    return "".join(found[0].read_text(encoding="utf-8").split())


RULES = UploadRules.of(load_policies().values()).rules


def test_the_documents_that_state_upload_rules():
    """001 三、2(二) and 003 二(四) say what an uploaded study must show; the other documents do not."""
    assert {(r.source, r.clause) for r in RULES} == {("001", "三、2(二)"), ("003", "二(四)")}
    by_source = {s: {m for r in RULES if r.source == s for m in r.modalities} for s in ("001", "003")}
    assert by_source == {"001": {"DR", "RF", "MG", "CT", "MR"}, "003": {"DR", "MG", "CT", "MR"}}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.source}-{'+'.join(r.modalities)}")
def test_each_rule_quotes_its_document_and_words_what_it_requires(rule):
    assert "".join(rule.text.split()) in document(rule.source), f"not a quote of {rule.source}: {rule.text}"
    for requirement in rule.requires:
        assert any(w in rule.text for w in WORDED[requirement]), (requirement, rule.text)
    for modality in rule.modalities:
        assert any(w in rule.text for w in NAMED[modality]), (modality, rule.text)


def edited(tmp_path: Path, name: str, edit) -> Path:
    raw = yaml.safe_load((POLICIES / name).read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda raw: raw["uploadRules"][1]["requires"].append("thinSlice"), "uploadRules[1].requires[3]: Input should be"),
    (lambda raw: raw["uploadRules"][0]["modalities"].append("US"), "uploadRules[0].modalities[3]: Input should be"),
    (lambda raw: raw["uploadRules"][2].pop("clause"), "uploadRules[2].clause: missing key"),
    (lambda raw: raw["uploadRules"][2].__setitem__("requires", []), "uploadRules[2].requires: List should have at least 1"),
    (lambda raw: raw["uploadRules"][0].__setitem__("modality", ["DR"]), "uploadRules[0].modality: unknown key"),
])
def test_a_wrong_upload_rule_is_refused_naming_file_and_key(tmp_path, edit, message):
    path = edited(tmp_path, "001.yaml", edit)
    with pytest.raises(PolicyFileError) as refused:
        read_policy(path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value), refused.value
