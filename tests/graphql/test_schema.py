"""The published SDL (schema.graphql) is the running schema, and the schema documents itself."""

from __future__ import annotations

import re
import subprocess

from tests.support.hubproc import HUB, ROOT

SDL_FILE = ROOT / "schema.graphql"
BUILTIN = {"String", "Int", "Float", "Boolean", "ID"}

INTROSPECT = """{ __schema { types {
  name kind description
  fields(includeDeprecated: true) { name description args { name description } }
  inputFields { name description }
  enumValues(includeDeprecated: true) { name description }
} } }"""


def test_committed_sdl_is_the_running_schema(hub):
    running = hub.gql("{ _service { sdl } }")["data"]["_service"]["sdl"]
    committed = SDL_FILE.read_text(encoding="utf-8")
    assert committed.rstrip("\n") == running.rstrip("\n"), (
        "schema.graphql differs from the running schema: regenerate it with `.venv/bin/hub schema` and commit it"
    )


def test_hub_schema_exports_and_checks(tmp_path):
    r = subprocess.run([HUB, "schema", "--output", "-"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout == SDL_FILE.read_text(encoding="utf-8")
    r = subprocess.run([HUB, "schema", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: Int }\n")
    r = subprocess.run([HUB, "schema", "--check", "-o", str(stale)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "differs" in r.stderr
    r = subprocess.run([HUB, "schema", "-o", str(stale)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and stale.read_text() == SDL_FILE.read_text(encoding="utf-8")


def test_sdl_is_a_federation_2_9_subgraph_with_four_entities():
    sdl = SDL_FILE.read_text(encoding="utf-8")
    assert 'schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])' in sdl
    for t, key in [("Institution", "id"), ("Region", "code"), ("Alliance", "id"), ("CatalogItem", "ref")]:
        assert re.search(rf'^type {t} @key\(fields: "{key}"\) {{', sdl, re.M), t
    assert "union _Entity = Alliance | CatalogItem | Institution | Region" in sdl


def test_every_type_field_argument_and_enum_value_is_described(hub):
    types = hub.gql(INTROSPECT)["data"]["__schema"]["types"]
    missing = []
    for t in types:
        if t["name"].startswith("__") or t["name"] in BUILTIN:
            continue
        if not (t["description"] or "").strip():
            missing.append(t["name"])
        for f in (t["fields"] or []) + (t["inputFields"] or []):
            if not (f["description"] or "").strip():
                missing.append(f"{t['name']}.{f['name']}")
            for a in f.get("args") or []:
                if not (a["description"] or "").strip():
                    missing.append(f"{t['name']}.{f['name']}({a['name']})")
        for v in t["enumValues"] or []:
            if not (v["description"] or "").strip():
                missing.append(f"{t['name']}.{v['name']}")
    assert missing == [], f"add descriptions (resolvers/types.py, resolvers/schema.py ARGUMENTS): {missing}"


def test_contract_names_and_types_are_kept():
    sdl = SDL_FILE.read_text(encoding="utf-8")

    def fields(type_name: str) -> dict[str, str]:
        body = re.search(rf"^(?:type|input) {type_name}\b[^{{]*{{(.*?)^}}", sdl, re.M | re.S).group(1)
        body = re.sub(r'"""(.*?)"""', "", body, flags=re.S)
        return dict(re.findall(r"^\s+(\w+)(?:\([^)]*\))?: ([^\s=]+)", body, re.M))

    assert fields("Recognition").items() >= {"verdict": "Verdict!", "mark": "String", "markCode": "String",
                                          "targetItem": "String", "validUntil": "Date", "reasons": "[Reason!]!"}.items()
    assert fields("Reason").items() >= {"code": "String!", "source": "String!", "clause": "String", "text": "String!"}.items()
    assert fields("CatalogItem").items() >= {"ref": "String!", "catalog": "String!", "name": "String!", "modality": "String"}.items()
    assert fields("Institution").items() >= {"id": "ID!", "name": "String!", "tier": "String!", "region": "String!",
                                             "alliances": "[Alliance!]!"}.items()
    assert fields("Alliance").items() >= {"id": "ID!", "kind": "String!", "name": "String!"}.items()
    assert fields("Catalog").items() >= {"id": "String!", "name": "String!", "source": "String!", "itemCount": "Int!"}.items()
    assert fields("StudyInput") == {"institution": "ID!", "item": "String!", "performedOn": "Date!"}
    assert re.search(r"enum Verdict {[^}]*RECOGNIZED[^}]*NOT_RECOGNIZED[^}]*PHYSICIAN_DISCRETION", sdl, re.S)


def test_reason_code_enum_is_the_domain_vocabulary(hub):
    """The GraphQL ReasonCode is generated from hub.domain.vocabulary.ReasonCode (names, order and
    descriptions); that the engine emits nothing else is tests/test_vocabulary.py's."""
    from hub.domain.vocabulary import ReasonCode

    types = {t["name"]: t for t in hub.gql(INTROSPECT)["data"]["__schema"]["types"]}
    assert [(v["name"], v["description"]) for v in types["ReasonCode"]["enumValues"]] == [
        (c.name, c.description) for c in ReasonCode]
    answer = hub.gql('{ recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", '
                     'performedOn: "2026-11-11"}, at: "he-sjz-1", on: "2026-11-23", context: {emergency: true}) '
                     '{ reasons { code kind } } }')["data"]["recognizability"]
    assert len(answer["reasons"]) > 3 and all(r["kind"] == r["code"] for r in answer["reasons"]), answer


def test_clinical_context_input_is_the_domain_flags(hub):
    """The ClinicalContext input has a field per hub.domain.vocabulary.ClinicalFlag, named and described by it."""
    from hub.domain.vocabulary import ClinicalFlag

    types = {t["name"]: t for t in hub.gql(INTROSPECT)["data"]["__schema"]["types"]}
    assert [(f["name"], f["description"]) for f in types["ClinicalContext"]["inputFields"]] == [
        (f.value, f.description) for f in ClinicalFlag]


def test_tier_enum_covers_the_contract_tiers(hub):
    """TierLevel is generated from hub.domain.vocabulary.Tier; an institution's tierLevel is its tier's."""
    from hub.domain.vocabulary import Tier
    from resolvers.types import TIERS

    assert set(TIERS) == {"3A", "3B", "3", "2A", "2B", "2", "1", "0"}
    types = {t["name"]: t for t in hub.gql(INTROSPECT)["data"]["__schema"]["types"]}
    assert [(v["name"], v["description"]) for v in types["TierLevel"]["enumValues"]] == [
        (t.name, t.description) for t in Tier]
    rows = hub.gql("{ institutions(first: 100) { tier tierLevel } }")["data"]["institutions"]
    assert {r["tier"] for r in rows} >= {"3A", "3B", "2A", "2B", "1", "0"}
    assert all(r["tierLevel"] == Tier(r["tier"]).name for r in rows), rows


def test_readable_answers_extend_the_contract_types():
    """Issue 16: the verdict's label, billing, names beside ids, decisive reasons, the language argument and the
    documents query — added beside the contract's fields, which keep their names and types."""
    sdl = SDL_FILE.read_text(encoding="utf-8")

    def fields(type_name: str) -> dict[str, str]:
        body = re.search(rf"^(?:type|input) {type_name}\b[^{{]*{{(.*?)^}}", sdl, re.M | re.S).group(1)
        body = re.sub(r'"""(.*?)"""', "", body, flags=re.S)
        return dict(re.findall(r"^\s+(\w+)(?:\([^)]*\))?: ([^\s=]+)", body, re.M))

    assert fields("Recognition").items() >= {
        "verdictLabel": "String!", "billing": "Billing", "sourceInstitution": "Institution",
        "targetInstitution": "Institution", "studyCatalogItem": "CatalogItem", "targetCatalogItem": "CatalogItem"}.items()
    assert fields("Reason")["decisive"] == "Boolean!"
    assert fields("Billing").items() >= {"code": "String!", "text": "String!", "clause": "String!"}.items()
    assert fields("Query").items() >= {"documents": "[PolicyDocument!]!", "document": "PolicyDocument"}.items()
    for query in ("recognizability", "recognizabilities", "priorStudies"):
        signature = re.search(rf"^  {query}\((.*?)^  \):", sdl, re.M | re.S).group(1)
        assert re.search(r"lang: Language! = ZH", signature), query
    assert re.search(r"enum Language {[^}]*ZH[^}]*EN", sdl, re.S)


def test_billing_codes_are_the_domain_vocabulary(hub):
    from hub.domain.vocabulary import BillingCode

    types = {t["name"]: t for t in hub.gql(INTROSPECT)["data"]["__schema"]["types"]}
    assert [(v["name"], v["description"]) for v in types["BillingCode"]["enumValues"]] == [
        (c.name, c.description) for c in BillingCode]
