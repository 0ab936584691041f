import {closeSync, existsSync, openSync, readFileSync, readSync, statSync} from 'node:fs'
import path from 'node:path'

import {InputError} from '../config/input-error.js'
import {DEFAULT_MIN_COVERAGE} from '../engine/evidence.js'
import {coverageOf} from '../engine/scores.js'
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
 * Where JSON.parse stopped: its message says `position N` (newer Node), or quotes the text around the
 * unexpected token (`Unexpected token '}', ..."oops": }" is not valid JSON`), which is found in the text.
 */
function errorOffset(text: string, message: string): number | undefined {
  const pos = /position (\d+)/.exec(message)
  if (pos) return Number(pos[1])
  if (/Unexpected end of JSON input/.test(message)) return text.length
  const m = /Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(message)
  if (!m) return undefined
  const context = m[2]!.replace(/\\"/g, '"')
  const at = text.indexOf(context)
  if (at < 0) return undefined
  const inContext = context.indexOf(m[1]!, Math.max(0, context.length - 11))
  return at + (inContext >= 0 ? inContext : 0)
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
  const fd = openSync(file, 'r')
  const buffer = Buffer.alloc(200)
  const head = buffer.subarray(0, readSync(fd, buffer, 0, 200, 0)).toString('utf8')
  closeSync(fd)
  return /"kind"\s*:\s*"hatang-results"/.test(head)
}

/** Reads and validates a results file; InputError at file:line with what is wrong and what to do. */
export function readResults(file: string): Results {
  const text = readFileSync(file, 'utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const offset = errorOffset(text, (error as Error).message)
    const where = offset === undefined ? file : `${file}:${lineColumn(text, offset)}`
    throw new InputError(`${where} is not valid JSON (${(error as Error).message})`, "give a results.json written by 'hatang report --format json'")
  }
  upgrade(value)
  const validate = compile(ResultsSchema)
  if (!validate(value)) {
    const first = validate.errors![0]!
    const line = jsonPointerLine(text, first.instancePath)
    const problems = formatErrors(validate.errors, 5)
    throw new InputError(`${file}:${line} ${problems.join('; ')}`, 'was it written by another version of hatang? Report again from the snapshots')
  }
  return value as Results
}

type Loose = Record<string, unknown>
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Results written before 1.2.0 read as 1.2.0: every score gets its coverage from its counts, the evidence rule its
 * default floor. Hosts of such a file carry no `insufficient` reason (the rule was not applied when they were
 * judged); the report shows their coverage. Anything malformed is left for the validator to name.
 */
function upgrade(value: unknown): void {
  if (!isObject(value) || (value.schemaVersion !== '1.0.0' && value.schemaVersion !== '1.1.0')) return
  const withCoverage = (score: unknown) => {
    if (!isObject(score) || !isObject(score.counts) || 'coverage' in score) return
    const c = score.counts as Record<string, number>
    score.coverage = coverageOf({pass: c.pass ?? 0, fail: c.fail ?? 0, waived: c.waived ?? 0, unknown: c.unknown ?? 0})
  }
  const hosts = Array.isArray(value.hosts) ? value.hosts : []
  for (const h of hosts) if (isObject(h)) withCoverage(h.score)
  if (isObject(value.scores)) {
    withCoverage(value.scores.overall)
    if (Array.isArray(value.scores.groups)) value.scores.groups.forEach(withCoverage)
  }
  if (isObject(value.dataQuality)) {
    value.dataQuality.minCoverage ??= DEFAULT_MIN_COVERAGE
    value.dataQuality.insufficient ??= 0
  }
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
