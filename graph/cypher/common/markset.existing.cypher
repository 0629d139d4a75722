// $ids: MarkSet keys ("institution|item") -> one row per key that exists
UNWIND $ids AS id
MATCH (s:MarkSet {key: id})
RETURN s.key AS id
