import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * The suite's own cache folder: what a collection keeps there (package indexes by hash) never comes from, nor goes to,
 * the cache of whoever runs the tests. Workers and the processes they start inherit it.
 */
export default function setup(): () => void {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'hatang-test-cache-'))
  process.env.XDG_CACHE_HOME = cache
  return () => rmSync(cache, {recursive: true, force: true})
}
