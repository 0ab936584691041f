import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {InputError} from '../config/input-error.js'
import type {Snapshot} from '../model/snapshot.js'
import {upgradeSnapshot} from '../model/upgrade-snapshot.js'
import {SnapshotValidationError, validateSnapshot} from '../model/validate.js'

/** The summary a sweep writes beside its snapshots. */
const SWEEP_SUMMARY = 'sweep.json'

/** The files a list of arguments names: files as given, folders expanded to their *.json but the sweep's summary. */
export function snapshotFiles(args: readonly string[]): string[] {
  const files = args.flatMap((a) => {
    let dir: boolean
    try {
      dir = statSync(a).isDirectory()
    } catch {
      throw new InputError(`${a}: no such file or folder`, 'name snapshot files or the folder a sweep wrote')
    }
    return dir ? readdirSync(a).filter((f) => f.endsWith('.json') && f !== SWEEP_SUMMARY).sort().map((f) => path.join(a, f)) : [a]
  })
  if (files.length === 0) throw new InputError(`no snapshot in ${args.join(', ')}`, "collect one with 'hatang collect -o FILE' or 'hatang sweep'")
  return files
}

/**
 * Whether a JSON document is a sweep's own summary (the sweep.json it writes beside the snapshots), whatever its
 * file is called: it lists hosts with their files, and has no sections.
 */
export function isSweepSummary(value: unknown): boolean {
  const v = value as {outputDir?: unknown; counts?: unknown; hosts?: unknown; sections?: unknown} | null
  return typeof v === 'object' && v !== null && typeof v.outputDir === 'string' && typeof v.counts === 'object' && Array.isArray(v.hosts) && v.sections === undefined
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InputError(`${file}: not a JSON snapshot (${(error as Error).message})`)
  }
}

/** A snapshot of an older version is upgraded first, then validated. */
function validated(value: unknown, file: string): Snapshot {
  try {
    const snapshot = upgradeSnapshot(value, file)
    validateSnapshot(snapshot, file)
    return snapshot
  } catch (error) {
    if (error instanceof SnapshotValidationError) throw new InputError(error.message, 'was it written by another version of hatang?')
    throw error
  }
}

/** Reads one snapshot file, upgraded and validated. Throws InputError naming the file and what is wrong. */
export function readSnapshotFile(file: string): Snapshot {
  return validated(parseJson(file), file)
}

/**
 * Every snapshot the arguments name (files, folders of them), validated, with its file. A sweep's summary is
 * skipped, with a note for one named outright (`check DIR/*.json`); a folder's is skipped quietly.
 */
export function readSnapshots(args: readonly string[], note?: (message: string) => void): {file: string; snapshot: Snapshot}[] {
  const named = new Set(args.map((a) => path.resolve(a)))
  const out: {file: string; snapshot: Snapshot}[] = []
  for (const file of snapshotFiles(args)) {
    const value = parseJson(file)
    if (isSweepSummary(value)) {
      if (named.has(path.resolve(file))) note?.(`note: ${file} is a sweep's summary, not a snapshot: skipped`)
      continue
    }
    out.push({file, snapshot: validated(value, file)})
  }
  if (out.length === 0) throw new InputError(`no snapshot in ${args.join(', ')}`, "collect one with 'hatang collect -o FILE' or 'hatang sweep'")
  return out
}

/** Every snapshot the arguments name, validated (see readSnapshots). */
export function loadSnapshots(args: readonly string[], note?: (message: string) => void): Snapshot[] {
  return readSnapshots(args, note).map((r) => r.snapshot)
}
