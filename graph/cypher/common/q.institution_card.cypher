// One institution with its alliances and its marks, for institution(id) when the query asks for them: one
// store call instead of three (the institution, then its alliances and its marks through their loaders) —
// the Neo4j GraphQL Library answered the same query in one Cypher query, 1.4–2.4x faster (docs/BENCHMARKS.md,
// "Peer").  Three parts, run one after the other in one reader job on LadybugDB; each row says which `part`
// it is.  The rows of each part as q.institution, q.institution_alliances and q.institutions_marks return
// them (the resolver primes those loaders with them).  Neo4j: graph/cypher/neo4j/q.institution_card.cypher.
MATCH (i:Institution {id: $id})
RETURN 'institution' AS part, i.id AS id, i.name AS name, i.tier AS tier, i.region AS region,
       i.ownership AS ownership, i.kind AS kind, i.aliases AS aliases
;
MATCH (i:Institution {id: $id})-[:MEMBER_OF]->(a:Alliance)
RETURN 'alliance' AS part, i.id AS institution, a.id AS id, a.kind AS kind, a.name AS name
ORDER BY a.id
;
MATCH (i:Institution {id: $id})-[:HOLDS]->(m:Mark)
RETURN 'mark' AS part, i.id AS institution, m.id AS id, m.item AS item, m.scope AS scope,
       m.validFrom AS validFrom, m.validTo AS validTo
ORDER BY m.item, m.scope, m.validFrom
