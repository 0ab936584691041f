import {readFileSync} from 'node:fs'

import type {Static, TSchema} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import {ConfigError} from '../../config/config-error.js'
import {errorAt} from '../../config/error-at.js'
import {readShippedYaml} from '../../config/shipped-yaml.js'
import {schemaProblems} from '../../config/schema-problems.js'
import {Arr, Num, Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import {KERNEL_MODULES} from '../../model/sections/kernel-modules.js'
import {SYSCTL_KEYS} from '../../model/sections/sysctl.js'
import {SEVERITIES} from '../../model/severity.js'
import {compile} from '../../model/validate.js'
import {FixSchema, fixProblems, type Fix} from '../fixes/fix-schema.js'
import {fleetCheckProblems, fleetCheckSchema, type FleetCheck} from '../fleet/fleet-check.js'
import {COMPARE_OPS, COUNT_OPS, type Assertion} from './assertion.js'
import {checkDataFile} from './data-file.js'
import {EolSpecSchema, loadEolData} from './eol.js'
import {applyCisMapping, CisReferenceSchema} from './cis-mapping.js'
import {applyLevelMapping, LevelReferenceSchema} from './level-mapping.js'
import {applyTcvnMapping} from './tcvn-mapping.js'

/** Text in both languages of the report; Vietnamese is required, like English. */
const Bilingual = Obj({vi: Str({minLength: 1}), en: Str({minLength: 1})})

const PathSchema = Type.Union([Str(), Arr(Str({minLength: 1}), {minItems: 1})])
const Scalar = Type.Union([Str(), Num(), Type.Boolean(), Type.Null()])

/** The assertion language as a JSON Schema (recursive). */
export const AssertionSchema = Type.Recursive(
  (This) =>
    Type.Union([
      Obj({all: Arr(This, {minItems: 1})}),
      Obj({any: Arr(This, {minItems: 1})}),
      Obj({not: This}),
      Obj({path: PathSchema, each: This}),
      Obj({path: PathSchema, some: This}),
      Obj({path: PathSchema, none: This}),
      Obj({
        path: PathSchema,
        count: Obj({where: Opt(This), ...Object.fromEntries(COUNT_OPS.map((op) => [op, Opt(Num())]))}, {minProperties: 1}),
      }),
      Obj({ratio: Obj({of: PathSchema, to: PathSchema}), ...Object.fromEntries(COUNT_OPS.map((op) => [op, Opt(Num())]))}, {minProperties: 2}),
      Obj({eol: EolSpecSchema}),
      // a kernel parameter running and persisted (persisted-sysctl.ts): one of equals, in, ge, le
      Obj(
        {sysctl: StringEnum(SYSCTL_KEYS), equals: Opt(Scalar), in: Opt(Arr(Scalar, {minItems: 1})), ge: Opt(Num()), le: Opt(Num())},
        {minProperties: 2, maxProperties: 2},
      ),
      // mount options running and persisted (persisted-mount.ts)
      Obj({mount: Str({pattern: '^/'}), options: Arr(Str({pattern: '^[a-z0-9_-]+$'}), {minItems: 1})}),
      // a kernel module not loaded and disabled at boot (persisted-module.ts)
      Obj({module: StringEnum(KERNEL_MODULES), disabled: Type.Literal(true)}),
      // interactive accounts unused and not disabled; accounts sharing a UID (account-use.ts)
      Obj({unusedAccounts: Obj({maxIdleDays: Type.Integer({minimum: 1})})}),
      Obj({uniqueUids: Type.Literal(true)}),
      // disks' failure counters against earlier runs (smart-trend.ts): a check's whole assertion only
      Obj({smartTrend: Type.Literal(true)}),
      Obj(
        {
          path: PathSchema,
          equals: Opt(Scalar),
          notEquals: Opt(Scalar),
          in: Opt(Arr(Scalar, {minItems: 1})),
          notIn: Opt(Arr(Scalar, {minItems: 1})),
          matches: Opt(Str({minLength: 1})),
          notMatches: Opt(Str({minLength: 1})),
          exists: Opt(Type.Boolean()),
          lt: Opt(Num()),
          le: Opt(Num()),
          gt: Opt(Num()),
          ge: Opt(Num()),
          versionLt: Opt(Str({minLength: 1})),
          versionLe: Opt(Str({minLength: 1})),
          versionGt: Opt(Str({minLength: 1})),
          versionGe: Opt(Str({minLength: 1})),
          maxAgeDays: Opt(Num({minimum: 0})),
          minDaysAhead: Opt(Num({minimum: 0})),
        },
        {minProperties: 2},
      ),
    ]),
  {$id: 'urn:hatang:schema:assertion'},
)

export const ApplicabilitySchema = Obj({
  family: Opt(Arr(Str())),
  distribution: Opt(Arr(Str())),
  /** OS versions (os.versionId), e.g. ['11', '12']. */
  versionId: Opt(Arr(Str())),
  groups: Opt(Arr(Str())),
  roles: Opt(Arr(Str())),
  tags: Opt(Arr(Str())),
  /** Only where this holds (e.g. sshd installed); where it is unknown, the check is unknown. */
  when: Opt(Type.Ref(AssertionSchema)),
})

export const ReferenceSchema = Obj({
  /** CIS Benchmark recommendations: the benchmark's title, its edition and the recommendation id as published (checks/data/cis.yaml). */
  cis: Opt(Arr(CisReferenceSchema)),
  /** TCVN 11930:2017 technical requirement group; `unconfirmed` until the organisation's legal staff confirm the clause. */
  tcvn: Opt(Obj({group: StringEnum(['network', 'server', 'application', 'data']), clause: Opt(Str()), status: StringEnum(['confirmed', 'unconfirmed'])})),
  /** The lowest security level of Circular 12/2022/TT-BTTTT whose systems must pass the check (checks/data/levels.yaml). */
  level: Opt(LevelReferenceSchema),
  tags: Opt(Arr(Str())),
})

export const CheckSchema = Obj({
  id: Str({pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'}),
  title: Bilingual,
  rationale: Bilingual,
  remediation: Bilingual,
  severity: StringEnum(SEVERITIES),
  applies: Opt(ApplicabilitySchema),
  assert: Type.Ref(AssertionSchema),
  references: Opt(ReferenceSchema),
  /** How to fix a failure: Ansible tasks and POSIX sh, or why it is manual (src/engine/fixes/fix-schema.ts). */
  fix: Opt(FixSchema),
})

/** Checks across hosts (see ../fleet/fleet-check.ts). */
export const FleetCheckSchema = fleetCheckSchema({
  bilingual: Bilingual,
  severity: StringEnum(SEVERITIES),
  applies: ApplicabilitySchema,
  assertion: Type.Ref(AssertionSchema),
  references: ReferenceSchema,
  path: PathSchema,
})

export const PackSchema = Obj(
  {
    pack: Str({pattern: '^[a-z0-9][a-z0-9-]*$'}),
    version: Str({pattern: '^\\d+\\.\\d+\\.\\d+$'}),
    title: Bilingual,
    description: Opt(Bilingual),
    checks: Opt(Arr(CheckSchema, {minItems: 1})),
    fleet: Opt(Arr(FleetCheckSchema, {minItems: 1})),
  },
  {$id: 'urn:hatang:schema:check-pack', title: 'hatang check pack', anyOf: [{required: ['checks']}, {required: ['fleet']}]},
)

export type Check = Omit<Static<typeof CheckSchema>, 'assert' | 'applies' | 'fix'> & {
  assert: Assertion
  fix?: Fix
  applies?: Omit<Static<typeof ApplicabilitySchema>, 'when'> & {when?: Assertion}
}
export interface Pack extends Omit<Static<typeof PackSchema>, 'checks' | 'fleet'> {
  /** Per-host checks; empty in a pack of fleet checks only. */
  checks: Check[]
  /** Checks across hosts. */
  fleet?: FleetCheck[]
  /** Where the pack was read from. */
  file: string
  /** The end-of-life data sets (checks/data/NAME.yaml) its checks read. */
  eolData?: string[]
}

let validator: ReturnType<typeof compile> | undefined
/** The pack schema references the (recursive) assertion schema once, by $id. */
function packValidator(): ReturnType<typeof compile> {
  validator ??= compile(PackSchema as unknown as TSchema, undefined, [AssertionSchema as unknown as TSchema])
  return validator
}

function* eolSpecsOf(a: unknown, at: (string | number)[]): Generator<{data: string; at: (string | number)[]}> {
  if (a === null || typeof a !== 'object') return
  for (const [k, v] of Object.entries(a)) {
    if (k === 'eol' && v !== null && typeof v === 'object' && typeof (v as {data?: unknown}).data === 'string') yield {data: (v as {data: string}).data, at: [...at, k, 'data']}
    else yield* eolSpecsOf(v, [...at, k])
  }
}

/** Where an assertion form judged only as a check's whole assertion (smartTrend) is used elsewhere. */
function* misplacedTrends(a: unknown, at: (string | number)[], top: boolean): Generator<(string | number)[]> {
  if (a === null || typeof a !== 'object') return
  for (const [k, v] of Object.entries(a)) {
    if (k === 'smartTrend' && !top) yield [...at, k]
    else yield* misplacedTrends(v, [...at, k], false)
  }
}

function* regexesOf(a: unknown, at: (string | number)[]): Generator<{pattern: string; at: (string | number)[]}> {
  if (a === null || typeof a !== 'object') return
  for (const [k, v] of Object.entries(a)) {
    if ((k === 'matches' || k === 'notMatches') && typeof v === 'string') yield {pattern: v, at: [...at, k]}
    else yield* regexesOf(v, [...at, k])
  }
}

/**
 * Reads a check pack (YAML), validated against its JSON Schema, with errors at file:line:column; regular
 * expressions are compiled at load, ids must be unique. Throws ConfigError (the others in `.more`).
 */
export function loadPack(file: string, text = readFileSync(file, 'utf8')): Pack {
  const yaml = readShippedYaml(text, file)
  ConfigError.throwIfAny(yaml.errors)
  const hint = `run 'hatang packs validate ${file}'`
  // one problem per place (not everyKey): the branches of the assertion language's unions repeat themselves
  ConfigError.throwIfAny(schemaProblems(packValidator(), yaml, file, {hint}))
  const at = errorAt(file, yaml.positions, hint)
  const pack = yaml.data as Omit<Pack, 'file'>
  pack.checks ??= []
  const problems: ConfigError[] = []
  const ids = new Map<string, string>()
  const eolData = new Set<string>()
  const entries = [...pack.checks.map((c, i) => ['checks', i, c] as const), ...(pack.fleet ?? []).map((c, i) => ['fleet', i, c] as const)]
  entries.forEach(([list, i, c]) => {
    if (ids.has(c.id)) problems.push(at([list, i, 'id'], `repeats the id '${c.id}' of ${ids.get(c.id)}`, 'give every check its own id'))
    ids.set(c.id, list === 'checks' ? `check ${i + 1}` : `fleet check ${i + 1}`)
    if (list === 'fleet') for (const f of fleetCheckProblems(c as FleetCheck)) problems.push(at([list, i, ...f.at], f.problem))
    const fix = list === 'checks' ? (c as Check).fix : undefined
    if (fix) for (const f of fixProblems(fix)) problems.push(at([list, i, 'fix', ...f.at], f.problem))
    const trendAt = list === 'checks' ? [...misplacedTrends((c as Check).assert, [list, i, 'assert'], true), ...misplacedTrends((c as Check).applies, [list, i, 'applies'], false)] : [...misplacedTrends(c, [list, i], false)]
    for (const where of trendAt) problems.push(at(where, 'is judged only as the whole assert of a per-host check', 'write it as `assert: {smartTrend: true}`'))
    for (const r of regexesOf(c, [list, i])) {
      try {
        new RegExp(r.pattern, 'u')
      } catch (error) {
        problems.push(at(r.at, `is not a valid regular expression: ${(error as Error).message}`))
      }
    }
    for (const e of eolSpecsOf(c, ['checks', i])) {
      eolData.add(e.data)
      if (!checkDataFile(e.data)) problems.push(at(e.at, `names no end-of-life data set: no checks/data/${e.data}.yaml`))
      else loadEolData(e.data) // its own errors, at its own file:line
    }
  })
  ConfigError.throwIfAny(problems)
  void COMPARE_OPS
  return applyLevelMapping(applyCisMapping(applyTcvnMapping({...pack, file, ...(eolData.size ? {eolData: [...eolData].sort()} : {})})))
}
