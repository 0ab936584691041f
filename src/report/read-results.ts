import {existsSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {InputError} from '../engine/load-snapshots.js'
import {ResultsSchema, type Results} from '../model/results.js'
import {compile, formatErrors} from '../model/validate.js'
import {jsonPointerLine} from './json-position.js'

/** Line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return `${line}:${offset - before.lastIndexOf('\n')}`
}

/**
 * Whether the arguments name one results file (the json report's results.json) rather than snapshots:
 * a single file whose start declares `"kind": "hatang-results"`.
 */
export function isResultsFile(args: readonly string[]): boolean {
  if (args.length !== 1) return false
  const file = args[0]!
  try {
    if (!statSync(file).isFile()) return false
  } catch {
    return false
  }
  const head = readFileSync(file, 'utf8').slice(0, 200)
  return /"kind"\s*:\s*"hatang-results"/.test(head)
}

/** Reads and validates a results file; InputError at file:line with what is wrong and what to do. */
export function readResults(file: string): Results {
  const text = readFileSync(file, 'utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const m = /position (\d+)/.exec((error as Error).message)
    const where = m ? `${file}:${lineColumn(text, Number(m[1]))}` : file
    throw new InputError(`${where} is not valid JSON (${(error as Error).message})`, "give a results.json written by 'hatang report --format json'")
  }
  const validate = compile(ResultsSchema)
  if (!validate(value)) {
    const first = validate.errors![0]!
    const line = jsonPointerLine(text, first.instancePath)
    const problems = formatErrors(validate.errors, 5)
    throw new InputError(`${file}:${line} ${problems.join('; ')}`, 'was it written by another version of hatang? Report again from the snapshots')
  }
  return value as Results
}

/** The hosts file a sweep folder was collected from, as its sweep.json records it. */
export function sweepHostsFile(args: readonly string[]): string | undefined {
  for (const a of args) {
    const file = path.join(a, 'sweep.json')
    if (!existsSync(file)) continue
    try {
      const s = JSON.parse(readFileSync(file, 'utf8')) as {hostsFile?: unknown}
      if (typeof s.hostsFile === 'string') return s.hostsFile
    } catch {
      // not ours to judge: sweep.json is only a hint for the method section
    }
  }
  return undefined
}
