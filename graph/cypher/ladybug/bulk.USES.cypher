// bulk_load('USES', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Policy.id and Catalog.id keys; both ends must exist.
// COPY is all or nothing.
COPY USES FROM (LOAD FROM $rows RETURN src, dst)
