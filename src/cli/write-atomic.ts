import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, rm} from 'node:fs/promises'
import path from 'node:path'

/**
 * Creates a folder and its missing parents. Not `mkdir({recursive: true})`: Node's loops forever where the
 * parent exists but the child cannot be made (under /proc, for one).
 */
async function ensureDir(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    const parent = path.dirname(dir)
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw error
    await ensureDir(parent, depth + 1)
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again
    })
  }
}

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
