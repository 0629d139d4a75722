// Offline Cypher lint with Neo4j's own language support (@neo4j-cypher/language-support).
//
// stdin:  {"statements": [{"name": "...", "text": "..."}],
//          "schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...], ...}}
// stdout: {"linter": "<package>@<version>",
//          "results": [{"name": "...", "diagnostics": [{"severity": "error"|"warning"|"info"|"hint",
//                        "message": "...", "line": 1, "column": 1, "offsets": {...}}]}]}
//
// The schema is a DbSchema of the package.  Unless it brings its own, the built-in functions and
// procedures of Neo4j 5 are declared from the package's bundled dump of a server (testData.mockSchema,
// built-ins only), so a function Neo4j does not have (LadybugDB's label(), current_date(), …) is an
// error.  "Parameter $x is not defined" diagnostics are dropped (isNotParamError): statements take
// their parameters from the caller.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lintCypherQuery, isNotParamError, testData } from '@neo4j-cypher/language-support';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

function builtIns(registry) {
  const out = {};
  for (const [version, entries] of Object.entries(registry ?? {})) {
    out[version] = Object.fromEntries(Object.entries(entries).filter(([, f]) => f.isBuiltIn !== false));
  }
  return out;
}

function linterVersion() {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('@neo4j-cypher/language-support/package.json');
    return `${pkg.name}@${pkg.version}`;
  } catch {
    const lock = JSON.parse(readFileSync(new URL('./package-lock.json', import.meta.url), 'utf8'));
    const entry = lock.packages?.['node_modules/@neo4j-cypher/language-support'];
    return `@neo4j-cypher/language-support@${entry?.version ?? 'unknown'}`;
  }
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const schema = {
  defaultLanguage: 'CYPHER 5',
  functions: builtIns(testData.mockSchema.functions),
  procedures: builtIns(testData.mockSchema.procedures),
  ...(input.schema ?? {}),
};

const results = (input.statements ?? []).map(({ name, text }) => {
  const { diagnostics } = lintCypherQuery(text, schema);
  return {
    name,
    diagnostics: diagnostics.filter(isNotParamError).map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      offsets: d.offsets,
    })),
  };
});

process.stdout.write(JSON.stringify({ linter: linterVersion(), results }) + '\n');
