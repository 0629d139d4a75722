"""One real ``hub serve`` per store — the embedded LadybugDB file and a real Neo4j server — each loaded
once with the acceptance dataset (the demo dataset and the acceptance extras); every acceptance test
asks both (``hub_server`` and ``ask`` are parametrised by tests/support/neo4j_server.py's ``backend``)."""

from __future__ import annotations

import pytest

from tests.support.hubproc import ROOT

RECOGNITION_FIELDS = (
    "verdict verdictLabel mark markCode targetItem validUntil policy billing { code clause text } "
    "reasons { code source clause text decisive } sourceInstitution { id name } targetInstitution { id name } "
    "targetCatalogItem { ref name }"
)
#: the acceptance dataset, as `hub load` is given it
FILES = (ROOT / "seeds/demo/demo.yaml", ROOT / "tests/acceptance/extra.yaml")


def acceptance_hub(datasets, backend: str):
    """``hub serve`` over the acceptance dataset on ``backend`` (started once per session)."""
    return datasets.served(backend, "acceptance", FILES)


@pytest.fixture
def hub_server(datasets, backend):
    return acceptance_hub(datasets, backend)


@pytest.fixture
def ask(hub_server):
    """ask(source, item, performedOn, at, on, **context) -> the Recognition as a dict."""

    def _ask(source: str, item: str, performed: str, at: str, on: str, **context) -> dict:
        q = (
            "query($s: StudyInput!, $at: ID!, $on: Date, $c: ClinicalContext) {"
            f" recognizability(study: $s, at: $at, on: $on, context: $c) {{ {RECOGNITION_FIELDS} }} }}"
        )
        result = hub_server.query(
            q, {"s": {"institution": source, "item": item, "performedOn": performed}, "at": at, "on": on,
                "c": context or None}
        )
        assert "errors" not in result, result
        return result["data"]["recognizability"]

    return _ask


def codes(recognition: dict) -> list[str]:
    return [r["code"] for r in recognition["reasons"]]


def reason(recognition: dict, code: str) -> dict:
    for r in recognition["reasons"]:
        if r["code"] == code:
            return r
    raise AssertionError(f"no reason {code} in {recognition['reasons']}")
