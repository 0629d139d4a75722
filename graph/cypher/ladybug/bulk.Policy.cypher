// bulk_load('Policy', rows): $rows is a pyarrow Table with the columns id, title, source
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY Policy FROM (LOAD FROM $rows RETURN id, title, source)
