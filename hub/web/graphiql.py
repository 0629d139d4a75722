"""GraphiQL served by the hub itself: the page, its JS/CSS and Monaco's workers, with no CDN.

Hospital networks (卫生健康专网) are closed: strawberry's own GraphiQL page loads React and GraphiQL from a
public CDN and stays blank there (FIELD-NOTES).  The hub ships GraphiQL 5 as The Guild builds it for
GraphQL Yoga and Hive Gateway (npm ``@graphql-yoga/render-graphiql``, MIT, pinned in
``tools/gateway/package-lock.json``), split into plain files under ``hub/web/static/graphiql/`` by
``tools/gateway/build-graphiql.mjs``; ``hub/web/static/hub/`` holds the few lines that start it.

The page preloads the core question as tabs (one chest CT from Beijing asked in Shijiazhuang, the batch
form, the crosswalk, an institution, then the reminder → decision flow) and sends a Content-Security-Policy that lets it talk to this origin
only.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

STATIC = Path(__file__).parent / "static"
ASSETS = "/static/graphiql/"
OWN = "/static/hub/"
CHINA = ZoneInfo("Asia/Shanghai")

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # Monaco sets inline styles
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])

RECOGNIZABILITY = """\
# 互认 hub: is this prior study recognizable here?
#
# A chest CT (胸部CT平扫, BJ-IMG:BW23ZYZZZ-00) done twelve days ago at bj-xh in Beijing;
# the patient now sits in he-sjz-1 in Shijiazhuang (Hebei, same 京津冀 zone).
# Run it with ▶ or Ctrl-Enter; change the variables below. `on` defaults to today (China time).
# The schema's documentation is under the book icon on the left.
query Recognizability($study: StudyInput!, $at: ID!, $on: Date, $context: ClinicalContext) {
  recognizability(study: $study, at: $at, on: $on, context: $context) {
    verdict
    mark
    markCode
    targetItem
    validUntil
    policy
    reasons { code source clause text }
  }
}
"""

RECOGNIZABILITIES = """\
# Many prior studies at one institution in one request (up to the batch limit, ≥ 500),
# answered in the order asked. A bad element is null with its own error; the others answer.
query Recognizabilities($studies: [StudyInput!]!, $at: ID!) {
  recognizabilities(studies: $studies, at: $at) {
    verdict
    mark
    targetItem
    validUntil
    reasons { code clause }
  }
}
"""

EQUIVALENTS = """\
# The same exam in every catalog (the crosswalk): Beijing's chest CT in the Zhejiang, Hebei,
# Hechi and 川渝 lists.
query Equivalents($item: String!) {
  equivalents(item: $item) { ref catalog name modality bodyPart contrast }
}
"""

INSTITUTION = """\
# An institution with its alliances (医联体/医共体) and quality marks (互认标识).
query Institution($id: ID!) {
  institution(id: $id) {
    id
    name
    tier
    region
    alliances { id kind name }
    marks { item scope validFrom validTo }
  }
}
"""

REMINDER_FLOW = """\
# The act of recognition (004 6.6 重复检查提醒; 000 四(二)): the doctor at `at` orders items, the hub
# reminds them of the patient's recognizable prior studies of the same exam, the doctor opens one
# and decides. Needs the regional platforms (hub serve --platforms FILE) and, with authentication,
# a clinician's token for `at` (every call is patient data: authorized, then audited).
#
# Run the operations in order with ▶ (it asks which one):
#   1. Reminders — copy a reminder `id` into the variables' "reminder" and "decision.reminder";
#   2. RecordView — the doctor opened it;
#   3. RecordDecision — ACCEPTED; or REJECTED / REEXAMINED with a "reason" and "patientInformed": true
#      (a refusal names the field to fix in errors[0].extensions.field);
#   4. Decisions — what was recorded, with the document and clause it cites.
query Reminders($patient: PatientInput!, $at: ID!, $orders: [String!]!, $on: Date) {
  reminders(patient: $patient, at: $at, orders: $orders, on: $on) {
    id
    orderedItem
    viewed
    issuedOn
    study { platform studyInstanceUid performedOn institution item }
    recognition { verdict mark policy reasons { code source clause text } }
    decision { decision recordedAt }
  }
}

mutation RecordView($reminder: ID!) {
  recordView(reminder: $reminder) { id viewed recognition { verdict } }
}

mutation RecordDecision($decision: DecisionInput!) {
  recordDecision(input: $decision) {
    id decision reason exclusion exclusionClause archiveNo institutionName performedOn recordedAt by citation
  }
}

