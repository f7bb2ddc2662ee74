#!/usr/bin/env node
// `npm run bench -- <name> [args...]` runs bench/<name>.ts straight from the sources (compiled on load
// by @swc/core, see bench/ts-register.js). An entry point is a file bench/<name>.ts with no "-" in its
// name that exports `main(args: string[]): Promise<void>`; helpers beside it are named <name>-*.ts.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const benchDir = path.resolve(__dirname, '..', 'bench');
const entries = fs
  .readdirSync(benchDir)
  .filter((file) => /^[a-z0-9]+\.ts$/.test(file))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !entries.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]   (available: ${entries.join(', ') || 'none'})`);
  process.exit(2);
}
require(path.join(benchDir, 'ts-register.js'));
require(path.join(benchDir, `${name}.ts`))
  .main(args)
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  });
