"""Fixtures shared by the whole suite: the real Neo4j servers and the two-store parametrisation
(tests/support/neo4j_server.py explains the design).

``backend`` runs a test once per store (``ladybug``, ``neo4j``); ``fresh_graph`` is a store target no one
has written for that backend; ``datasets`` holds loaded datasets (and ``hub serve`` processes over them) per
backend; ``neo4j_scratch`` is the scratch Neo4j emptied for the test; ``neo4j_uri`` / ``neo4j_server`` the
scratch server itself; ``neo4j_pool`` all of them.
"""

from tests.support.neo4j_server import (  # noqa: F401  (fixtures, found by name)
    backend,
    datasets,
    fresh_graph,
    neo4j_pool,
    neo4j_scratch,
    neo4j_server,
    neo4j_uri,
)
