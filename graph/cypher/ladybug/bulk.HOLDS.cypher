// bulk_load('HOLDS', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Institution.id and Mark.id keys; both ends must exist.
// COPY is all or nothing.
COPY HOLDS FROM (LOAD FROM $rows RETURN src, dst)
