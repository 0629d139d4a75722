// $ids: institution ids -> {id, name, region} of those that exist (the names and regions a reminder keeps)
UNWIND $ids AS key
MATCH (i:Institution {id: key})
RETURN i.id AS id, i.name AS name, i.region AS region
