// bulk_load('Institution', rows): $rows is a pyarrow Table with the columns id, name, tier, ownership, kind, aliases, region
// (matched by name, any order); every key must be new.
// COPY is all or nothing.
COPY Institution FROM (LOAD FROM $rows RETURN id, name, tier, ownership, kind, aliases, region)
