import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import type {Snapshot} from '../model/snapshot.js'
import {SnapshotValidationError, validateSnapshot} from '../model/validate.js'

/** Input the user named that cannot be read (snapshots, a pack that does not exist): exit 2 with `message — hint`. */
export class InputError extends Error {
  readonly exitCode = 2

  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'InputError'
  }
}

/** The files a list of arguments names: files as given, folders expanded to their *.json (a sweep's sweep.json is not a snapshot). */
export function snapshotFiles(args: readonly string[]): string[] {
  const files = args.flatMap((a) => {
    let dir: boolean
    try {
      dir = statSync(a).isDirectory()
    } catch {
      throw new InputError(`${a}: no such file or folder`, 'name snapshot files or the folder a sweep wrote')
    }
    return dir ? readdirSync(a).filter((f) => f.endsWith('.json') && f !== 'sweep.json').sort().map((f) => path.join(a, f)) : [a]
  })
  if (files.length === 0) throw new InputError(`no snapshot in ${args.join(', ')}`, "collect one with 'hatang collect -o FILE' or 'hatang sweep'")
  return files
}

/** Reads and validates one snapshot file. Throws InputError naming the file and what is wrong. */
export function readSnapshotFile(file: string): Snapshot {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InputError(`${file}: not a JSON snapshot (${(error as Error).message})`)
  }
  try {
    validateSnapshot(value, file)
  } catch (error) {
    if (error instanceof SnapshotValidationError) throw new InputError(error.message, 'was it written by another version of hatang?')
    throw error
  }
  return value
}

/** Every snapshot the arguments name, validated. */
export function loadSnapshots(args: readonly string[]): Snapshot[] {
  return snapshotFiles(args).map(readSnapshotFile)
}
