import {buildFixPlan, type FixHost, type FixPlan, type FixSelection} from '../engine/fixes/fix-plan.js'
import {InputError} from '../config/input-error.js'
import {loadInventory} from '../hosts/load-inventory.js'
import type {HostSpec} from '../hosts/model.js'
import {selectHosts} from '../hosts/select.js'
import type {Results} from '../model/results.js'
import type {Severity} from '../model/severity.js'
import type {Snapshot} from '../model/snapshot.js'
import type {AnsibleConnection} from '../report/fix-ansible.js'
import type {Store} from '../store/store.js'
import type {Pack} from '../engine/checks/pack.js'
import type {JudgingOptions} from './packs-and-waivers.js'
import {judgedInput, type InputOptions} from './results-from-input.js'
import {storedRunResults} from './results-from-store.js'

export interface FixRequest extends JudgingOptions, Pick<InputOptions, 'minCoverage' | 'staleAfterDays'> {
  /** The hosts file the hosts are reached by (default: the one the run recorded). */
  hostsFile?: string
  /** ssh_config for the hosts file (null: none). */
  sshConfig?: string | null
  checks?: readonly string[]
  severity?: Severity
  /** Only these hosts (as --limit of sweep). */
  limit?: string
}

export interface FixPlanOutcome {
  plan: FixPlan
  /** How each host of the plan is reached (from the hosts file). */
  connections: Map<string, AnsibleConnection>
  /** What the plan was made from: a run, a results file, snapshots. */
  source: string
  hostsFile?: string
  /** Hosts with fixes that no hosts file places: their inventory entry has only the address the results give. */
  unplaced: string[]
}

const CODENAME = /^[a-z0-9]+$/

