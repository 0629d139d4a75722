// bulk_load('Mark', rows): $rows is a pyarrow Table with the columns id, institution, item, scope, validFrom, validTo
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY Mark FROM (LOAD FROM $rows RETURN id, institution, item, scope, validFrom, validTo)