query Decisions($patient: PatientInput!, $at: ID!) {
  decisions(patient: $patient, at: $at) {
    reminder decision reason exclusion institutionName performedOn archiveNo recordedAt by citation
  }
}
"""


def example_tabs(today: dt.date | None = None) -> list[dict[str, str]]:
    today = today or dt.datetime.now(CHINA).date()
    prior = (today - dt.timedelta(days=12)).isoformat()

    def tab(query: str, variables: dict) -> dict[str, str]:
        return {"query": query, "variables": json.dumps(variables, ensure_ascii=False, indent=2)}

    return [
        tab(RECOGNIZABILITY, {
            "study": {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": prior},
            "at": "he-sjz-1",
        }),
        tab(RECOGNIZABILITIES, {
            "studies": [
                {"institution": "bj-xh", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": prior},
                {"institution": "he-sjz-2", "item": "HE-IMG:122", "performedOn": prior},
                {"institution": "bj-hd-3b", "item": "BJ-IMG:BW23ZYZZZ-00", "performedOn": prior},
            ],
            "at": "he-sjz-1",
        }),
        tab(EQUIVALENTS, {"item": "BJ-IMG:BW23ZYZZZ-00"}),
        tab(INSTITUTION, {"id": "bj-xh"}),
        tab(REMINDER_FLOW, {
            "patient": {"id": "P-1001", "issuer": "CN-RESIDENT"},
            "at": "he-sjz-1",
            "orders": ["HE-IMG:122", "BJ-IMG:B020ZYZZZ-00"],
            "on": today.isoformat(),
            "reminder": "r_…",
            "decision": {"reminder": "r_…", "decision": "REJECTED", "reason": "病情变化，需复查",
                         "patientInformed": True, "exclusion": "conditionChanged"},
        }),
    ]


#: the headers tab's text when authentication is on: where the token goes (sent as typed; never stored)
TOKEN_HEADERS = '{"Authorization": "Bearer <在此粘贴令牌 paste your token here>"}'


def page(endpoint: str = "/graphql", today: dt.date | None = None, auth: bool = False) -> str:
    tabs = example_tabs(today)
    options = {
        "assets": ASSETS,
        "graphiql": {
            "endpoint": endpoint,
            "title": "互认 hub · GraphiQL",
            "defaultTabs": tabs,
            # GraphiQL 5 takes the first tab's variables from `initialVariables` only (Yoga: `variables`)
            "variables": tabs[0]["variables"],
            "defaultEditorToolsVisibility": "variables",
            "isHeadersEditorEnabled": True,
            "inputValueDeprecation": True,
            "schemaDescription": True,
            "shouldPersistHeaders": False,
            **({"headers": TOKEN_HEADERS, "defaultEditorToolsVisibility": "headers"} if auth else {}),
        },
    }
    # JSON inside <script type="application/json">: only "</" could end the element early
    data = json.dumps(options, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>{html.escape(options["graphiql"]["title"])}</title>
    <link rel="icon" href="{OWN}favicon.svg" />
    <link rel="stylesheet" href="{ASSETS}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript. The endpoint itself is POST {html.escape(endpoint)}.</noscript>
    <div id="root"></div>
    <script id="graphiql-options" type="application/json">{data}</script>
    <script src="{ASSETS}graphiql.js"></script>
    <script src="{OWN}graphiql-boot.js"></script>
  </body>
</html>
"""


def page_response(endpoint: str = "/graphql", auth: bool = False) -> HTMLResponse:
    return HTMLResponse(
        page(endpoint, auth=auth),
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                 "Referrer-Policy": "no-referrer"},
    )


# --- static files ----------------------------------------------------------------------------------

TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml", ".json": "application/json"}


@dataclass(frozen=True)
class Asset:
    raw: bytes
    gz: bytes
    etag: str
    media_type: str


@cache
def asset(folder: str, name: str) -> Asset | None:
    """One file of hub/web/static/<folder>/, read and gzipped once per process (GraphiQL is ~9 MB, ~2.5 MB gzipped)."""
    if folder not in ("graphiql", "hub") or "/" in name or name.startswith(".") or Path(name).suffix not in TYPES:
        return None
    path = STATIC / folder / name
    if not path.is_file():
        return None
    raw = path.read_bytes()
    return Asset(raw, gzip.compress(raw, 6, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:32] + '"',
                 TYPES[path.suffix])


async def static(request: Request) -> Response:
    a = asset(request.path_params["folder"], request.path_params["name"])
    if a is None:
        return Response("not found", status_code=404, media_type="text/plain")
    headers = {"ETag": a.etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
               "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == a.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(a.gz, media_type=a.media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(a.raw, media_type=a.media_type, headers=headers)
