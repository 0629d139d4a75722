// bulk_load('Catalog', rows): $rows is a pyarrow Table with the columns id, name, source, clause, itemCount
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY Catalog FROM (LOAD FROM $rows RETURN id, name, source, clause, itemCount)
