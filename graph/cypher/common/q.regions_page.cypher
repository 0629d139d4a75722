// A page of regions, optionally of one level and/or directly part of one code, each with ALL its parents
// (the parent filter is an existence test, so it does not narrow the collected parents).  A filter that
// is not asked for comes as its flag ($anyLevel / $anyParent) with "" as the value, never as null:
// LadybugDB types a null parameter as BOOL and then fails comparing it with a string ("Value nation is
// not a valid boolean").
MATCH (r:Region)
WHERE ($anyLevel OR r.level = $level)
  AND ($anyParent OR EXISTS { MATCH (r)-[:PART_OF]->(q:Region) WHERE q.code = $parent })
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
RETURN r.code AS code, r.name AS name, r.level AS level, collect(p.code) AS parents
ORDER BY code
SKIP $skip LIMIT $limit
