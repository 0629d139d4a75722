// The regions the public list can be narrowed to (its region selector): the nation, the zones, the
// provinces and their cities, with the names the graph holds.  ~400 rows, read once per process.
MATCH (r:Region)
WHERE r.level IN ['nation', 'zone', 'province', 'city']
RETURN r.code AS code, r.name AS name, r.level AS level
ORDER BY code
