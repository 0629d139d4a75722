"""Keyed pseudonyms of patient identifiers for the audit log (CONTRACT.md "Audit").

``p_`` + 26 lower-case base32 characters = the first 128 bits of HMAC-SHA256(key, message), where the
message is a domain tag and the JSON array ``[issuer, id]`` (so ``("A", "B:C")`` and ``("A:B", "C")``
cannot meet, and an absent issuer is ``null``, not the empty string).

Why 128 bits: RFC 2104 section 5 advises keeping at least half of the hash output when truncating an
HMAC; and the pseudonym is the key ``auditEvents`` looks a patient up by, so two patients sharing one
would show one patient's accesses in the other's audit trail.  By the birthday bound 128 bits make that
negligible at any population (10^9 patient identities: ~1.5e-21), where 64 bits (the 16 hex digits the
connectors' log pseudonyms use) would already give ~3 % at 10^9.  26 base32 characters are shorter than
32 hex digits and case-insensitive.

The key file holds one key per line (64 hex digits = 32 bytes).  The first line is the key in use; later
lines are retired keys, kept only so that events written before a rotation can still be found
(:meth:`Pseudonyms.candidates`).  Each event records ``keyId`` (an HMAC of the key, not the key), which
names the key its pseudonym was made with.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

KEY_BYTES = 32
PSEUDONYM_RE = re.compile(r"^p_[a-z2-7]{26}$")
_DOMAIN = b"huren-hub/audit/patient/v1\x00"
_KEY_ID_DOMAIN = b"huren-hub/audit/key-id/v1"


class PseudonymKeyError(Exception):
    """The key file cannot be read or holds no usable key (the message names the file, never a key)."""


def _b32(digest: bytes) -> str:
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def is_pseudonym(value: object) -> bool:
    return isinstance(value, str) and PSEUDONYM_RE.match(value) is not None


def ensure_key_file(path: str | os.PathLike[str]) -> Path:
    """Create the key file with one fresh 32-byte key, mode 0600, when it does not exist; return its path.

    Created with ``O_EXCL`` so two processes starting at once cannot each write a different key (the
    loser reads the winner's), and fsynced with its directory so a crash right after cannot lose it (a
    lost key would make every pseudonym written with it unfindable).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    try:
        os.write(fd, (secrets.token_bytes(KEY_BYTES).hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(path.parent)
    log.info("created pseudonym key file %s", path)
    return path


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:  # some filesystems refuse fsync on a directory
        if e.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


class Pseudonyms:
    """Makes the keyed pseudonym of a patient identifier; holds the key in use and any retired ones."""

    def __init__(self, key: bytes, retired: tuple[bytes, ...] = ()) -> None:
        for k in (key, *retired):
            if len(k) < KEY_BYTES:
                raise PseudonymKeyError(f"a pseudonym key must be at least {KEY_BYTES} bytes")
        self._key = key
        self._retired = tuple(retired)
        self.key_id = self._key_id(key)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, create: bool = True) -> "Pseudonyms":
        """Read the key file (created first when absent and ``create``).  A file readable by group or
        others is used but warned about: the key is what keeps pseudonyms from being recomputed from a
        list of candidate patient ids."""
        path = Path(path)
        if create:
            ensure_key_file(path)
        try:
            st = path.stat()
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as e:
            raise PseudonymKeyError(f"cannot read the pseudonym key file {path}: "
                                    f"{getattr(e, 'strerror', None) or type(e).__name__}") from None
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("pseudonym key file %s is accessible to group or others (mode %o); chmod 600 it",
                        path, stat.S_IMODE(st.st_mode))
        keys = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                key = bytes.fromhex(line)
            except ValueError:
                raise PseudonymKeyError(f"{path} line {number}: not a hex key") from None
            if len(key) < KEY_BYTES:
                raise PseudonymKeyError(f"{path} line {number}: a key must be at least {KEY_BYTES} bytes "
                                        f"({2 * KEY_BYTES} hex digits)")
            keys.append(key)
        if not keys:
            raise PseudonymKeyError(f"{path} holds no key")
        return cls(keys[0], tuple(keys[1:]))

    @staticmethod
    def _key_id(key: bytes) -> str:
        return "k_" + _b32(hmac.new(key, _KEY_ID_DOMAIN, hashlib.sha256).digest())[:8]

    @staticmethod
    def _make(key: bytes, patient_id: str, issuer: str | None) -> str:
        if not isinstance(patient_id, str) or not patient_id:
            raise ValueError("a patient id must be a non-empty string")
        message = _DOMAIN + json.dumps([issuer, patient_id], ensure_ascii=False,
                                       separators=(",", ":")).encode("utf-8")
        return "p_" + _b32(hmac.new(key, message, hashlib.sha256).digest()[:16])

    def of(self, patient_id: str, issuer: str | None = None) -> str:
        """The pseudonym of ``(issuer, patient_id)`` under the key in use."""
        return self._make(self._key, patient_id, issuer)

    def candidates(self, patient_id: str, issuer: str | None = None) -> list[str]:
        """The pseudonyms of the patient under the key in use and every retired key (for look-ups across
        a key rotation)."""
        return [self._make(k, patient_id, issuer) for k in (self._key, *self._retired)]

    def __repr__(self) -> str:  # never the key
        return f"Pseudonyms(key_id={self.key_id!r}, retired={len(self._retired)})"
