// Institutions whose name or one of whose aliases equals one of $names (DICOM InstitutionName lookup):
// one row per (matched name, institution).
MATCH (i:Institution)
WHERE i.name IN $names
RETURN i.name AS name, i.id AS id
UNION
MATCH (i:Institution)
UNWIND i.aliases AS alias
WITH i, alias
WHERE alias IN $names
RETURN alias AS name, i.id AS id
