// bulk_load('GOVERNS', rows): $rows is a pyarrow Table whose first two columns (renamed src, dst by the
// adapter) are the Policy.id and Region.code keys; both ends must exist.
// COPY is all or nothing.
COPY GOVERNS FROM (LOAD FROM $rows RETURN src, dst)
