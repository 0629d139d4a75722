// bulk_load('FOR_ITEM', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Mark.id and CatalogItem.ref keys; both ends must exist.
// COPY is all or nothing.
COPY FOR_ITEM FROM (LOAD FROM $rows RETURN src, dst)
