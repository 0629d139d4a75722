// A page of CatalogItem nodes, every property, in key order after $after ("" for the first page): keyset
// paging for graph/export.py (SKIP is capped, and deep SKIP is slow on both engines).  -> one row per node
MATCH (n:CatalogItem)
WHERE n.ref > $after
RETURN n.ref AS ref, n.catalog AS catalog, n.local AS local, n.row AS row, n.name AS name,
       n.modality AS modality, n.bodyPart AS bodyPart, n.laterality AS laterality,
       n.contrast AS contrast, n.views AS views, n.source AS source, n.printed AS printed,
       n.note AS note
ORDER BY ref
LIMIT $limit
