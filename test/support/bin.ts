import path from 'node:path'

import {packageDir} from '../../src/model/package-root.js'

/**
 * The package root and the built CLI (bin/run.js), found from wherever this module runs (test/ under vitest,
 * dist/test/ when a bench imports the test fleets). Imports nothing of vitest, so the benches can use it.
 */
export const ROOT = packageDir('')
export const BIN = path.join(ROOT, 'bin/run.js')
