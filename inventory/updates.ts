import {ParseError} from './kit/parse-error.js'
import {BoundedMap} from './kit/bounded-map.js'
import type {ProbeResult} from './kit/implementation.js'
import {defineProbe, type CommandOutput, type ProbeContext} from './kit/probe.js'
import {failure, isoFromEpochSeconds, lines, notInstalled, succeeded} from './kit/probe-helpers.js'
import {updatesSection, PENDING_METHODS, STALE_CACHE_SECONDS, UPDATE_MANAGERS, type PendingUpdate, type SourceData, type UpdatesData} from '../src/model/sections/updates.js'
import {APT_PENDING, aptConfigOf, aptListCommand, aptMethodOf, foreignFromLists, parseAptLists, parseAptUpgradable, pendingFromLists, SECURITY_ARCHIVE, type AptListsOutput} from './updates-apt-lists.js'
import {dpkgPackages} from './kit/dpkg-packages.js'
import {aptIndexKind, fillFromIndexes, indexOutput, wantedIndexesOf} from './updates-apt-index.js'
import {automaticUpdatesFrom} from './updates-automatic.js'
import {rebootFrom} from './updates-reboot.js'
import {parseSources, SOURCES} from './updates-sources.js'
import {parseUpdateState, STATE} from './updates-state.js'

// pending: the apt lists (updates-apt-lists.ts) or apt list --upgradable on apt systems; dnf/yum check-update from the cache.
const PENDING = [
  `if command -v apt >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then ${'\n'}${APT_PENDING}`,
  'elif command -v dnf >/dev/null 2>&1; then echo "#manager dnf"; dnf -C -q check-update',
  'elif command -v yum >/dev/null 2>&1; then echo "#manager yum"; yum -C -q check-update',
  'else exit 127; fi',
  // check-update exits 100 when there are updates
  '_rc=$?; [ "$_rc" -eq 100 ] && exit 0; exit "$_rc"',
].join('\n')

const SECURITY = [
  'if command -v apt >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then exit 127',
  'elif command -v dnf >/dev/null 2>&1; then exec dnf -C -q updateinfo list --security',
  'elif command -v yum >/dev/null 2>&1; then exec yum -C -q updateinfo list security',
  'else exit 127; fi',
].join('\n')

/**
 * Parses `dnf|yum -C -q check-update`: `name.arch  [epoch:]version-release  repo` lines, a long name
 * wrapped onto its own line, then an optional "Obsoleting Packages" section (not updates of their own).
 */
