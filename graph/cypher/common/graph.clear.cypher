// Deletes every node and relationship, Meta included.  For test suites on a throw-away database only
// (tests/support/neo4j_server.py empties its Neo4j servers with it and refuses a database holding data
// it did not write); nothing in the hub runs it.  One transaction: the whole delete is held in memory,
// which suits the tests' few thousand nodes — with a 512 MB heap it failed on 200k marks.
MATCH (n)
DETACH DELETE n
