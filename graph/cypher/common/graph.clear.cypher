// Deletes every node and relationship, Meta included.  For test suites on a throw-away database only
// (tests/test_store_neo4j.py guards it); nothing in the hub runs it.
MATCH (n)
DETACH DELETE n
