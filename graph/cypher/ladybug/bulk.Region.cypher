// bulk_load('Region', rows): $rows is a pyarrow Table with the columns code, name, level
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY Region FROM (LOAD FROM $rows RETURN code, name, level)
