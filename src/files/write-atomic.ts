import {randomBytes} from 'node:crypto'
import {open, rename, rm, type FileHandle} from 'node:fs/promises'
import path from 'node:path'

import {ensureDir} from './make-dir.js'

/** Pieces of text are gathered into writes of up to this many bytes. */
const WRITE_BYTES = 1 << 20

/** Writes text given in pieces (UTF-8) through one buffer, a few pieces a write; returns the bytes written. */
async function writePieces(handle: FileHandle, pieces: Iterable<string>): Promise<number> {
  const buffer = Buffer.allocUnsafe(WRITE_BYTES)
  let used = 0
  let bytes = 0
  const write = async (data: Uint8Array) => {
    for (let at = 0; at < data.length; ) at += (await handle.write(data, at, data.length - at)).bytesWritten
    bytes += data.length
  }
  for (const piece of pieces) {
    const size = Buffer.byteLength(piece)
    if (used + size > buffer.length && used > 0) {
      await write(buffer.subarray(0, used))
      used = 0
    }
    if (size > buffer.length) await write(Buffer.from(piece, 'utf8'))
    else used += buffer.write(piece, used, 'utf8')
  }
  if (used > 0) await write(buffer.subarray(0, used))
  return bytes
}

/**
 * The one place that writes output files: a temporary file in the same folder, fsync, then rename. The content is
 * text, bytes, or text in pieces (written as they come: a large report is never one string).
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array | Iterable<string>, mode = 0o644): Promise<void> {
  await writeSizedAtomic(file, content, mode)
}

/** writeFileAtomic, and the size of what it wrote, in bytes. */
export async function writeSizedAtomic(file: string, content: string | Uint8Array | Iterable<string>, mode = 0o644): Promise<number> {
  const dir = path.dirname(path.resolve(file))
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  // the folder is made only when it is missing: a sweep writes hundreds of files into one, and asking mkdir each time
  // (EEXIST, an error to build) cost the controller ~0.8 ms a host
  let handle: FileHandle
  try {
    handle = await open(tmp, 'wx', mode)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await ensureDir(dir)
    handle = await open(tmp, 'wx', mode)
  }
  try {
    let bytes: number
    if (typeof content === 'string' || content instanceof Uint8Array) {
      await handle.writeFile(content)
      bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength
    } else bytes = await writePieces(handle, content)
    await handle.sync()
    await handle.close()
    await rename(tmp, file)
    return bytes
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(tmp, {force: true})
    throw error
  }
}
