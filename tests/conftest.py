"""Fixtures shared by the whole suite.

``neo4j_uri`` (session): the Bolt URL of a real Neo4j 5 server — ``NEO4J_URI`` when set, else one started
by ``scripts/neo4j`` for the session; ``neo4j_server``: the same with the directory it runs in
(tests/support/neo4j_server.py).
"""

from tests.support.neo4j_server import neo4j_server, neo4j_uri  # noqa: F401  (fixtures, found by name)
