"""The hub's GraphQL schema: the contract's queries plus what an analyst needs to browse the graph.

It is an Apollo Federation v2 subgraph (``federation_version="2.9"``: the newest The Guild's composition
accepts, FIELD-NOTES); Institution, Region, Alliance and CatalogItem are entities.  The published SDL is
``schema.graphql`` at the repository root (``hub schema`` writes it; a test keeps it equal to this).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

import strawberry
from graphql import GraphQLError
from strawberry.federation.schema import FederationAny  # the _entities field's types (strawberry reads them)
from strawberry.schema.config import StrawberryConfig
from strawberry.types.info import Info

from resolvers import audit, graph, metrics, prior_studies, recognition, workflow
from resolvers import documents as policy_documents
from resolvers.browse import institutions as browse_institutions
from resolvers.browse import lookups as browse_lookups
from resolvers.browse import marks as browse_marks
from resolvers.browse import others as browse_others
from resolvers.browse.paging import Connection
from resolvers.fastpath.documents import DocumentCache, Documents
from resolvers.errors import PartialErrors, hub_error
from resolvers.fastpath.arguments import install as direct_resolvers
from resolvers.fastpath.execution import HubExecutionContext
from resolvers.fastpath.extensions import ExtensionsRunner
from resolvers.types import (
    Alliance, Catalog, CatalogItem, Institution, Mark, PolicyDocument, PriorStudies, Recognition, Region,
)

if TYPE_CHECKING:
    from hub.config import Settings

log = logging.getLogger("hub.graphql")

#: the federation entities (``@key``): given to the schema as ``types`` (FIELD-NOTES: an entity no query
#: reaches must be) and resolved by reference in ``_entities``
ENTITIES = (Institution, Region, Alliance, CatalogItem)

SCHEMA_DESCRIPTION = (
    "互认 hub: is a prior imaging study or lab result recognizable (检查检验结果互认) at a given institution, "
    "under the provinces' mutual-recognition policies? Every answer names the document and clause behind it."
)


@strawberry.type(description="Entry points: the core question (recognizability) and browsing the graph.")
class Query:
    recognizability: Recognition = strawberry.field(
        resolver=recognition.recognizability,
        description="Is this prior study recognizable (可互认) at institution `at` on day `on` (default today, China time)?",
    )
    recognizabilities: list[Optional[Recognition]] = strawberry.field(
        resolver=recognition.recognizabilities,
        description="The same question for many studies at one institution, answered in order. A bad element is null "
        "with its own error (path ['recognizabilities', i]); the others still answer. At most max_batch studies "
        "(default 1000, HUB_MAX_BATCH).",
    )
    equivalents: list[CatalogItem] = strawberry.field(
        resolver=recognition.equivalents,
        description="The same exam in every catalog (crosswalk equivalence class), the asked item first.",
    )
    institution: Optional[Institution] = strawberry.field(resolver=graph.institution, description="An institution by id; null when unknown.")
    institutions: list[Institution] = strawberry.field(
        resolver=browse_institutions.institutions,
        description="Browse institutions by region (a division, a prefix of digits or a zone), name, or `where`; "
        "first/offset paging (institutionsConnection pages by cursor, past any offset).")
    institutions_connection: Connection[Institution] = strawberry.field(
        resolver=browse_institutions.institutions_connection,
        description="Institutions as a Relay connection: `where` filters with operators, `sort`, cursor paging "
        "(first, after) at any depth, totalCount (docs/BROWSE.md).")
    institutions_aggregate: browse_institutions.InstitutionAggregate = strawberry.field(
        resolver=browse_institutions.institutions_aggregate,
        description="Counts over the institutions `where` selects — in all, by region of any level, by tier — counted "
        "in the store in one read.")
    marks_connection: Connection[Mark] = strawberry.field(
        resolver=browse_marks.marks_connection,
        description="Quality marks as a Relay connection, filtered by item (or its catalog, modality, body part), scope or "
        "label, validity on a day and holder (region within a zone, tier …); by id, cursor paging, totalCount.")
    marks_aggregate: browse_marks.MarkAggregate = strawberry.field(
        resolver=browse_marks.marks_aggregate,
        description="Counts over the marks `where` selects: marks, distinct holders, and both by the holders' region of any "
        "level — counted in the store in one read.")
    alliances_connection: Connection[Alliance] = strawberry.field(
        resolver=browse_others.alliances_connection,
        description="Alliances as a Relay connection: `where` (id, kind, name), `sort`, cursor paging, totalCount.")
    regions_connection: Connection[Region] = strawberry.field(
        resolver=browse_others.regions_connection,
        description="Regions as a Relay connection: `where` (code, level, parent, name), `sort`, cursor paging, totalCount.")
    catalog_items_connection: Connection[CatalogItem] = strawberry.field(
        resolver=browse_others.catalog_items_connection,
        description="Catalog items as a Relay connection: `where` (ref, catalog, modality, bodyPart, name), `sort`, cursor "
        "paging, totalCount.")
    region: Optional[Region] = strawberry.field(
        resolver=browse_lookups.region, description="A region by code (GB/T 2260, a zone JJJ/CY, CN); null when unknown.")
    catalog_item: Optional[CatalogItem] = strawberry.field(
        resolver=browse_lookups.catalog_item,
        description="A catalog item by reference CATALOG:LOCAL (OCR variants resolve); null when unknown.")
    alliance: Optional[Alliance] = strawberry.field(resolver=graph.alliance, description="An alliance (医联体/医共体) by id; null when unknown.")
    alliance_members: list[Institution] = strawberry.field(resolver=graph.alliance_members, description="The members of an alliance.")
    alliances: list[Alliance] = strawberry.field(resolver=graph.alliances, description="Browse alliances.")
    catalogs: list[Catalog] = strawberry.field(resolver=graph.catalogs, description="The seven catalogs of the five documents.")
    catalog_items: list[CatalogItem] = strawberry.field(
        resolver=graph.catalog_items,
        description="The items of one catalog, in the document's order; with `search`, the items of every catalog (or of "
        "`catalog`) it finds by name, code or reference, best first.")
    regions: list[Region] = strawberry.field(resolver=graph.regions, description="Browse regions (GB/T 2260, zones JJJ/CY, CN).")
    documents: list[PolicyDocument] = strawberry.field(
        resolver=policy_documents.documents,
        description="The policy documents the hub implements (000…004, then the zone overlay JJJ): title, issuer, year, "
        "number and every clause the hub applies, with its words — where `Reason.source` and `clause` lead.",
    )
    document: Optional[PolicyDocument] = strawberry.field(
        resolver=policy_documents.document, description="One policy document (or zone overlay) by id; null when unknown.")
    audit_events: list[audit.AuditEvent] = strawberry.field(
        resolver=audit.audit_events,
        description="Who read a patient's data, when, from where, with what outcome (auditor only; CONTRACT.md Audit).",
    )
    prior_studies: PriorStudies = strawberry.field(
        resolver=prior_studies.prior_studies,
        description="The duplicate-exam reminder (004 6.6): the patient's studies on every regional platform at once, "
        "each with its recognizability at `at`. A platform that fails is ok: false with its error; the others' studies "
        "still come back.",
    )
    reminders: list[workflow.Reminder] = strawberry.field(
        resolver=workflow.reminders,
        description="Duplicate-exam reminders (004 6.6 重复检查提醒): each prior study of the patient that is the same exam as "
        "an ordered item and recognizable at `at`, reminded once (stable ids).",
    )
    decisions: list[workflow.Decision] = strawberry.field(
        resolver=workflow.decisions, description="The recorded decisions on the patient's reminders at `at` (the last per reminder).")
    recognition_metrics: metrics.RecognitionMetrics = strawberry.field(
        resolver=metrics.recognition_metrics,
        description="000 一(一)'s counts and four rates (首次提醒调阅率、互认率、诊断符合率、互认不遵从率) over the reminders first "
        "issued from `from` to `to` at an institution, inside a region or zone, or everywhere; a rate is null when its "
        "denominator is 0 (analyst, admin; docs/METRICS.md).",
    )
    recognition_ranking: list[metrics.RankedInstitution] = strawberry.field(
        resolver=metrics.recognition_ranking,
        description="000 六(三): institutions ranked by one rate over the same reminders, rank 1 the best — the highest "
        "rate, and for nonComplianceRate (互认不遵从率) the lowest; equal rates by institution id (analyst, admin).",
    )


#: descriptions of the Query fields' arguments (the resolvers' signatures stay the source of the arguments;
#: a test fails when an argument has none here)
ARGUMENTS: dict[str, dict[str, str]] = {
    "recognizability": {
        "study": "The prior study: performing institution, catalog item, date.",
        "at": "The institution where the patient is now (the target).",
        "on": "The day of the question; default today in China (UTC+8).",
        "context": "Clinical circumstances (不予互认情形) that leave the decision to the physician.",
        "lang": "The language of the texts (reason texts, verdictLabel, billing): ZH (default) or EN. The Accept-Language header is not read.",
    },
    "recognizabilities": {
        "studies": "The prior studies, answered in this order.",
        "at": "The institution where the patient is now (the target).",
        "on": "The day of the question; default today in China (UTC+8).",
        "context": "Clinical circumstances (不予互认情形) applied to every study.",
        "lang": "The language of the texts (reason texts, verdictLabel, billing): ZH (default) or EN. The Accept-Language header is not read.",
    },
    "equivalents": {
        "item": "Catalog item reference CATALOG:LOCAL (OCR variants resolve).",
        "lang": "The language of an UNKNOWN_ITEM error's message (its suggestions): ZH (default) or EN.",
    },
    "institution": {"id": "The institution's id."},
    "institutions": {
        "region": "GB/T 2260 code or prefix (13 or 130000 = Hebei, 1301 = Shijiazhuang), or a zone (JJJ, CY) or CN.",
        "name": "Part of the institution's name.",
        "first": "Page size (at most 500).",
        "offset": "Rows to skip.",
    },
    "alliance": {"id": "The alliance's id."},
    "allianceMembers": {"id": "The alliance's id."},
    "alliances": {"first": "Page size (at most 500).", "offset": "Rows to skip."},
    "catalogItems": {
        "catalog": "Catalog id, e.g. BJ-IMG; with `search`, only that catalog's items (optional then).",
        "first": "Page size (at most 500).",
        "offset": "Rows to skip.",
        "search": "A name, code or reference, fuzzy: 胸部CT, 头颅磁共振, 血常规, BW23ZYZZZ, HE-IMG:122 (a typo such as 胸布CT "
        "still finds the chest CT); answered best first, each item with its score and matchedOn (docs/SEARCH.md).",
    },
    "auditEvents": {"patient": "The patient (DICOM PatientID + IssuerOfPatientID); matched by its keyed pseudonym."},
    "priorStudies": {
        "patient": "The patient (DICOM PatientID + IssuerOfPatientID).",
        "at": "The institution where the patient is now (the target).",
        "since": "Only studies on or after this day.",
        "on": "The day of the question; default today in China (UTC+8).",
        "lang": "The language of the texts (reason texts, verdictLabel, billing): ZH (default) or EN. The Accept-Language header is not read.",
    },
    "document": {"id": "The policy id: a document prefix (000…004) or a zone overlay (JJJ)."},
    "regions": {
        "level": "nation, zone, province, city or county.",
        "parent": "Only regions directly part of this code.",
        "first": "Page size (at most 500).",
        "offset": "Rows to skip.",
    },
}

FEDERATION_DOCS = {
    "_service": "Apollo Federation: this subgraph's SDL, for a gateway's composition.",
    "_entities": "Apollo Federation: entities by key, for a gateway (one store read per type per request).",
}


def _describe(schema: strawberry.Schema) -> None:
    """Adds argument and federation-field descriptions the resolvers' signatures do not carry."""
    gql = schema._schema
    gql.description = SCHEMA_DESCRIPTION
    query = gql.query_type
    assert query is not None
    for field_name, args in ARGUMENTS.items():
        field = query.fields.get(field_name)
        if field is None:
            continue
        for arg_name, text in args.items():
            if arg_name in field.args and not field.args[arg_name].description:
                field.args[arg_name].description = text
    for field_name, text in FEDERATION_DOCS.items():
        if field_name in query.fields and not query.fields[field_name].description:
            query.fields[field_name].description = text
    if "_entities" in query.fields and "representations" in query.fields["_entities"].args:
        query.fields["_entities"].args["representations"].description = (
            "Keys with __typename: Institution {id}, Region {code}, Alliance {id}, CatalogItem {ref}."
        )
    for name, text in {
        "_Service": "Apollo Federation: the subgraph's service description.",
        "_Entity": "Apollo Federation: every entity type of this subgraph.",
        "_Any": "Apollo Federation: an entity representation (its key fields and __typename).",
        "Date": "A calendar date, ISO 8601 YYYY-MM-DD (e.g. 2026-11-23).",
    }.items():
        t = gql.type_map.get(name)
        if t is not None and not t.description:
            t.description = text
    # types of the federation and @link specs (in introspection, not in the SDL)
    for name, text in {
        "_FieldSet": "Apollo Federation: a selection of fields, e.g. the fields argument of @key.",
        "link__Import": "@link: the elements a linked specification imports.",
        "link__Purpose": "@link: why a linked specification is used.",
    }.items():
        t = gql.type_map.get(name)
        if t is not None and not t.description:
            t.description = text
    purpose = gql.type_map.get("link__Purpose")
    if purpose is not None:
        for value, text in {"SECURITY": "The specification provides security information (e.g. for access control).",
                            "EXECUTION": "The specification changes how the schema is executed."}.items():
            if value in purpose.values and not purpose.values[value].description:  # type: ignore[attr-defined]
                purpose.values[value].description = text  # type: ignore[attr-defined]
    service = gql.type_map.get("_Service")
    if service is not None and "sdl" in service.fields and not service.fields["sdl"].description:  # type: ignore[attr-defined]
        service.fields["sdl"].description = "The subgraph's schema in SDL with federation directives."  # type: ignore[attr-defined]


