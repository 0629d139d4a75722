// Institutions whose name or one of whose aliases equals one of $names (DICOM InstitutionName lookup):
// one row per (matched name, institution). UNION ALL: LadybugDB 0.22 UNION drops distinct rows that
// share a column value (seen with two names of one institution); the caller removes duplicates.
MATCH (i:Institution)
WHERE i.name IN $names
RETURN i.name AS name, i.id AS id
UNION ALL
MATCH (i:Institution)
UNWIND i.aliases AS alias
WITH i, alias
WHERE alias IN $names
RETURN alias AS name, i.id AS id
