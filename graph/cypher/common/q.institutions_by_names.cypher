// Institutions whose name or one of whose aliases equals one of $names (DICOM InstitutionName lookup).
MATCH (i:Institution)
WHERE i.name IN $names OR any(a IN i.aliases WHERE a IN $names)
RETURN i.id AS id, i.name AS name, i.aliases AS aliases
