import {randomBytes} from 'node:crypto'
import {open, rename, rm} from 'node:fs/promises'
import path from 'node:path'

import {ensureDir} from './make-dir.js'

/** The one place that writes output files: a temporary file in the same folder, fsync, then rename. */
export async function writeFileAtomic(file: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = path.dirname(path.resolve(file))
  await ensureDir(dir)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const handle = await open(tmp, 'wx', mode)
  try {
    await handle.writeFile(content)
    await handle.sync()
    await handle.close()
    await rename(tmp, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(tmp, {force: true})
    throw error
  }
}
