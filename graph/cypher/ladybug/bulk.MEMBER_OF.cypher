// bulk_load('MEMBER_OF', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Institution.id and Alliance.id keys; both ends must exist.
// COPY is all or nothing.
COPY MEMBER_OF FROM (LOAD FROM $rows RETURN src, dst)
