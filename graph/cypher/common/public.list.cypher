// The public list (CONTRACT "Public list", 000 六(四), 004 10.3): a window of $limit institutions in
// (region, id) order after ($afterRegion, $afterId), within the region code prefix $region ("11" Beijing,
// "1301" Shijiazhuang; $anyRegion: everywhere), each with all its marks (a row with null item when it holds
// none, so the caller knows where the window ended).  Keyset paging: no page costs a deep SKIP.
// The caller (hub.web.public) keeps the marks valid on the day and the institutions that hold one.
//
// Why a window and not "the next $limit institutions holding a valid mark": on LadybugDB 0.22 at 1M
// institutions / 5M marks, EXISTS { MATCH (i)-[:HOLDS]->(h:Mark) WHERE … } is planned as a hash join over
// the whole HOLDS table (2–4 s per page, 1–3 s without the WHERE) and MATCH … WITH DISTINCT i as well
// (1 s for a province, 14 s for the nation), while this window costs 0.3–0.6 s anywhere (2-core machine,
// load ~5; 0.9–1.9 s at load ~9).  Also on LadybugDB 0.22: a WHERE on the MATCH that follows
// `WITH … LIMIT` is applied before the LIMIT (the window would silently become "the first $limit with a
// valid mark"), another reason the validity test is not written here.  One prefix per query: `any(p IN $prefixes WHERE
// i.region STARTS WITH p)` made the scan 5x slower, so a zone is one query per province.
// Never a null parameter (LadybugDB types it BOOL): an absent filter is its flag with "" as the value.
MATCH (i:Institution)
WHERE ($anyRegion OR i.region STARTS WITH $region)
  AND (i.region > $afterRegion OR (i.region = $afterRegion AND i.id > $afterId))
WITH i
ORDER BY i.region, i.id
LIMIT $limit
OPTIONAL MATCH (i)-[:HOLDS]->(m:Mark)
RETURN i.id AS id, i.name AS name, i.tier AS tier, i.region AS region, m.item AS item, m.scope AS scope,
       m.validFrom AS validFrom, m.validTo AS validTo
ORDER BY region, id, item, scope, validFrom
LIMIT $maxRows
