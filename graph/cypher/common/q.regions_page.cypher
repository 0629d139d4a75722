// A page of regions, optionally of one level and/or directly part of one code.  A filter that is not
// asked for comes as its flag ($anyLevel / $anyParent) with "" as the value, never as null: LadybugDB
// types a null parameter as BOOL and then fails comparing it with a string ("Value nation is not a
// valid boolean").
MATCH (r:Region)
WHERE ($anyLevel OR r.level = $level)
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
WITH r, p
WHERE ($anyParent OR p.code = $parent)
RETURN r.code AS code, r.name AS name, r.level AS level, collect(p.code) AS parents
ORDER BY code
SKIP $skip LIMIT $limit
