// $key -> one row {value}, or no row when the key is unset
MATCH (m:Meta {key: $key})
RETURN m.value AS value
