// Set allianceIds (see institution.alliances) of every institution that is MEMBER_OF an alliance.
// Run by the schema migration 2 -> 3 (graph.store.check_schema_version) and after an initial bulk
// load that COPYs MEMBER_OF (bench.synth); an institution of no alliance keeps allianceIds null.
MATCH (i:Institution)-[:MEMBER_OF]->(a:Alliance)
WITH i, collect(a.id) AS alliances
SET i.allianceIds = alliances
