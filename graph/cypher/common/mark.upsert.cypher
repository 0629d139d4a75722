// $rows: [{id, institution, item, scope, validFrom, validTo}] — dates as datetime.date, validTo may
// be null (date() keeps LadybugDB from typing an all-null batch as STRING).  The institution, the catalog item and the scope region must exist.  The id is
// institution|item|scope|validFrom, so the three links never change for an id.
UNWIND $rows AS r
MATCH (i:Institution {id: r.institution})
MATCH (c:CatalogItem {ref: r.item})
MATCH (g:Region {code: r.scope})
MERGE (m:Mark {id: r.id})
SET m.institution = r.institution, m.item = r.item, m.scope = r.scope,
    m.validFrom = date(r.validFrom), m.validTo = date(r.validTo)
MERGE (i)-[:HOLDS]->(m)
MERGE (m)-[:FOR_ITEM]->(c)
MERGE (m)-[:VALID_IN]->(g)