class HubSchema(strawberry.federation.Schema):
    """Logs what an operator must see: unexpected errors with their traceback; errors a client caused
    (unknown institution, bad input, a limit) at debug level only.  strawberry's default logs every error
    with a traceback — 200 of them for one batch with 200 unknown institutions."""

    #: set when hub.web.limits.HubErrors is installed: it logs unexpected errors itself, under an error id
    masks_and_logs = False

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        """``_entities`` with each representation checked first: strawberry fails the whole field on an
        unknown ``__typename`` (a KeyError) and an element on a missing key field (a TypeError), both
        masked as INTERNAL_SERVER_ERROR; the same for a key of the wrong type and for fields beyond the key.
        A gateway or subgraph sending such a representation gets a BAD_INPUT error at that element naming
        what is wrong (extra fields are dropped); the others resolve as before."""
        keys = _entity_keys()
        checked: list[Any] = []
        for index, representation in enumerate(representations):
            type_name = representation.get("__typename") if isinstance(representation, dict) else None
            needed = keys.get(type_name) if isinstance(type_name, str) else None
            if needed is None:
                checked.append(hub_error(
                    "BAD_INPUT", f"representation {index}: {type_name!r} is not an entity of this subgraph "
                    f"(entities: {', '.join(sorted(keys))})", type_name))
            elif missing := [k for k in needed if k not in representation]:
                checked.append(hub_error(
                    "BAD_INPUT", f"representation {index}: {type_name} is referenced by "
                    f"{', '.join(needed)}; missing {', '.join(missing)}", type_name))
            elif wrong := [k for k in needed if not isinstance(representation[k], str)]:
                checked.append(hub_error(
                    "BAD_INPUT", f"representation {index}: {type_name}.{wrong[0]} must be a string, got "
                    f"{type(representation[wrong[0]]).__name__}", type_name))
            else:
                # only the key fields: a representation may carry more (a gateway's @requires/@external
                # fields), which resolve_reference does not take (strawberry passed them: a TypeError)
                checked.append({"__typename": type_name, **{k: representation[k] for k in needed}})
        resolved = iter(super().entities_resolver(info, [r for r in checked if isinstance(r, dict)]))
        return [r if isinstance(r, GraphQLError) else next(resolved) for r in checked]

    def create_extensions_runner(self, execution_context: Any, extensions: list[Any]) -> ExtensionsRunner:
        """strawberry's runner without its per-request wrapping of every hook (resolvers/fastpath/extensions.py)."""
        return ExtensionsRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError):
                if not self.masks_and_logs:
                    log.error("unexpected error at %s: %s", error.path, error.message, exc_info=original)
            else:
                log.debug("GraphQL error: %s", error.message)


