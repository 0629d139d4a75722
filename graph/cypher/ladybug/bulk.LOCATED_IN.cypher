// bulk_load('LOCATED_IN', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Institution.id and Region.code keys; both ends must exist.
// COPY is all or nothing.
COPY LOCATED_IN FROM (LOAD FROM $rows RETURN src, dst)
