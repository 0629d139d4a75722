"""Fixtures of the reminder → decision tests: real signed tokens and their JWKS server (tests/auth) and the
three real Orthanc platforms with the patient's studies (tests/connectors), found here by name."""

from tests.auth.conftest import key_server, keys  # noqa: F401  (fixtures, found by name)
from tests.connectors.conftest import scenario  # noqa: F401
