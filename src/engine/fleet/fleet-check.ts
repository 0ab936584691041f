import type {TSchema} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import {Arr, Num, Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import type {Assertion, Path} from '../checks/assertion.js'
import type {Check} from '../checks/pack.js'

/**
 * Fleet checks: judged across hosts, not on one. A pack lists them under `fleet:`, beside (or instead of) its
 * per-host `checks:`. Each has the fields of a check (id, bilingual title, rationale, remediation, severity,
 * optional `applies` to choose the hosts, references) and exactly one of:
 *
 *   compare: {path: os.versionId}                          the same value on every host of a scope
 *   compare: {path: sshd.settings, keys: true, per: [os.distribution, os.versionId]}
 *                                                          an object: each key compared on its own
 *   compare: {path: timeSync.configuredServers, item: address}   a list: the set of the items' field
 *   compare: {packages: [openssh-server, openssl, 'linux-image-*'], per: [os.versionId]}
 *                                                          installed versions by package name (a glob: the set)
 *   unique: {path: identity.machineAppId}                  no two hosts of the fleet share a value
 *   unique: {path: network.interfaces, item: mac, where: {path: kind, notEquals: loopback}, ignore: ['00:00:00:00:00:00']}
 *   within: {path: meta.clock.skewMs, maxAbs: 60000, margin: meta.clock.uncertaintyMs}
 *                                                          every host's number within ±maxAbs (beyond it, by more than the margin, is an outlier)
 *   reached: true                                          every host of the hosts file was collected
 *   referencePackages: true                                every host of a group has the packages its reference has
 *                                                          (nothing without a reference: see README "Fleet references")
 *
 * `scope` (compare only; default [group, role]) says which hosts are compared together: each inventory group,
 * each role, or the whole fleet (`fleet`). Hosts that belong to no group or role of the scope are compared with
 * each other (scope `fleet`, named `ungrouped`, or `all` when no host has one). `per` splits a scope further by
 * the value of one or more paths (hardware model, OS release): only hosts that agree on those are compared.
 *
 * A group that declares a reference (hosts.yaml `reference:`, recorded in the snapshots) is judged against it, not
 * against its majority: every host whose value differs from the reference's is an outlier, `per` does not split it
 * (the reference is what every host of the group should be), and a value the reference lacks is unknown.
 */
export const FLEET_SCOPES = ['group', 'role', 'fleet'] as const
export type FleetScopeKind = (typeof FLEET_SCOPES)[number]

export interface FleetCompare {
  path?: Path
  packages?: string[]
  item?: string
  keys?: boolean
  scope?: FleetScopeKind[]
  per?: Path | Path[]
  subject?: string
}
export interface FleetUnique {
  path: Path
  item?: string
  where?: Assertion
  ignore?: string[]
  subject?: string
}
export interface FleetWithin {
  path: Path
  maxAbs: number
  margin?: Path
  unit?: string
  subject?: string
}

/** The parts of a pack's schema a fleet check reuses. */
export interface FleetSchemaParts {
  bilingual: TSchema
  severity: TSchema
  applies: TSchema
  assertion: TSchema
  references: TSchema
  path: TSchema
}

/** A fleet check as a JSON Schema; built from the pack's own parts so that both stay one language. */
export function fleetCheckSchema(p: FleetSchemaParts) {
  const subject = Opt(Str({minLength: 1}))
  const common = {
    id: Str({pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'}),
    title: p.bilingual,
    rationale: p.bilingual,
    remediation: p.bilingual,
    severity: p.severity,
    applies: Opt(p.applies),
    references: Opt(p.references),
  }
  const compare = Obj(
    {
      path: Opt(p.path),
      packages: Opt(Arr(Str({minLength: 1}), {minItems: 1})),
      item: Opt(Str({minLength: 1})),
      keys: Opt(Type.Boolean()),
      scope: Opt(Arr(StringEnum(FLEET_SCOPES), {minItems: 1, uniqueItems: true})),
      per: Opt(Type.Union([p.path, Arr(p.path, {minItems: 1})])),
      subject,
    },
  )
  const unique = Obj({path: p.path, item: Opt(Str({minLength: 1})), where: Opt(p.assertion), ignore: Opt(Arr(Str())), subject})
  const within = Obj({path: p.path, maxAbs: Num({minimum: 0}), margin: Opt(p.path), unit: Opt(Str({minLength: 1})), subject})
  return Type.Union([
    Obj({...common, compare}),
    Obj({...common, unique}),
    Obj({...common, within}),
    Obj({...common, reached: Type.Literal(true)}),
    Obj({...common, referencePackages: Type.Literal(true)}),
  ])
}

type Common = Omit<Check, 'assert'>
export type FleetCheck = Common & ({compare: FleetCompare} | {unique: FleetUnique} | {within: FleetWithin} | {reached: true} | {referencePackages: true})
export type FleetCheckKind = 'compare' | 'unique' | 'within' | 'reached' | 'referencePackages'

export function kindOf(c: FleetCheck): FleetCheckKind {
  return 'compare' in c ? 'compare' : 'unique' in c ? 'unique' : 'within' in c ? 'within' : 'reached' in c ? 'reached' : 'referencePackages'
}

/** What the schema cannot say about a fleet check, each with where (below the check) and what. */
export function fleetCheckProblems(c: FleetCheck): {at: string[]; problem: string}[] {
  if (!('compare' in c)) return []
  const k = c.compare
  const out: {at: string[]; problem: string}[] = []
  if ((k.path === undefined) === (k.packages === undefined)) out.push({at: ['compare'], problem: 'needs either path or packages (not both)'})
  if (k.packages && (k.keys || k.item)) out.push({at: ['compare', k.keys ? 'keys' : 'item'], problem: 'applies to a path, not to packages'})
  return out
}