/** One host of the results, with the facts its snapshot gives (none for a results file) and how hatang reaches it. */
function fixHost(host: Results['hosts'][number], snapshot: Snapshot | undefined, spec: HostSpec | undefined): FixHost {
  const sshd = snapshot?.sections.sshd
  const sshPorts = new Set<number>(sshd?.data?.ports ?? [])
  // the port the hosts file reaches it by (where the fixes will be applied from), and the one the run used
  if (spec?.transport === 'ssh') sshPorts.add(spec.port)
  if (snapshot?.host.port !== undefined && host.transport === 'ssh') sshPorts.add(snapshot.host.port)
  const codename = snapshot?.sections.os?.data?.codename
  const ports = snapshot?.sections.ports
  const listening = ports?.status === 'ok' && ports.data ? listeningPorts(ports.data.listening) : undefined
  return {
    name: host.name,
    status: host.status,
    ...(host.reason ? {reason: host.reason} : {}),
    ...(host.unit ? {unit: host.unit.path} : {}),
    ...(host.os.distribution ? {distribution: host.os.distribution} : {}),
    ...(codename && CODENAME.test(codename) ? {codename} : {}),
    sshPorts: [...sshPorts],
    ...(listening ? {listening} : {}),
    passwordLogin: spec?.passwordEnv !== undefined,
    results: host.results,
  }
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

/** The ports services listen on beyond loopback, TCP and UDP apart, each once, in order. */
function listeningPorts(sockets: readonly {protocol: 'tcp' | 'udp'; address: string; port: number}[]): {tcp: number[]; udp: number[]} {
  const of = (protocol: 'tcp' | 'udp') => [...new Set(sockets.filter((s) => s.protocol === protocol && s.port > 0 && !LOOPBACK.test(s.address)).map((s) => s.port))].sort((a, b) => a - b)
  return {tcp: of('tcp'), udp: of('udp')}
}

function connectionOf(spec: HostSpec): AnsibleConnection {
  if (spec.transport === 'local') return {local: true}
  return {
    address: spec.address,
    port: spec.port,
    ...(spec.user ? {user: spec.user} : {}),
    identityFiles: spec.identityFiles,
    knownHostsFiles: spec.knownHostsFiles,
    ...(spec.proxyJump?.length ? {proxyJump: spec.proxyJump.map((h) => `${h.user ? `${h.user}@` : ''}${h.host}${h.port ? `:${h.port}` : ''}`).join(',')} : {}),
    become: spec.sudo || (spec.user !== undefined && spec.user !== 'root'),
  }
}

function plan(results: Results, snapshots: readonly Snapshot[], packs: readonly Pack[], request: FixRequest, source: string): FixPlanOutcome {
  const hostsFile = request.hostsFile ?? results.run.hostsFile
  const inventory = hostsFile ? loadInventory(hostsFile, {sshConfig: request.sshConfig}) : undefined
  const specs = new Map((inventory?.hosts ?? []).map((h) => [h.name, h]))
  const snaps = new Map(snapshots.map((s) => [s.host.name, s]))
  const hosts = results.hosts.map((h) => fixHost(h, snaps.get(h.name), specs.get(h.name)))
  // --limit as sweep reads it: from the hosts file, else over the results' hosts and groups
  const byLimit = request.limit
    ? new Set(
        selectHosts(
          inventory ?? {
            hosts: results.hosts.map((h) => ({name: h.name}) as HostSpec),
            groups: groupsOf(results),
          },
          request.limit,
        ).map((h) => h.name),
      )
    : undefined
  const known = new Set(packs.flatMap((p) => p.checks.map((c) => c.id)))
  const strange = (request.checks ?? []).filter((c) => !known.has(c))
  if (strange.length > 0) throw new InputError(`--check names ${strange.map((c) => `'${c}'`).join(', ')}, which no loaded pack has`, "see 'hatang packs list' for the ids")
  const selection: FixSelection = {...(request.checks ? {checks: request.checks} : {}), ...(request.severity ? {severity: request.severity} : {}), ...(byLimit ? {hosts: byLimit} : {})}
  const fixPlan = buildFixPlan(hosts, packs, selection)
  const connections = new Map<string, AnsibleConnection>()
  const unplaced: string[] = []
  const byName = new Map(results.hosts.map((h) => [h.name, h]))
  for (const h of fixPlan.hosts) {
    const spec = specs.get(h.host)
    const host = byName.get(h.host)!
    if (spec) connections.set(h.host, connectionOf(spec))
    else if (host.transport === 'local') connections.set(h.host, {local: true})
    else {
      // where the results met the host, without the user, key or known hosts a hosts file would give
      const port = snaps.get(h.host)?.host.port
      connections.set(h.host, {...(host.address ? {address: host.address} : {}), ...(port ? {port} : {})})
      if (h.fixes.length > 0) unplaced.push(h.host)
    }
  }
  return {plan: fixPlan, connections, source, ...(hostsFile ? {hostsFile} : {}), unplaced}
}

function groupsOf(results: Results): Record<string, {hosts: string[]; children: string[]}> {
  const groups: Record<string, {hosts: string[]; children: string[]}> = {}
  for (const h of results.hosts) for (const g of h.groups) (groups[g] ??= {hosts: [], children: []}).hosts.push(h.name)
  return groups
}

/** The plan of a stored run: its results as judged, its snapshots' facts. Throws StoreError for an unknown run. */
export async function fixPlanOfRun(store: Store, runId: number, request: FixRequest): Promise<FixPlanOutcome> {
  const {results, snapshots, packs} = await storedRunResults(store, runId, request)
  return plan(results, snapshots, packs, request, `run ${runId}`)
}

/**
 * The plan of a results.json (facts only what results carry: fixes that need a snapshot's facts become manual), or of
 * snapshots and sweep folders judged now.
 */
export function fixPlanOfInput(args: readonly string[], request: FixRequest): FixPlanOutcome {
  const {results, snapshots, packs} = judgedInput(args, request)
  return plan(results, snapshots, packs, request, args.join(' '))
}