export function parseCheckUpdate(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = []
  let carried = ''
  for (const [i, raw] of lines(text).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#manager ')) continue
    if (/^Obsoleting Packages/i.test(line)) break
    if (/^(Last metadata expiration check|Security:)/.test(line)) continue
    const fields = (carried ? `${carried} ${line}` : line).split(/\s+/)
    if (fields.length === 1) {
      carried = fields[0]!
      continue
    }
    carried = ''
    if (fields.length !== 3) throw new ParseError(`expected "name.arch version repo": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
    const [nameArch, candidate, repo] = fields as [string, string, string]
    const dot = nameArch.lastIndexOf('.')
    if (dot <= 0 || dot === nameArch.length - 1) throw new ParseError(`no architecture in ${JSON.stringify(nameArch.slice(0, 80))}`, i + 1)
    if (!/^(\d+:)?[^:-][^:]*-[^-]+$/.test(candidate)) throw new ParseError(`not a version-release: ${JSON.stringify(candidate.slice(0, 80))}`, i + 1)
    out.push({name: nameArch.slice(0, dot), architecture: nameArch.slice(dot + 1), candidate, security: false, origins: [repo]})
  }
  if (carried) throw new ParseError('output ends inside a wrapped line')
  return out
}

const NEVRA = /^(.+)-(?:\d+:)?[^-]+-[^-]+\.(x86_64|noarch|i686|i386|aarch64|ppc64le|ppc64|s390x|armv7hl|riscv64|src)$/

/** Parses `dnf updateinfo list --security` (dnf 4, dnf 5) and `yum updateinfo list security`: the names of the packages that advisories fix. */
export function parseSecurityAdvisories(text: string): Set<string> {
  const names = new Set<string>()
  for (const line of lines(text)) {
    for (const token of line.trim().split(/\s+/)) {
      const m = NEVRA.exec(token)
      if (m) names.add(`${m[1]}.${m[2]}`)
    }
  }
  return names
}

function managerOf(out: CommandOutput): (typeof UPDATE_MANAGERS)[number] | undefined {
  const m = /^#manager (apt|dnf|yum)$/m.exec(out.stdout)
  return m ? (m[1] as (typeof UPDATE_MANAGERS)[number]) : undefined
}

const days = (seconds: number) => Math.floor(seconds / 86400)

interface IndexAnswer {
  lists: AptListsOutput
  why?: string
  /** pendingFromLists(lists) and foreignFromLists(lists), once asked for. */
  pending?: PendingUpdate[]
  foreign?: ReturnType<typeof foreignFromLists>
}

/**
 * The index method's answers, by the text a host sent, with the contents they were filled from: followUp and
 * interpret ask in turn, and hosts built alike (a fleet from one image) send the same text and share the same
 * loaded indexes, whose pending list was ~4 ms of the controller's CPU a host. A few are kept, since a sweep's
 * hosts interleave; an answer is reused only for the very same contents (the same loaded indexes, the same problems).
 */
const indexAnswers = new BoundedMap<string, {contents: ProbeContext['contents']; problems: ProbeContext['contentProblems']; answer: IndexAnswer}>(8)

function sameEntries<V>(a: ReadonlyMap<string, V> | undefined, b: ReadonlyMap<string, V> | undefined): boolean {
  if (a === b) return true
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false
  for (const [k, v] of a ?? []) if (b?.get(k) !== v) return false
  return true
}

function indexAnswer(text: string, context: ProbeContext): IndexAnswer {
  const kept = indexAnswers.get(text)
  if (kept && sameEntries(kept.contents, context.contents) && sameEntries(kept.problems, context.contentProblems)) return kept.answer
  const lists = parseAptLists(text)
  const why = fillFromIndexes(lists, context.contents, context.contentProblems)
  const answer: IndexAnswer = why ? {lists, why} : {lists}
  indexAnswers.set(text, {contents: context.contents, problems: context.contentProblems, answer})
  return answer
}

/** The pending updates of an index answer: computed once, each host given its own copy. */
function pendingOf(answer: IndexAnswer): PendingUpdate[] {
  answer.pending ??= pendingFromLists(answer.lists)
  return answer.pending.map((p) => ({...p}))
}

/** The installed packages no list offers, of an index answer: computed once, each host given its own copy. */
function foreignOf(answer: IndexAnswer): ReturnType<typeof foreignFromLists> {
  answer.foreign ??= foreignFromLists(answer.lists)
  return {...answer.foreign, names: [...answer.foreign.names]}
}

export const updatesProbe = defineProbe({
  section: updatesSection,
  platforms: ['Linux'],
  commands: {
    pending: PENDING,
    security: SECURITY,
    state: STATE,
    sources: SOURCES,
  },
  // the index method's installed packages: the list the packages section reads, read once a host
  shared: {installed: dpkgPackages},
  timeoutMs: 30_000,
  weight: 13,
  contents: {
    kind: aptIndexKind,
    wanted(out) {
      const text = out.pending?.stdout
      return text && out.pending!.exitCode === 0 && aptMethodOf(text) === 'index' ? wantedIndexesOf(text) : []
    },
  },
  followUp(out, context) {
    // a phased update (Ubuntu) of an installed package: apt decides per machine, so apt answers
    const text = out.pending?.stdout
    if (!text || out.pending!.exitCode !== 0 || aptMethodOf(text) !== 'index') return undefined
    // without the installed packages, apt answers (as the command itself did when dpkg-query failed)
    const index = indexOutput(text, out.installed)
    if (index.why !== undefined) return {pending: aptListCommand(index.why)}
    const why = indexAnswer(index.text, context).why
    return why?.startsWith('phased update') ? {pending: aptListCommand(why)} : undefined
  },
  interpret(out, context): ProbeResult<UpdatesData> {
    const pendingOut = out.pending
    if (notInstalled(pendingOut)) return {status: 'unavailable', reason: 'not installed: no apt, dnf or yum'}
    const stateFail = failure(out.state, 'state')
    if (stateFail) return stateFail
    const state = parseUpdateState(out.state!.stdout)
    const manager = pendingOut?.ran ? managerOf(pendingOut) : undefined
    if (manager === 'apt') state.aptConfig = aptConfigOf(pendingOut!.stdout)
    if (!manager) return failure(pendingOut, 'pending updates') ?? {status: 'error', reason: 'pending updates: no "#manager" line'}
    const missing: string[] = []

    let packages: PendingUpdate[] | undefined
    let method: (typeof PENDING_METHODS)[number] | undefined
    let aptLists: AptListsOutput | undefined
    let listsAnswer: IndexAnswer | undefined
    let foreignReason: string | undefined
    const aptWhat = pendingOut && aptMethodOf(pendingOut.stdout) !== 'apt-list' ? 'reading the apt lists' : 'apt list --upgradable'
    const fail = failure(pendingOut, manager === 'apt' ? aptWhat : `${manager} check-update`)
    if (fail) missing.push(fail.reason ?? 'pending updates')
    else if (manager === 'apt') {
      method = aptMethodOf(pendingOut!.stdout)
      const index = method === 'index' ? indexOutput(pendingOut!.stdout, out.installed) : undefined
      if (index?.why !== undefined) {
        missing.push(`pending updates unknown: ${index.why}`)
        foreignReason = `not read: ${index.why}`
      } else if (method !== 'apt-list') {
        const answer: IndexAnswer = index ? indexAnswer(index.text, context) : {lists: parseAptLists(pendingOut!.stdout)}
        aptLists = answer.lists
        listsAnswer = answer
        const why = answer.why
        if (why) {
          missing.push(`pending updates unknown: ${why}`)
          foreignReason = `not read: ${why}`
          aptLists = undefined
        } else packages = pendingOf(answer)
      } else {
        packages = parseAptUpgradable(pendingOut!.stdout)
        const why = /^#fallback (.+)$/m.exec(pendingOut!.stdout)?.[1]
        foreignReason = `not read: the package lists were not read (${why ?? 'apt list --upgradable was used'})`
      }
    }
    else {
      packages = parseCheckUpdate(pendingOut!.stdout)
      if (succeeded(out.security)) {
        const secure = parseSecurityAdvisories(out.security.stdout)
        for (const p of packages) p.security = secure.has(`${p.name}.${p.architecture}`)
      } else {
        missing.push(failure(out.security, 'security advisories')?.reason ?? 'security advisories')
        packages = undefined
      }
    }

    // the cache's age
    let updated: number | undefined
    if (manager === 'apt') {
      const times = ['/var/lib/apt/lists', '/var/lib/apt/periodic/update-success-stamp'].map((p) => state.mtimes.get(p)).filter((t) => t !== undefined)
      if (state.aptListFiles > 0 && times.length > 0) updated = Math.max(...times)
    } else {
      const times = [...state.mtimes].filter(([p]) => p.endsWith('/repomd.xml')).map(([, t]) => t)
      if (times.length > 0) updated = Math.min(...times)
    }
    const updatedAt = isoFromEpochSeconds(updated)
    const age = updated !== undefined && state.nowEpoch !== undefined ? Math.max(0, state.nowEpoch - updated) : undefined
    const stale = updatedAt === undefined || age === undefined || age > STALE_CACHE_SECONDS
    if (packages && manager === 'apt' && state.aptListFiles === 0) {
      missing.push('no package lists (apt-get update never ran): pending updates unknown')
      packages = undefined
    } else if (packages && stale) {
      missing.push(
        age === undefined
          ? 'package cache age unknown: pending updates may be missing'
          : `stale package cache: last refreshed ${days(age)} days ago, pending updates may be missing`,
      )
    }

    // the sources: a count of pending security updates is evidence only when a security source is configured and its lists are there
    let sources: SourceData[] | undefined
    let securityKnown = packages !== undefined
    if (succeeded(out.sources)) {
      const parsed = parseSources(out.sources.stdout)
      if (parsed.denied.length > 0) missing.push(`needs root: ${parsed.denied.join(', ')}`)
      else sources = parsed.sources
    } else if (!notInstalled(out.sources)) missing.push(failure(out.sources, 'package sources')?.reason ?? 'package sources')
    const securitySource = sources?.some((x) => x.security)
    if (packages && securitySource === false) {
      securityKnown = false
      missing.push(
        `no security source configured (${manager === 'apt' ? 'no *-security suite among the apt sources' : 'no BaseOS, AppStream or updates repository enabled'}): pending security updates unknown`,
      )
    } else if (packages && securitySource && aptLists && !aptLists.lists.some((l) => SECURITY_ARCHIVE.test(l.fields.Suite ?? ''))) {
      securityKnown = false
      missing.push('the security suite\'s package lists were never downloaded (apt-get update): pending security updates unknown')
    }

    // the installed packages no list offers: only from the lists method's pass (no cost of its own)
    if (manager !== 'apt') foreignReason = `not read on ${manager} hosts`
    else if (!aptLists) foreignReason ??= fail?.reason ?? 'pending updates not read'
    else if (state.aptListFiles === 0 || aptLists.lists.length === 0) foreignReason = 'no package lists downloaded (apt-get update never ran)'
    const foreign = aptLists && listsAnswer && !foreignReason ? foreignOf(listsAnswer) : undefined

    if (manager === 'apt' && !state.aptConfig && state.tools.has('unattended-upgrade')) {
      missing.push("apt's unattended-upgrade settings not read (apt-config did not answer): whether it installs updates is unknown")
    }

    const data: UpdatesData = {
      manager,
      ...(method ? {method} : {}),
      ...(packages ? {pending: packages.length, ...(securityKnown ? {security: packages.filter((p) => p.security).length} : {}), packages} : {}),
      ...(sources ? {sources, securitySource: securitySource!} : {}),
      ...(foreign ? {foreign} : {foreignReason: foreignReason!}),
      ...(updatedAt ? {cacheUpdatedAt: updatedAt} : {}),
      ...(age === undefined ? {} : {cacheAgeSeconds: age}),
      cacheStale: stale,
      reboot: rebootFrom(state),
      automaticUpdates: automaticUpdatesFrom(state, manager),
    }
    return missing.length > 0 ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
