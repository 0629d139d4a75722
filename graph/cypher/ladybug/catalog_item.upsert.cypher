// LadybugDB override: in a batch where a field is null in every row, the driver types that field STRING
// and the binder refuses to assign it to a typed property, so typed properties are CAST.
// $rows: [{ref, catalog, local, row, name, modality, bodyPart, laterality, contrast, views, source,
//          printed, note}] — the catalog must exist
UNWIND $rows AS r
MATCH (c:Catalog {id: r.catalog})
WITH r, c, r.ref AS key
MERGE (i:CatalogItem {ref: key})
SET i.catalog = r.catalog, i.local = r.local, i.row = CAST(r.row AS INT64), i.name = r.name,
    i.modality = r.modality, i.bodyPart = r.bodyPart, i.laterality = r.laterality,
    i.contrast = r.contrast, i.views = r.views, i.source = r.source, i.printed = r.printed,
    i.note = r.note
MERGE (i)-[:IN_CATALOG]->(c)
