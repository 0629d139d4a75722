// $ids: [id] (never empty) -> id, kind, name, members (ids of the member institutions, any order),
// unlisted (members whose allianceIds lacks this alliance: a bulk load killed after the MEMBER_OF COPY)
UNWIND $ids AS id
MATCH (a:Alliance {id: id})
OPTIONAL MATCH (i:Institution)-[:MEMBER_OF]->(a)
RETURN a.id AS id, a.kind AS kind, a.name AS name, collect(i.id) AS members,
       collect(CASE WHEN i.allianceIds IS NULL OR NOT a.id IN i.allianceIds THEN i.id END) AS unlisted
