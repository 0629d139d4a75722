// $rows: [{id, institution, item, scope, validFrom, validTo}] — dates as datetime.date, validTo may
// be null (date() keeps LadybugDB from typing an all-null batch as STRING).  The institution, the
// catalog item and the scope region must exist.  The id is institution|item|scope|validFrom, so the
// three links never change for an id.
// MERGE on a plain variable (`WITH … r.id AS key`), never on `{id: r.id}`: LadybugDB 0.22 uses the
// primary-key index only for the former (measured with 200k marks: 28k rows/s vs 750 rows/s).
UNWIND $rows AS r
MATCH (i:Institution {id: r.institution})
MATCH (c:CatalogItem {ref: r.item})
MATCH (g:Region {code: r.scope})
WITH r, i, c, g, r.id AS key
MERGE (m:Mark {id: key})
SET m.institution = r.institution, m.item = r.item, m.scope = r.scope,
    m.validFrom = date(r.validFrom), m.validTo = date(r.validTo)
MERGE (i)-[:HOLDS]->(m)
MERGE (m)-[:FOR_ITEM]->(c)
MERGE (m)-[:VALID_IN]->(g)
;
// The MarkSet of each row's institution|item (see markset.rebuild)
UNWIND $rows AS r
MATCH (i:Institution {id: r.institution})
MATCH (i)-[:HOLDS]->(m:Mark)
WHERE m.item = r.item
WITH r.institution + '|' + r.item AS skey, collect(DISTINCT m.id) AS ids
MERGE (s:MarkSet {key: skey})
SET s.marks = ids
