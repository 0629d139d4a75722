"""Policy files are read strictly (issue 13): an unknown, missing or mistyped key is refused naming the
file and the key — at start-up and by ``hub policy check`` — never dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hub.domain.policy import PolicyFileError, load_policies, read_policy
from hub.domain.policy_file import json_schema
from tests.support.hubproc import ROOT, hub_cli

POLICIES = ROOT / "seeds" / "policies"


def edited(tmp_path: Path, name: str, edit) -> Path:
    raw = yaml.safe_load((POLICIES / name).read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_every_seed_policy_file_matches_the_schema():
    assert sorted(load_policies()) == ["000", "001", "002", "003", "004", "JJJ"]


def test_a_renamed_section_is_refused_not_dropped(tmp_path):
    """004 6.7's exclusions under a misspelt key loaded silently before and dropped every exclusion."""
    path = edited(tmp_path, "004.yaml", lambda raw: raw.__setitem__("exclusion", raw.pop("exclusions")))
    with pytest.raises(PolicyFileError, match=r"004\.yaml: exclusion: unknown key"):
        read_policy(path)


@pytest.mark.parametrize("edit, message", [
    (lambda raw: raw["window"].__setitem__("lenght", raw["window"].pop("length")),
     "window.length: missing key; window.lenght: unknown key"),
    (lambda raw: raw["window"].__setitem__("unit", "week"), "window.unit: Input should be 'day' or 'month'"),
    (lambda raw: raw["tierRules"][1].__setitem__("verdict", "MAYBE"), "tierRules[1].verdict: Input should be"),
    (lambda raw: raw["exclusions"][0].__setitem__("flag", "pregnant"), "exclusions[0].flag: Input should be"),
    (lambda raw: raw["dataQuality"].__setitem__("uploadWithin", 1), "dataQuality.uploadWithin: unknown key"),
    (lambda raw: raw.pop("title"), "title: missing key"),
])
def test_a_misspelt_or_wrong_key_is_refused_naming_file_and_key(tmp_path, edit, message):
    path = edited(tmp_path, "004.yaml", edit)
    with pytest.raises(PolicyFileError) as refused:
        read_policy(path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value), refused.value


def test_hub_policy_check_names_file_and_key(tmp_path):
    bad = edited(tmp_path, "000.yaml", lambda raw: raw["window"].pop("binding"))
    run = hub_cli("policy", "check", str(POLICIES / "001.yaml"), str(bad), check=False)
    assert run.returncode == 1, run.stdout
    assert "ok: " in run.stdout and "001.yaml" in run.stdout
    assert "window.binding: missing key" in " ".join(run.stderr.split()) and "Traceback" not in run.stderr


def test_the_published_json_schema_is_the_schema_in_use():
    published = json.loads((POLICIES / "policy.schema.json").read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(json_schema(), ensure_ascii=False)), (
        "regenerate seeds/policies/policy.schema.json from hub.domain.policy_file.json_schema()")
