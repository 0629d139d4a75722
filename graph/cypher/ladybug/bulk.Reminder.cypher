// bulk_load('Reminder', rows): $rows is a pyarrow Table with the columns id, patient, at, atRegion, atScopes,
// issuedOn, lastOn, verdict, viewed, decision, decisionVerdict, decisionExclusion, diagnosisConsistent (matched
// by name, any order); every key must be new.  Used by the metrics benchmark (bench/metrics.py) to write a
// million reminders at once; the hub itself writes reminders one question at a time (reminder.upsert).
// COPY is all or nothing.
COPY Reminder(id, patient, at, atRegion, atScopes, issuedOn, lastOn, verdict, viewed, decision, decisionVerdict, decisionExclusion, diagnosisConsistent) FROM (LOAD FROM $rows RETURN id, patient, at, atRegion, atScopes, issuedOn, lastOn, verdict, viewed, decision, decisionVerdict, decisionExclusion, diagnosisConsistent)
