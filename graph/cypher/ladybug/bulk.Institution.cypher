// bulk_load('Institution', rows): $rows is a pyarrow Table with the columns id, name, tier, ownership, kind, aliases, region
// (matched by name, any order); every key must be new.  allianceIds stays null: it is recomputed from
// MEMBER_OF (institution.alliances / institution.alliances_all) once the memberships are written.
// COPY is all or nothing.
COPY Institution(id, name, tier, ownership, kind, aliases, region) FROM (LOAD FROM $rows RETURN id, name, tier, ownership, kind, aliases, region)
