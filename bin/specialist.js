#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it (the `prepare` script).
require('../dist/client/cli.js')
  .main(process.argv)
  .catch((err) => {
    console.error(err && err.message ? err.message : err);
    process.exit(1);
  });
