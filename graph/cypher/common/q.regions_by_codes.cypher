// Regions by code, for federation's _entities (one read for a whole batch of representations).
UNWIND $codes AS c
MATCH (r:Region {code: c})
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
RETURN r.code AS code, r.name AS name, r.level AS level, collect(p.code) AS parents
