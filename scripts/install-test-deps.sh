#!/usr/bin/env bash
# System packages the test suite needs (Debian bookworm, run as root). Idempotent; append new needs
# below with a comment saying which tests use them.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (apt-get)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update

# tests/connectors: real DICOMweb servers (Orthanc 1.10 + its DICOMweb plugin), started by the tests
# themselves on free loopback ports; the Debian service does not need to run.
apt-get install -y --no-install-recommends orthanc orthanc-dicomweb

# bench/run.py and tests/test_bench_smoke.py: the HTTP figures use a real load generator (wrk 4.x),
# bounded with -d, against loopback only.
apt-get install -y --no-install-recommends wrk

# tests/graphql: Debian's chromium, driven headless over the DevTools protocol (playwright-core) for the
# offline GraphiQL test; and tools/gateway's pinned npm tools (package-lock.json): Hive Gateway CLI for the
# federation test, playwright-core, and the GraphiQL package hub/web/static/graphiql is generated from.
apt-get install -y --no-install-recommends chromium
(cd "$(dirname "$0")/../tools/gateway" && npm ci --no-audit --no-fund)

# tests/test_cypher_lint.py: Neo4j's own offline Cypher linter (@neo4j-cypher/language-support), pinned
# by tools/node/package-lock.json.
(cd "$(dirname "$0")/../tools/node" && npm ci --no-audit --no-fund --loglevel=error)

# tests/test_bench_peer.py and bench.peer (bench.run --neo4j): the Neo4j GraphQL Library peer of the browse
# queries (@neo4j/graphql under GraphQL Yoga, neo4j-driver), pinned by bench/peer/package-lock.json.
(cd "$(dirname "$0")/../bench/peer" && npm ci --no-audit --no-fund --loglevel=error)

# tests/test_store_neo4j.py (and anything using the neo4j_uri fixture, tests/support/neo4j_server.py): a real
# Neo4j 5 server started by scripts/neo4j from tools/neo4j (Neo4j's embedded DBMS, pinned Maven Central
# artifacts), which needs Java 17+ and, to build it, Maven.  Installed only where missing; the launcher is
# built here once (downloading its artifacts into ~/.m2) so the test run itself does not download.
need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y --no-install-recommends "${need[@]}"
fi
bash "$(dirname "$0")/neo4j" build

# tests/test_syslog_forwarding.py: audit events forwarded to a real syslog collector, Debian's rsyslogd,
# started by the tests themselves on loopback (imtcp: RFC 6587 octet-counted TCP; its gtls and ossl stream
# drivers: RFC 5425 TLS with client certificates, which the openssl command makes for the test); the
# Debian service does not need to run.
apt-get install -y --no-install-recommends rsyslog rsyslog-gnutls rsyslog-openssl openssl
