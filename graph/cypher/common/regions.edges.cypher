// Every PART_OF edge with both names: the engine's region containment index is built from this once.
MATCH (r:Region)
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
RETURN r.code AS code, r.name AS name, r.level AS level, p.code AS parent
