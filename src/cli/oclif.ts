/**
 * The one door to oclif for bin/run.js: `npm run build` bundles @oclif/core and the ~120 CommonJS modules it loads
 * (semver, minimatch, ejs…) into the commands' shared code, with this module as an entry of its own (dist/oclif.js,
 * scripts/bundle-commands.ts). Every start then compiles one file instead of resolving, reading and compiling each
 * module: ~40 ms of CPU less at every command (`hatang --version`: ~0.19 → ~0.14 s), and the commands use the same
 * copy of oclif as the runner. `run` is execute's without its error handling (which exits): the build runs a command
 * with it (scripts/write-bundle-caches.ts).
 */
export {execute, run} from '@oclif/core'
