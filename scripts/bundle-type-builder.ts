/**
 * Step of `npm run build`, after tsc: replaces dist/src/model/type-builder.js (`export {Type} from
 * '@sinclair/typebox'`) with one module that holds TypeBox's builder and only what it needs. Every command loads
 * the model's schemas, and TypeBox's ESM build is ~200 files: their resolution and compilation cost ~80 ms of CPU
 * at every start, the bundle ~7 ms. The source keeps importing TypeBox as usual (tests and typecheck read it).
 */
import {renameSync, rmSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'rolldown'

const here = path.dirname(fileURLToPath(import.meta.url))
const target = path.join(here, '..', 'src', 'model', 'type-builder.js')
const tmp = `${target}.bundle-${process.pid}.js`
try {
  await build({input: target, platform: 'node', logLevel: 'warn', output: {file: tmp, format: 'esm', sourcemap: false}, write: true})
  renameSync(tmp, target)
  rmSync(`${target}.map`, {force: true})
} finally {
  rmSync(tmp, {force: true})
}
