// bulk_load('Alliance', rows): $rows is a pyarrow Table with the columns id, kind, name
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY Alliance FROM (LOAD FROM $rows RETURN id, kind, name)
