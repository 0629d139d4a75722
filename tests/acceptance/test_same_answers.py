"""The two stores answer alike: the same questions asked of the acceptance ``hub serve`` on LadybugDB and
the one on Neo4j (both loaded with the acceptance dataset by ``hub load``) get the same JSON, byte for
byte once parsed — every Query field with all its subfields, every acceptance question, batches that
cross every institution with the marked items and the days around their windows, pages and filters of
every browse field, federation's ``_entities``, and the errors.

The acceptance questions are read from the acceptance modules themselves (their ``ask(...)`` calls), so
a question added there is compared here too; a Query field added to the schema fails
``test_every_query_field_is_asked`` until a document here asks it.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import json
from pathlib import Path

import pytest
import yaml

from tests.acceptance.conftest import FILES, RECOGNITION_FIELDS, acceptance_hub

pytestmark = [pytest.mark.neo4j]

HERE = Path(__file__).parent
DATASET = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in FILES]
INSTITUTIONS = sorted(i["id"] for d in DATASET for i in d.get("institutions", []))
ALLIANCES = sorted(a["id"] for d in DATASET for a in d.get("alliances", []))
MARKED_ITEMS = sorted({m["item"] for d in DATASET for m in d.get("marks", [])})
#: items no one holds a mark for, an OCR variant, a lab item by its printed code, an unknown one
OTHER_ITEMS = ["BJ-IMG:BPONZZZZ7-00", "BJ-IMG:B020ZYZZZ-00", "HC-IMG:CT-1", "CY-IMG:1", "ZJ-IMG:BW03ZZZZ1"]
ON = "2026-11-23"
#: days a study was performed, against ON: inside every window, past a month, before most marks, long ago
PERFORMED = ["2026-11-20", "2026-10-01", "2024-06-01", "2019-01-01"]

INSTITUTION = "id name tier tierLevel region ownership kind aliases alliances { id kind name } " \
              "marks { item scope validFrom validTo }"
ITEM = "ref catalog name modality local row bodyPart laterality contrast views source printed note"
REGION = "code name level parents"
ALLIANCE = "id kind name"


@pytest.fixture(scope="module")
def hubs(datasets):
    """(LadybugDB hub, Neo4j hub), asked in that order."""
    return acceptance_hub(datasets, "ladybug"), acceptance_hub(datasets, "neo4j")


def answers(hubs, query: str, variables: dict | None = None) -> tuple[dict, dict]:
    """The parsed answers of both hubs (status checked: a 200 from each)."""
    out = []
    for hub in hubs:
        status, body = hub.post({"query": query, "variables": variables or {}})
        assert status == 200, (hub.graph, status, body)
        out.append(body)
    return out[0], out[1]


def assert_same(hubs, query: str, variables: dict | None = None) -> dict:
    """Both answers, equal; the LadybugDB one is returned (for checks that the comparison is not empty)."""
    lbug, neo = answers(hubs, query, variables)
    if lbug != neo:
        pytest.fail("LadybugDB and Neo4j answer differently:\n" + _diff(lbug, neo), pytrace=False)
    return lbug


def _diff(a: object, b: object, path: str = "") -> str:
    """The first few places where two JSON values differ, as lines ``path: ladybug != neo4j``."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b))
        return "".join(_diff(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}.{k}") for k in keys)[:4000]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return "".join(_diff(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b)))[:4000]
    if a == b:
        return ""
    show = lambda v: json.dumps(v, ensure_ascii=False)[:300]  # noqa: E731
    return f"  {path or '.'}: ladybug {show(a)} != neo4j {show(b)}\n"


# -- the documents -------------------------------------------------------------------------------------

def _entities_document() -> tuple[str, dict]:
    reps = (
        [{"__typename": "Institution", "id": i} for i in [*INSTITUTIONS, "ghost"]]
        + [{"__typename": "Region", "code": c} for c in ("CN", "JJJ", "CY", "110000", "110101", "130000", "130100",
                                                         "500000", "999999")]
        + [{"__typename": "Alliance", "id": a} for a in [*ALLIANCES, "nope"]]
        + [{"__typename": "CatalogItem", "ref": r} for r in [*MARKED_ITEMS, *OTHER_ITEMS, "BJ-IMG:NOPE"]]
        + [{"__typename": "Hospital", "id": "bj-xh"}, {"__typename": "Region", "name": "河北省"},
           {"__typename": "Region", "code": 130000}]
    )
    q = (f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ __typename ... on Institution {{ {INSTITUTION} }} "
         f"... on Region {{ {REGION} }} ... on Alliance {{ id allianceKind: kind name }} "  # kind: String! here
         f"... on CatalogItem {{ {ITEM} }} }} }}")
    return q, {"r": reps}


#: name -> (document, variables): every Query field, its filters and pages, and its errors
DOCUMENTS: dict[str, tuple[str, dict]] = {
    "institution-each": (
        "{ " + " ".join(f'i{n}: institution(id: "{i}") {{ {INSTITUTION} }}' for n, i in enumerate(INSTITUTIONS))
        + ' unknown: institution(id: "ghost") { id } }', {}),
    "institutions-filters-and-pages": (
        "{ all: institutions(first: 500) { " + INSTITUTION + " } "
        'p1: institutions(first: 4) { id } p2: institutions(first: 4, offset: 4) { id } '
        'past: institutions(first: 10, offset: 400) { id } '
        'hebei: institutions(region: "13") { id region } city: institutions(region: "1301") { id } '
        'county: institutions(region: "110101") { id } name: institutions(name: "示例") { id name } '
        'both: institutions(name: "石家庄", region: "130000") { id } none: institutions(name: "不存在") { id } '
        'empty: institutions(region: "", name: "") { id } }', {}),
    "alliances": (
        "{ all: alliances(first: 500) { " + ALLIANCE + " } p2: alliances(first: 1, offset: 1) { id } "
        + " ".join(f'a{n}: alliance(id: "{a}") {{ {ALLIANCE} }} m{n}: allianceMembers(id: "{a}") {{ {INSTITUTION} }}'
                   for n, a in enumerate(ALLIANCES))
        + ' unknown: alliance(id: "nope") { id } nobody: allianceMembers(id: "nope") { id } }', {}),
    "catalogs": ("{ catalogs { id name source itemCount clause } }", {}),
    "regions-filters": (
        "{ zones: regions(level: \"zone\", first: 500) { " + REGION + " } "
        "nation: regions(level: \"nation\") { " + REGION + " } "
        "provinces: regions(level: \"province\", first: 500) { " + REGION + " } "
        "jjj: regions(parent: \"JJJ\") { " + REGION + " } cn: regions(parent: \"CN\", first: 500) { code } "
        "hebei: regions(parent: \"130000\", first: 500) { " + REGION + " } "
        "hebeiCities: regions(level: \"city\", parent: \"130000\", first: 500) { code } "
        "counties: regions(level: \"county\", parent: \"110000\", first: 500) { code } "
        "nothing: regions(level: \"planet\") { code } orphan: regions(parent: \"999999\") { code } "
        "past: regions(first: 10, offset: 9000) { code } }", {}),
    "equivalents": (
        "{ " + " ".join(f'e{n}: equivalents(item: "{r}") {{ {ITEM} }}' for n, r in enumerate([*MARKED_ITEMS, *OTHER_ITEMS]))
        + " }", {}),
    "entities-with-bad-representations": _entities_document(),
    "service": ("{ _service { sdl } }", {}),
    "documents": (
        "{ documents { id source title issuer year number zone governs catalogs clauses { clause text use } notes } "
        'one: document(id: "001") { id title } none: document(id: "999") { id } }', {}),
    "english-batch": (
        f'query($s: [StudyInput!]!) {{ recognizabilities(studies: $s, at: "bj-hd-3b", on: "{ON}", lang: EN) '
        f'{{ {RECOGNITION_FIELDS} studyCatalogItem {{ ref name }} }} }}',
        {"s": [{"institution": i, "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"} for i in INSTITUTIONS]}),
    "error-prior-studies-without-platforms": (
        'query { priorStudies(patient: {id: "P-1", issuer: "CN-RESIDENT"}, at: "bj-xh", on: "2026-11-23") '
        "{ studies { platform studyInstanceUid performedOn item institution } platforms { id ok error } } }", {}),
    # the act of recognition and the audit (no platforms here: the refusal, and patients nobody asked about)
    "error-reminders-without-platforms": (
        'query { reminders(patient: {id: "P-1", issuer: "CN-RESIDENT"}, at: "bj-xh", '
        f'orders: ["BJ-IMG:BW23ZYZZZ-00"], on: "{ON}") {{ id orderedItem }} }}', {}),
    "decisions-of-a-patient-never-reminded": (
        'query { decisions(patient: {id: "P-nobody", issuer: "CN-RESIDENT"}, at: "bj-xh") { id decision } }', {}),
    "audit-of-a-patient-never-asked-about": (
        'query { auditEvents(patient: {id: "P-never", issuer: "CN-RESIDENT"}) { operation outcome } }', {}),
    # the authority's metrics (no reminders in the acceptance store: zero counts, null rates) and their refusals
    "metrics-and-ranking": (
        'query { all: recognitionMetrics(from: "2026-01-01", to: "2026-12-31") { reminders viewed accepted '
        "decidedRecognized nonCompliant reexaminedCompared consistent firstReminderViewRate recognitionRate "
        "nonComplianceRate diagnosisConsistencyRate } "
        'zone: recognitionMetrics(from: "2026-11-01", to: "2026-11-30", region: "JJJ") { reminders recognitionRate } '
        'one: recognitionMetrics(from: "2026-11-01", to: "2026-11-30", institution: "bj-xh") { reminders viewed } '
        'ranking: recognitionRanking(from: "2026-01-01", to: "2026-12-31", rate: RECOGNITION_RATE) { rank } }', {}),
    "error-metrics-period-backwards": (
        'query { recognitionMetrics(from: "2026-12-31", to: "2026-01-01") { reminders } }', {}),
    # errors: each must be the same error (code, message, path) with the same partial data
    "error-unknown-institution": (
        f'{{ recognizability(study: {{institution: "ghost", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-11-01"}}, '
        f'at: "bj-xh", on: "{ON}") {{ verdict }} }}', {}),
    "error-unknown-target": (
        f'{{ recognizability(study: {{institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-11-01"}}, '
        f'at: "ghost", on: "{ON}") {{ verdict }} }}', {}),
    "error-unknown-item": (
        f'{{ recognizability(study: {{institution: "bj-xh", item: "BJ-IMG:NOPE", performedOn: "2026-11-01"}}, '
        f'at: "bj-xh", on: "{ON}") {{ verdict }} }}', {}),
    "error-unknown-equivalent": ('{ equivalents(item: "XX-IMG:1") { ref } }', {}),
    "error-bad-page": ('{ institutions(first: 501) { id } }', {}),
    "error-bad-offset": ('{ regions(offset: 10001) { code } }', {}),
    "error-negative-offset": ('{ alliances(offset: -1) { id } }', {}),
    "error-unknown-catalog": ('{ catalogItems(catalog: "XX-IMG") { ref } }', {}),
    "error-bad-date": (
        '{ recognizability(study: {institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2026-02-30"}, '
        'at: "bj-xh") { verdict } }', {}),
    "error-future-study": (
        f'{{ recognizability(study: {{institution: "bj-xh", item: "BJ-IMG:BW23ZYZZZ-00", performedOn: "2027-01-01"}}, '
        f'at: "bj-hd-3b", on: "{ON}") {{ verdict reasons {{ code }} }} }}', {}),
    "batch-with-bad-elements": (
        f'query($s: [StudyInput!]!) {{ recognizabilities(studies: $s, at: "bj-hd-3b", on: "{ON}") {{ {RECOGNITION_FIELDS} }} }}',
        {"s": [{"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"},
               {"institution": "ghost", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"},
               {"institution": "bj-ft-2b", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"},
               {"institution": "bj-xh", "item": "BJ-IMG:NOPE", "performedOn": "2026-11-11"}] * 150}),
    "batch-with-context": (
        f'query($s: [StudyInput!]!) {{ recognizabilities(studies: $s, at: "he-sjz-1", on: "{ON}", '
        f'context: {{emergency: true, imagesIncomplete: true}}) {{ {RECOGNITION_FIELDS} }} }}',
        {"s": [{"institution": i, "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": "2026-11-11"} for i in INSTITUTIONS]}),
}


def _catalog_pages() -> dict[str, tuple[str, dict]]:
    """Every item of every catalog, in pages of 500 (and one page past the end)."""
    return {"catalog-items": (
        "{ " + " ".join(f'c{n}a: catalogItems(catalog: "{c}", first: 500) {{ {ITEM} }} '
                        f'c{n}b: catalogItems(catalog: "{c}", first: 500, offset: 500) {{ ref }} '
                        f'c{n}c: catalogItems(catalog: "{c}", first: 7, offset: 13) {{ ref row }}'
                        for n, c in enumerate(["ZJ-LAB", "ZJ-IMG", "BJ-LAB", "BJ-IMG", "HC-IMG", "HE-IMG", "CY-IMG"]))
        + " }", {})}


def _region_pages() -> dict[str, tuple[str, dict]]:
    """Every region, 500 a page, with its parents."""
    return {f"regions-page-{k}": (f"{{ regions(first: 500, offset: {k * 500}) {{ {REGION} }} }}", {}) for k in range(7)}


def _browse_api() -> dict[str, tuple[str, dict]]:
    """The browse API (issue 17 item 4): where operators, zones, sorts, connections, aggregates, reverse lookups."""
    conn = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { %s } }"
    where = ('{region: {within: "JJJ"}, tier: {in: ["3A", "2A", "2B"]}, name: {contains: "示例"}}', '{region: {within: "CY"}}',
             '{region: {within: "CN"}, holdsMarks: false}', '{region: {eq: "110101"}}', '{name: {startsWith: "北京"}}',
             '{kind: {in: ["primary", "lab"]}, ownership: {eq: "public"}}', '{name: {contains: ""}}', '{tier: {in: []}}')
    sorts = ("[{field: NAME, direction: DESC}]", "[{field: REGION}]", "[{field: TIER, direction: DESC}, {field: ID, direction: DESC}]")
    institutions = {  # one document per filter: at most 30 aliases a request (--max-aliases)
        f"browse-institutions-{n}": (
            f"{{ c: institutionsConnection(where: {w}, first: 500) {{ {conn % INSTITUTION} }} "
            f"a: institutionsAggregate(where: {w}) {{ count byRegion {{ code name count region {{ {REGION} }} }} "
            f'cities: byRegion(level: "city") {{ code count }} zones: byRegion(level: "zone") {{ code count }} '
            f"byTier {{ tier count }} }} l: institutions(where: {w}, first: 500) {{ id }} }}", {})
        for n, w in enumerate(where)}
    institutions["browse-institutions-sorted"] = ("{ " + " ".join(
        f"s{n}: institutionsConnection(sort: {s}, first: 500) {{ {conn % 'id'} }} "
        f"o{n}: institutions(sort: {s}, first: 5, offset: 3) {{ id }}" for n, s in enumerate(sorts)) + " }", {})
    mark = "id item scope validFrom validTo forItem { ref name } validIn { code name } holder { id locatedIn { code } }"
    marks = ('{validOn: "2026-11-23"}', '{scope: {eq: "JJJ"}}', '{label: {in: ["京津冀HR", "CYHR"]}}',
             '{holder: {region: {within: "130000"}}, forItem: {modality: {eq: "CT"}, bodyPart: {eq: "chest"}}}',
             '{item: {in: ["HE-IMG:122", "CY-IMG:94"]}, validOn: "2024-06-01"}')
    mark_docs = " ".join(f"m{n}: marksConnection(where: {w}, first: 500) {{ {conn % mark} }} "
                         f"g{n}: marksAggregate(where: {w}) {{ count institutions byRegion {{ code name institutions marks }} "
                         f'cities: byRegion(level: "city") {{ code institutions marks }} }}' for n, w in enumerate(marks))
    lookups = " ".join(
        [f'i{n}: catalogItem(ref: "{r}") {{ ref name all: holders {{ {conn % "id"} }} '
         f'jjj: holders(scope: "JJJ", validOn: "{ON}", first: 1) {{ {conn % "id"} }} }}' for n, r in enumerate(MARKED_ITEMS[:6])]
        + [f'r{n}: region(code: "{c}") {{ {REGION} institutions(first: 500, sort: [{{field: NAME}}]) {{ {conn % "id locatedIn { code name }"} }} }}'
           for n, c in enumerate(("JJJ", "CY", "CN", "130000", "110101", "999999"))]
        + ['none: catalogItem(ref: "BJ-IMG:NOPE") { ref }'])
    others = (f'al: alliancesConnection(where: {{kind: {{eq: "city_medical_group"}}}}, sort: [{{field: NAME, direction: DESC}}]) '
              f'{{ {conn % ALLIANCE} }} als: alliances(where: {{name: {{contains: "示例"}}}}) {{ id }} '
              f'rg: regionsConnection(where: {{parent: {{in: ["JJJ", "CY"]}}}}, sort: [{{field: NAME}}], first: 500) {{ {conn % REGION} }} '
              f'rgs: regions(where: {{level: {{eq: "city"}}, name: {{startsWith: "石家庄"}}}}) {{ code }} '
              f'ci: catalogItemsConnection(where: {{modality: {{in: ["CT", "MR"]}}, bodyPart: {{eq: "head"}}}}, first: 500) {{ {conn % ITEM} }} '
              f'cis: catalogItems(catalog: "HE-IMG", where: {{name: {{contains: "胸部"}}}}, sort: [{{field: NAME, direction: DESC}}]) {{ ref }}')
    return {**institutions, "browse-marks": ("{ " + mark_docs + " }", {}),
            "browse-lookups": ("{ " + lookups + " }", {}), "browse-other-lists": ("{ " + others + " }", {}),
            "error-browse-bad-cursor": ('{ institutionsConnection(after: "bm90IGEgY3Vyc29y") { totalCount } }', {}),
            "error-browse-unknown-region": ('{ institutionsAggregate(where: {region: {within: "XX"}}) { count } }', {}),
            "error-browse-bad-page": ('{ marksConnection(first: 501) { totalCount } }', {})}


DOCUMENTS |= _catalog_pages() | _region_pages() | _browse_api()


@pytest.mark.parametrize("sort", ["[{field: ID}]", "[{field: NAME, direction: DESC}]", "[{field: REGION}]",
                                  "[{field: TIER, direction: DESC}]"])
def test_cursor_pages_are_the_same_on_both_stores(hubs, sort):
    """Walking institutionsConnection 3 at a time, each store with its own cursors: the same pages, cursors
    included (opaque, but made from the same sort key and id), to the end."""
    after, pages = None, 0
    while True:
        cursor = f', after: "{after}"' if after else ""
        out = assert_same(hubs, f"{{ institutionsConnection(sort: {sort}, first: 3{cursor}) {{ totalCount "
                                f"pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ id }} }} }} }}")
        page = out["data"]["institutionsConnection"]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == -(-len(INSTITUTIONS) // 3)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_same_answer(hubs, name):
    query, variables = DOCUMENTS[name]
    out = assert_same(hubs, query, variables)
    if name.startswith("error-") or name.endswith("-with-bad-representations"):
        assert out.get("errors"), out  # an error document that no longer errs compares nothing of interest
    elif not name.startswith("batch-"):
        assert "errors" not in out, out


@pytest.mark.parametrize("target", INSTITUTIONS)
def test_every_institution_and_marked_item_at_each_target(hubs, target):
    """Every institution's study of every marked item (and a few more), on days inside, around and far
    outside the windows, asked in one batch at each institution of the dataset."""
    studies = [{"institution": i, "item": item, "performedOn": day}
               for i, item, day in itertools.product(INSTITUTIONS, [*MARKED_ITEMS, *OTHER_ITEMS[:3]], PERFORMED)]
    assert len(studies) <= 1000
    q = (f'query($s: [StudyInput!]!) {{ recognizabilities(studies: $s, at: "{target}", on: "{ON}") '
         f"{{ {RECOGNITION_FIELDS} }} }}")
    out = assert_same(hubs, q, {"s": studies})
    verdicts = {r["verdict"] for r in out["data"]["recognizabilities"] if r}
    assert "NOT_RECOGNIZED" in verdicts and len(out["data"]["recognizabilities"]) == len(studies)


def acceptance_questions() -> list[tuple[str, tuple, dict]]:
    """Every ``ask(source, item, performedOn, at, on, **context)`` of the acceptance modules whose arguments
    are literals or module constants: (where, args, context)."""
    found = []
    for path in sorted(HERE.glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        module = importlib.import_module(f"tests.acceptance.{path.stem}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ask"):
                continue
            try:
                args = tuple(_value(a, module) for a in node.args)
                context = {k.arg: _value(k.value, module) for k in node.keywords}
            except LookupError:
                continue  # an argument computed in the test (test_002's neck CT): asked by its own test
            found.append((f"{path.name}:{node.lineno}", args, context))
    return found


def _value(node: ast.expr, module: object) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and hasattr(module, node.id):
        return getattr(module, node.id)
    raise LookupError(ast.dump(node))


def test_the_acceptance_questions_get_the_same_answers(hubs):
    questions = acceptance_questions()
    assert len(questions) >= 30, questions
    q = ("query($s: StudyInput!, $at: ID!, $on: Date, $c: ClinicalContext) {"
         f" recognizability(study: $s, at: $at, on: $on, context: $c) {{ {RECOGNITION_FIELDS} }} }}")
    differ = []
    for where, (source, item, performed, at, on), context in questions:
        variables = {"s": {"institution": source, "item": item, "performedOn": performed}, "at": at, "on": on,
                     "c": context or None}
        lbug, neo = answers(hubs, q, variables)
        assert "errors" not in lbug, (where, lbug)
        if lbug != neo:
            differ.append(f"{where}:\n{_diff(lbug, neo)}")
    assert not differ, "LadybugDB and Neo4j answer differently:\n" + "\n".join(differ)


def test_every_query_field_is_asked(hubs):
    """A Query field no document here asks would escape the comparison."""
    fields = {f["name"] for f in assert_same(hubs, '{ __type(name: "Query") { fields { name } } }')
              ["data"]["__type"]["fields"]}
    asked = " ".join(q for q, _ in DOCUMENTS.values())
    missing = sorted(f for f in fields if f"{f}(" not in asked and f"{f} {{" not in asked)
    assert not missing, f"Query fields this comparison never asks: {missing}"
