MATCH (it:CatalogItem)
WHERE it.catalog = $catalog
RETURN it.ref AS ref, it.catalog AS catalog, it.local AS local, it.row AS row, it.name AS name,
       it.modality AS modality, it.bodyPart AS bodyPart, it.laterality AS laterality,
       it.contrast AS contrast, it.views AS views, it.source AS source, it.printed AS printed, it.note AS note
ORDER BY it.row, it.ref
SKIP $skip LIMIT $limit
