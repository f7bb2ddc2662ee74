/**
 * Lets plain `node` load the TypeScript sources without a build (`node -r ./bench/ts-register.js x.ts`):
 * each required `.ts` file is compiled by @swc/core (a dev dependency, already used by jest) with the
 * project's .swcrc settings. Used by `npm run bench` and by tests that need a real separate process.
 */
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook */
'use strict';
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
