// $rows: [{id, members}] — the alliance's full member list: links the listed institutions,
// unlinks those no longer listed.  Skip alliances with no members (empty lists confuse LadybugDB).
UNWIND $rows AS r
MATCH (a:Alliance {id: r.id})
MATCH (i:Institution)-[m:MEMBER_OF]->(a)
WHERE NOT i.id IN r.members
DELETE m
;
UNWIND $rows AS r
UNWIND r.members AS member
MATCH (a:Alliance {id: r.id})
MATCH (i:Institution {id: member})
MERGE (i)-[:MEMBER_OF]->(a)
