// The recognition engine's one round trip per batch: each asked institution with its marks for the
// asked items (one row per mark; item = null when it holds none) and its alliances collected per row.
// (LadybugDB cannot OPTIONAL MATCH after a WITH … collect(), hence one aggregation at the end.)
UNWIND $ids AS id
MATCH (i:Institution {id: id})
OPTIONAL MATCH (i)-[:HOLDS]->(m:Mark)
WHERE m.item IN $items
OPTIONAL MATCH (i)-[:MEMBER_OF]->(a:Alliance)
RETURN i.id AS id, i.tier AS tier, i.region AS region, i.ownership AS ownership, i.kind AS kind,
       m.id AS mark, m.item AS item, m.scope AS scope, m.validFrom AS validFrom, m.validTo AS validTo,
       collect(a.id) AS alliances
