import {existsSync} from 'node:fs'
import path from 'node:path'

import {InputError} from '../config/input-error.js'
import {loadPacks} from '../engine/checks/load-packs.js'
import type {SecurityLevel} from '../engine/checks/level-mapping.js'
import {selectLevel, type LevelProfile} from '../engine/checks/level-profile.js'
import type {Pack} from '../engine/checks/pack.js'
import {loadWaivers, type Waiver} from '../engine/waivers.js'
import {parseSectionFlags} from '../cli/section-flags.js'
import {loadInventory} from '../hosts/load-inventory.js'
import type {HostSpec} from '../hosts/model.js'
import {LimitError, selectHosts} from '../hosts/select.js'
import type {SectionSelection} from '../model/section-selection.js'
import type {FailOn} from '../model/severity.js'
import type {Lang} from '../report/locale.js'
import {parseFormats, type ReportFormat} from '../report/render-reports.js'
import {defaultLockPath} from '../store/store-lock-path.js'
import {defaultStorePath} from '../store/store-path.js'
import {isPostgresUrl} from '../store/store.js'
import {pushTarget} from './push.js'

/** What an audit is asked to do, as its command line says it. */
export interface AuditRequest {
  /** hosts.yaml or an Ansible inventory; undefined: this machine. */
  hostsFile?: string
  limit?: string
  /** The ssh_config to consult (null: none; absent: ~/.ssh/config when it exists). */
  sshConfig: {sshConfig?: string | null}
  /** Built-in pack names or pack files; default every built-in pack. */
  packs?: readonly string[]
  waiversFile?: string
  /** Report formats, comma-separated (--format). */
  formats: string
  templateDir?: string
  outputDir: string
  /** The store: a file (default the XDG one) or a postgres:// URL. */
  store?: string
  /** The lock file; default the store file + .lock, or a file in the state folder for a PostgreSQL store (store-lock-path.ts). */
  lockFile?: string
  lang: Lang
  failOn: FailOn
  minCoverage: number
  staleAfterDays: number
  quiet: boolean
  /** This machine: read the hardware with systeminformation: always, never, or (undefined) where no probe reads it. */
  native: boolean | undefined
  concurrency: number
  commandTimeoutS: number
  connectTimeoutS: number
  acceptNew: boolean
  /** How the audit was started, written into the lock file for whoever finds it held. */
  command: string
  /** The site the run is taken at (--site, HATANG_SITE); default this machine's hostname. */
  site?: string
  /** The centre's store to push the run to once stored (--push URL): a failed push is a warning and exit 7. */
  push?: string
  /** Only the checks a system of this security level must pass (--level). */
  level?: SecurityLevel
  /** --sections: only these sections (comma list, as typed). */
  sections?: string
  /** --skip: every section but these (comma list, as typed). */
  skip?: string
}

/** What one audit works with, decided before it starts: its configuration read and checked. */
export interface AuditPlan {
  request: AuditRequest
  /** The hosts to sweep; undefined: this machine. */
  hosts: HostSpec[] | undefined
  packs: Pack[]
  waivers: Waiver[]
  /** --level: the profile the packs were cut to. */
  levelProfile?: LevelProfile
  /** --sections, --skip: the sections to collect; undefined: every section. */
  selection?: SectionSelection
  formats: ReportFormat[]
  storeFile: string
  lockFile: string
}

/**
 * Reads and checks everything an audit is configured with — packs, waivers, the hosts file and --limit, formats, the
 * template folder — before anything is collected or stored. A problem is a usage error (exit 2) that says what, where
 * and what next: InputError, or ConfigError listing every problem of a file at file:line:column.
 */
export function planAudit(request: AuditRequest): AuditPlan {
  const file = request.hostsFile
  let packs: Pack[]
  let waivers: Waiver[] = []
  let hosts: HostSpec[] | undefined
  let levelProfile: LevelProfile | undefined
  try {
    packs = loadPacks(request.packs)
    if (request.waiversFile) waivers = loadWaivers(request.waiversFile)
    if (request.level !== undefined) ({packs, profile: levelProfile} = selectLevel(packs, request.level))
    if (file) hosts = selectHosts(loadInventory(file, request.sshConfig), request.limit)
  } catch (error) {
    if (error instanceof LimitError) throw new InputError(error.message, `run 'hatang hosts list ${file}'`)
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${(error as NodeJS.ErrnoException).path}: no such file`)
    throw error
  }
  if (hosts?.length === 0) throw new InputError(`no host in ${file} matches --limit ${request.limit}`, `run 'hatang hosts list ${file}'`)
  if (!file && request.limit) throw new InputError('--limit needs a hosts file')
  const selection = parseSectionFlags(request)
  const {formats, problem} = parseFormats(request.formats)
  if (problem) throw new InputError(problem.message, problem.hint)
  if (request.templateDir && !existsSync(request.templateDir)) throw new InputError(`--template ${request.templateDir}: no such folder`)
  const store = request.store || defaultStorePath()
  const storeFile = isPostgresUrl(store) ? store : path.resolve(store)
  // a --push URL that cannot be read (or carries a password) is a configuration error: exit 2 before anything is done
  if (request.push !== undefined) pushTarget(request.push)
  return {request, hosts, packs, waivers, ...(levelProfile ? {levelProfile} : {}), ...(selection ? {selection} : {}), formats, storeFile, lockFile: path.resolve(request.lockFile ?? defaultLockPath(storeFile))}
}
