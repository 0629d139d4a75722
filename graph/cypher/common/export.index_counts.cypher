// -> one row: the nodes graph.counts does not count (the MarkSet read model and the Meta bookkeeping)
OPTIONAL MATCH (n:MarkSet) WITH count(n) AS marksets
OPTIONAL MATCH (n:Meta)
RETURN marksets, count(n) AS meta
