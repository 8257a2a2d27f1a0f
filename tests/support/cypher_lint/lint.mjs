#!/usr/bin/env node
// Lint Cypher with Neo4j's own front end (@neo4j-cypher/language-support).
//
// stdin : {"version": "5", "statements": {"<id>": "<cypher text>", ...}}
// stdout: {"<id>": [{"severity": "error", "message": "...", "line": 1, "column": 1}, ...], ...}
//
// `version` is a Cypher language version ("5" or "25"; "CYPHER 5" is accepted too) and
// defaults to "5", the default language of Neo4j 5. Each text may hold several statements
// separated by `;`: lintCypherQuery splits and checks them itself. Diagnostics combine
// the ANTLR syntax check and Neo4j's semantic analysis; no database schema is given, so
// labels, properties, functions and procedures are not checked against one, and every
// `$param` is reported as "Parameter $name is not defined." (filter those in the caller).
// line and column are 1-based, like Neo4j's own error messages.
//
// Exit codes: 0 ok, 2 bad input, 3 package not installed (run `npm ci --prefix cypher/lint`).

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function fail(code, message) {
  process.stderr.write(`cypher/lint/lint.mjs: ${message}\n`);
  process.exit(code);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

let lib;
try {
  lib = await import('@neo4j-cypher/language-support');
} catch (err) {
  fail(3, `cannot load @neo4j-cypher/language-support (${err.message}); run \`npm ci --prefix cypher/lint\``);
}
const { lintCypherQuery, allCypherVersions } = lib;

let input;
try {
  input = JSON.parse(await readStdin());
} catch (err) {
  fail(2, `stdin is not valid JSON: ${err.message}`);
}
if (input === null || typeof input !== 'object' || Array.isArray(input)) {
  fail(2, 'stdin must be a JSON object {"version": "5", "statements": {"id": "cypher", ...}}');
}
const { statements } = input;
const rawVersion = input.version ?? '5';
if (statements === null || typeof statements !== 'object' || Array.isArray(statements)) {
  fail(2, '"statements" must be an object mapping ids to Cypher text');
}
for (const [id, text] of Object.entries(statements)) {
  if (typeof text !== 'string') fail(2, `statement ${JSON.stringify(id)} is not a string`);
}
if (typeof rawVersion !== 'string') fail(2, '"version" must be a string such as "5" or "25"');
const cypherVersion = /^cypher\s/i.test(rawVersion.trim())
  ? rawVersion.trim().toUpperCase().replace(/\s+/, ' ')
  : `CYPHER ${rawVersion.trim()}`;
if (!allCypherVersions.includes(cypherVersion)) {
  fail(2, `unknown Cypher version ${JSON.stringify(rawVersion)}; known: ${allCypherVersions.join(', ')}`);
}

// defaultLanguage selects the Cypher version for statements without a `CYPHER n` prefix.
const dbSchema = { defaultLanguage: cypherVersion };
const out = {};
for (const [id, text] of Object.entries(statements)) {
  const { diagnostics } = lintCypherQuery(text, dbSchema, { consoleCommandsEnabled: false });
  out[id] = diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] ?? 'error',
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
}
process.stdout.write(JSON.stringify(out) + '\n');
