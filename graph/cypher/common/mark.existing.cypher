// $ids: [mark id] (never empty) -> the stored state of those marks that exist: id, institution,
// item, scope, validFrom, validTo, and the keys their links point at: holder (HOLDS), forItem
// (FOR_ITEM), validIn (VALID_IN) — null when a link is missing (e.g. a bulk load killed between
// the node COPY and the relationship COPY), so the loader can repair it.
UNWIND $ids AS id
MATCH (m:Mark {id: id})
OPTIONAL MATCH (i:Institution)-[:HOLDS]->(m)
OPTIONAL MATCH (m)-[:FOR_ITEM]->(c:CatalogItem)
OPTIONAL MATCH (m)-[:VALID_IN]->(g:Region)
RETURN m.id AS id, m.institution AS institution, m.item AS item, m.scope AS scope,
       m.validFrom AS validFrom, m.validTo AS validTo,
       i.id AS holder, c.ref AS forItem, g.code AS validIn
