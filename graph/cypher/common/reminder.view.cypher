// $id, $viewedAt (ISO 8601 UTC): the reminder was opened (recordView).  Idempotent: the first time stays.
MATCH (r:Reminder {id: $id})
SET r.viewed = true, r.viewedAt = coalesce(r.viewedAt, $viewedAt)
