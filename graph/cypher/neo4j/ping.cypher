// RETURN 1: a round trip to the server that reads nothing — the baseline bench.run measures the Neo4j
// figures against (docs/BENCHMARKS.md, "Neo4j").
RETURN 1 AS one
