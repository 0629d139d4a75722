// bulk_load('CatalogItem', rows): $rows is a pyarrow Table with the columns ref, catalog, local, row, name, modality, bodyPart, laterality, contrast, views, source, printed, note
// (matched by name, any order); every key must be new.
// Run once per batch of rows (a list of maps).
UNWIND $rows AS r
CREATE (n:CatalogItem {ref: r.ref})
SET n.catalog = r.catalog,
    n.local = r.local,
    n.row = r.row,
    n.name = r.name,
    n.modality = r.modality,
    n.bodyPart = r.bodyPart,
    n.laterality = r.laterality,
    n.contrast = r.contrast,
    n.views = r.views,
    n.source = r.source,
    n.printed = r.printed,
    n.note = r.note
