// $ids: [id] (never empty) -> the stored state of those institutions that exist:
// id, name, tier, ownership, kind, aliases, region, locatedIn (code of the LOCATED_IN region; null
// when the link is missing, one row per link when there are several)
UNWIND $ids AS id
MATCH (n:Institution {id: id})
OPTIONAL MATCH (n)-[:LOCATED_IN]->(g:Region)
RETURN n.id AS id, n.name AS name, n.tier AS tier, n.ownership AS ownership, n.kind AS kind,
       n.aliases AS aliases, n.region AS region, g.code AS locatedIn
