// $rows: [{id, title, source, governs, catalogs}] — governs: region codes, catalogs: catalog ids;
// the policy's GOVERNS / USES links become exactly those lists.
UNWIND $rows AS r
WITH r, r.id AS key
MERGE (p:Policy {id: key})
SET p.title = r.title, p.source = r.source
;
UNWIND $rows AS r
MATCH (p:Policy {id: r.id})
MATCH (p)-[x:GOVERNS]->(g:Region)
WHERE NOT g.code IN r.governs
DELETE x
;
UNWIND $rows AS r
MATCH (p:Policy {id: r.id})
MATCH (p)-[x:USES]->(c:Catalog)
WHERE NOT c.id IN r.catalogs
DELETE x
;
UNWIND $rows AS r
UNWIND r.governs AS code
MATCH (p:Policy {id: r.id})
MATCH (g:Region {code: code})
MERGE (p)-[:GOVERNS]->(g)
;
UNWIND $rows AS r
UNWIND r.catalogs AS catalog
MATCH (p:Policy {id: r.id})
MATCH (c:Catalog {id: catalog})
MERGE (p)-[:USES]->(c)
