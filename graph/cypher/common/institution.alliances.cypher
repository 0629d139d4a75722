// $ids: [institution id] — set each institution's allianceIds to the alliances it is MEMBER_OF.
// allianceIds is a read model of the MEMBER_OF edges (schema version 3), kept for facts.institutions:
// after UNWIND, LadybugDB plans OPTIONAL MATCH (i)-[:MEMBER_OF]->() as a hash join over the whole
// MEMBER_OF table (0.75 ms of a 0.85 ms single check at 40k institutions) while a property of a node
// found by primary key costs nothing more.  Run after every change of an alliance's members, for the
// old and the new members; recomputed from the edges, so idempotent.
UNWIND $ids AS id
MATCH (i:Institution {id: id})
OPTIONAL MATCH (i)-[:MEMBER_OF]->(a:Alliance)
WITH i, collect(a.id) AS alliances
SET i.allianceIds = alliances
