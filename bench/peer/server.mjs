// The peer of bench/peer.py (issue 18, "a peer"): the hub's browse queries served by the Neo4j GraphQL
// Library (@neo4j/graphql, which turns each GraphQL request into one Cypher query) under GraphQL Yoga, over
// the same Neo4j server and data as `hub serve --graph bolt://…`, so the two can be timed side by side.
//
//   node bench/peer/server.mjs bolt://127.0.0.1:7687 [PORT]     # PORT 0 (default): a free loopback port
//
// Prints `http://127.0.0.1:PORT/graphql` on stdout once the schema is built and one query has been
// answered; stops on SIGTERM or SIGINT (closes the HTTP server and the driver).  Credentials and database as
// the hub reads them: NEO4J_USER (default neo4j), NEO4J_PASSWORD (unset: no authentication),
// NEO4J_DATABASE (unset: the server's default).
//
// Read-only by construction: no mutation or subscription is generated (`@mutation(operations: [])`,
// `@subscription(events: [])` on the schema), the library's `assertIndexesAndConstraints` is never called
// (it is what would create constraints), and the type definitions add none (`@unique` no longer exists
// in v7).  The graph's schema is the hub's: graph/cypher/neo4j/schema.cypher, graph/cypher/ladybug/schema.cypher.
import { createServer } from "node:http";

import { Neo4jGraphQL } from "@neo4j/graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

// The labels and relationships the browse queries read, with the properties the hub stores on them.
// Field names are the stored property names, so the library reads them as they are (the hub's GraphQL
// names them the same, camelCase).
const typeDefs = /* GraphQL */ `
  extend schema @mutation(operations: []) @subscription(events: [])

  type Region @node {
    code: String!
    name: String
    level: String
  }

  type Alliance @node {
    id: ID!
    kind: String
    name: String
  }

  type CatalogItem @node {
    ref: String!
    catalog: String
    name: String
    modality: String
  }

  type Mark @node {
    id: ID!
    item: String!
    scope: String!
    validFrom: Date!
    validTo: Date
    forItem: [CatalogItem!]! @relationship(type: "FOR_ITEM", direction: OUT)
    validIn: [Region!]! @relationship(type: "VALID_IN", direction: OUT)
  }

  type Institution @node {
    id: ID!
    name: String!
    tier: String!
    region: String!
    ownership: String
    kind: String
    aliases: [String!]
    locatedIn: [Region!]! @relationship(type: "LOCATED_IN", direction: OUT)
    alliances: [Alliance!]! @relationship(type: "MEMBER_OF", direction: OUT)
    marks: [Mark!]! @relationship(type: "HOLDS", direction: OUT)
  }
`;

function fail(message) {
  process.stderr.write(`bench/peer: ${message}\n`);
  process.exit(1);
}

const [uri, portArg = "0"] = process.argv.slice(2);
if (!uri) fail("usage: node server.mjs BOLT_URL [PORT]");
const password = process.env.NEO4J_PASSWORD;
const auth = password === undefined ? undefined : neo4j.auth.basic(process.env.NEO4J_USER || "neo4j", password);
// no notifications: the library's queries on an empty database draw "label does not exist" warnings
const driver = neo4j.driver(uri, auth, { notificationFilter: { minimumSeverityLevel: "OFF" } });
const sessionConfig = process.env.NEO4J_DATABASE ? { database: process.env.NEO4J_DATABASE } : undefined;

let server;
async function stop() {
  if (server) await new Promise((done) => server.close(done));
  await driver.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

try {
  await driver.verifyConnectivity(sessionConfig);
  const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
  const yoga = createYoga({
    schema,
    graphiql: false,
    landingPage: false,
    // errors as the library raised them: the comparison in bench/peer.py prints them
    maskedErrors: false,
    logging: "warn",
    context: () => (sessionConfig ? { sessionConfig } : {}),
  });
  server = createServer(yoga);
  // Node's default keep-alive (5 s) would close wrk's idle connections between rounds; the client decides
  server.keepAliveTimeout = 60_000;
  await new Promise((ready, error) => {
    server.once("error", error);
    server.listen(Number(portArg), "127.0.0.1", ready);
  });
  const url = `http://127.0.0.1:${server.address().port}/graphql`;
  // ready means answering: one query through the whole stack (schema, translation, driver, server)
  const probe = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ institutions(limit: 1) { id } }" }),
  });
  const answer = await probe.json();
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  process.stdout.write(`${url}\n`);
} catch (error) {
  await driver.close().catch(() => {});
  fail(error?.stack || String(error));
}
