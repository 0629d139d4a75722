// bulk_load('PART_OF', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Region.code and Region.code keys; both ends must exist.
// COPY is all or nothing.
COPY PART_OF FROM (LOAD FROM $rows RETURN src, dst)
