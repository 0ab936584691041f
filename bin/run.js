#!/usr/bin/env node
// @oclif/core as `npm run build` bundled it with the commands (src/cli/oclif.ts): one file to compile, not ~120
const {execute} = await import('../dist/oclif.js')
await execute({dir: import.meta.url})
