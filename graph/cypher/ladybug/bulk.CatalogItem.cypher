// bulk_load('CatalogItem', rows): $rows is a pyarrow Table with the columns ref, catalog, local, row, name, modality, bodyPart, laterality, contrast, views, source, printed, note
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY CatalogItem FROM (LOAD FROM $rows RETURN ref, catalog, local, row, name, modality, bodyPart, laterality, contrast, views, source, printed, note)