@functools.cache
def _entity_keys() -> dict[str, tuple[str, ...]]:
    """Entity type name -> the key fields its ``resolve_reference`` takes (``info`` aside)."""
    return {
        cls.__strawberry_definition__.name: tuple(  # type: ignore[attr-defined]
            name for name in inspect.signature(cls.resolve_reference).parameters if name != "info")
        for cls in ENTITIES
    }


def build_schema(settings: "Settings | None" = None, *, extensions: Sequence[Any] = (),
                 documents: Documents | None = None) -> strawberry.Schema:
    """The federated schema with the caches (FIELD-NOTES: the single biggest lever).  The web layer passes
    the endpoint's limits in (``extensions`` and limited ``documents``: :func:`hub.web.limits.limited_schema`);
    without them it is the schema as ``hub schema`` and the tests build it."""
    documents = documents or Documents()
    schema = HubSchema(
        query=Query,
        mutation=workflow.Mutation,
        types=list(ENTITIES),
        extensions=[*extensions, PartialErrors, lambda: DocumentCache(documents)],
        federation_version="2.9",
        # plain leaf fields skip graphql-core's per-field machinery (resolvers/fastpath/execution.py)
        execution_context_class=HubExecutionContext,
        # without introspection, "Did you mean …?" would leak the schema field by field
        config=StrawberryConfig(disable_field_suggestions=settings is not None and not settings.introspection_enabled),
    )
    schema.masks_and_logs = settings is not None and settings.mask_errors
    direct_resolvers(schema)  # arguments converted by a plan made now (resolvers/fastpath/arguments.py)
    _describe(schema)
    return schema


def sdl() -> str:
    """The published SDL (what ``hub schema`` writes to schema.graphql)."""
    return build_schema().as_str().rstrip("\n") + "\n"
