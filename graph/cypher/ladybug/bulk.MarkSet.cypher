// bulk_load('MarkSet', rows): $rows is a pyarrow Table with the columns key ("institution|item") and
// marks (list of the Mark ids of that institution and item); every key must be new.
// COPY is all or nothing.
COPY MarkSet FROM (LOAD FROM $rows RETURN key, marks)
