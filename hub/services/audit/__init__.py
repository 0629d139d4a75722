"""The audit of patient-data access (CONTRACT.md "Audit"; docs/AUDIT.md): keyed pseudonyms, the
hash-chained JSON-lines log written before an answer leaves, its verification, and optional forwarding
to a syslog collector (RFC 5424 over TCP/TLS, the IHE ATNA transport).

No HTTP or GraphQL here: the resolvers call :meth:`AuditLog.append` (one event per patient per request)
and :meth:`AuditLog.events` (``auditEvents``); ``hub audit verify`` calls :func:`verify`.

    pseudonyms = Pseudonyms.from_file(key_file)                   # created 0600 when absent
    audit = AuditLog(log_path, pseudonyms, forwarder=SyslogForwarder("tls://collector:6514?ca=…"))
    await audit.append(operation="priorStudies", outcome="success", user=sub, role=role,
                       institution=inst, at=at, client=addr, patient=Patient(id, issuer),
                       platforms=answer.platforms)
"""

from hub.services.audit.chain import (
    GENESIS, RECOVERY, AuditEvent, PlatformOutcome, Verification, canonical, event_hash, read_events, verify,
)
from hub.services.audit.log import (
    ACTIONS, OUTCOMES, AuditLog, AuditLogBusy, AuditLogCorrupt, AuditLogError, AuditWriteError, Outcome,
    Patient, beside_store,
)
from hub.services.audit.pseudonyms import PseudonymKeyError, Pseudonyms, ensure_key_file, is_pseudonym
from hub.services.audit.syslog import SyslogForwarder, SyslogTarget, format_rfc5424, frame

__all__ = [
    "ACTIONS", "GENESIS", "OUTCOMES", "RECOVERY", "AuditEvent", "AuditLog", "AuditLogBusy", "AuditLogCorrupt",
    "AuditLogError", "AuditWriteError", "Outcome", "Patient", "PlatformOutcome", "PseudonymKeyError",
    "Pseudonyms", "SyslogForwarder", "SyslogTarget", "Verification", "beside_store", "canonical",
    "ensure_key_file", "event_hash", "format_rfc5424", "frame", "is_pseudonym", "read_events", "verify",
]
