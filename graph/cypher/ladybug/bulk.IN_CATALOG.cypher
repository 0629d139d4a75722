// bulk_load('IN_CATALOG', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the CatalogItem.ref and Catalog.id keys; both ends must exist.
// COPY is all or nothing.
COPY IN_CATALOG FROM (LOAD FROM $rows RETURN src, dst)
