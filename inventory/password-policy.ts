import {parseNumberedFiles, type NumberedFile} from './kit/numbered-files.js'
import {defineProbe} from './kit/probe.js'
import {failure, succeeded, toInt} from './kit/probe-helpers.js'
import {PAM_FILES, passwordPolicySection, type PasswordPolicyData, type PolicySetting} from '../src/model/sections/password-policy.js'

const PWQUALITY_D = '/etc/security/pwquality.conf.d/*.conf'
const PWQUALITY = '/etc/security/pwquality.conf'
const FAILLOCK = '/etc/security/faillock.conf'
const PWHISTORY = '/etc/security/pwhistory.conf'

/**
 * The files in numbered-files form (`!file PATH`, `N:text`, `!denied PATH`; see kit/numbered-files.ts), by one awk
 * over all of them rather than a grep per file: the existence tests are the shell's own. An empty file prints nothing.
 */
const FILES_COMMAND = [
  `set --; for f in ${[...PAM_FILES, PWQUALITY_D, PWQUALITY, FAILLOCK, PWHISTORY].join(' ')}; do`,
  '  if [ -f "$f" ]; then if [ -r "$f" ]; then set -- "$@" "$f"; else echo "!denied $f"; fi; fi',
  'done',
  // at most ~1 MB, counted by awk itself (no head process): it stops before the line that would pass it
  `[ $# -eq 0 ] || awk 'FNR == 1 { b += length(FILENAME) + 7; if (b > 1000000) exit; print "!file " FILENAME } { b += length($0) + 12; if (b > 1000000) exit; print FNR ":" $0 }' "$@"`,
  'exit 0',
].join('\n')

/** A line of a PAM stack: its type, the module (base name, no .so) and its arguments, where it is. */
export interface PamLine {
  type: 'auth' | 'password'
  module: string
  args: Map<string, string>
  file: string
  line: number
}

const PAM_LINE = /^\s*-?(auth|password)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$/

/** The `auth` and `password` lines of the PAM files, in file and line order; comments and other types left out. */
export function pamLines(files: readonly NumberedFile[]): PamLine[] {
  const out: PamLine[] = []
  const pam = new Set<string>(PAM_FILES)
  for (const f of files) {
    if (!pam.has(f.path)) continue
    for (const {n, text} of f.lines ?? []) {
      const m = PAM_LINE.exec(text.replace(/#.*$/, ''))
      if (!m) continue
      const module = m[3]!.replace(/^.*\//, '').replace(/\.so$/, '')
      const args = new Map<string, string>()
      for (const a of m[4]!.split(/\s+/).filter(Boolean)) {
        const eq = a.indexOf('=')
        if (eq < 0) args.set(a, '')
        else args.set(a.slice(0, eq), a.slice(eq + 1))
      }
      out.push({type: m[1] as PamLine['type'], module, args, file: f.path, line: n})
    }
  }
  return out
}

/** `key = value` settings of a configuration file (pwquality.conf, faillock.conf, pwhistory.conf): integers only. */
function fileSettings(f: NumberedFile, keys: readonly string[], into: Record<string, PolicySetting>): void {
  for (const {n, text} of f.lines ?? []) {
    const m = /^\s*([a-z_]+)\s*=\s*(-?\d+)\s*(#.*)?$/.exec(text)
    if (m && keys.includes(m[1]!)) into[m[1]!] = {value: toInt(m[2])!, file: f.path, line: n}
  }
}

function argSettings(l: PamLine, keys: readonly string[], into: Record<string, PolicySetting>): void {
  for (const k of keys) {
    const v = toInt(l.args.get(k))
    if (v !== undefined) into[k] = {value: v, file: l.file, line: l.line}
  }
}

const defaults = (values: Record<string, number>): Record<string, PolicySetting> => Object.fromEntries(Object.entries(values).map(([k, value]) => [k, {value}]))

const QUALITY_KEYS = ['minlen', 'dcredit', 'ucredit', 'lcredit', 'ocredit', 'minclass', 'retry'] as const
/** libpwquality's defaults (pwquality.conf(5)) and pam_cracklib's (pam_cracklib(8)). */
const QUALITY_DEFAULTS = {
  pam_pwquality: {minlen: 8, dcredit: 0, ucredit: 0, lcredit: 0, ocredit: 0, minclass: 0, retry: 1},
  pam_cracklib: {minlen: 9, dcredit: 1, ucredit: 1, lcredit: 1, ocredit: 1, minclass: 0, retry: 1},
}
/** pam_faillock's defaults (faillock.conf(5)); pam_tally2 locks nothing unless told. */
const LOCKOUT_DEFAULTS = {pam_faillock: {deny: 3, unlock_time: 600, fail_interval: 900}, pam_tally2: {deny: 0, unlock_time: 0}}

/** The effective policy the stacks and files set (see PasswordPolicySchema). */
export function passwordPolicy(files: readonly NumberedFile[]): PasswordPolicyData {
  const stack = pamLines(files)
  const read = files.filter((f) => f.lines)
  const data: PasswordPolicyData = {pamFiles: read.map((f) => f.path).filter((p) => (PAM_FILES as readonly string[]).includes(p))}
  const denied = files.filter((f) => f.denied).map((f) => f.path)
  if (denied.length) data.unreadable = denied

  const quality = stack.find((l) => l.type === 'password' && (l.module === 'pam_pwquality' || l.module === 'pam_cracklib'))
  if (quality) {
    const module = quality.module as 'pam_pwquality' | 'pam_cracklib'
    const s = defaults(QUALITY_DEFAULTS[module])
    if (module === 'pam_pwquality') {
      const confD = read.filter((f) => f.path.startsWith('/etc/security/pwquality.conf.d/')).sort((a, b) => (a.path < b.path ? -1 : 1))
      for (const f of [...confD, ...read.filter((f) => f.path === PWQUALITY)]) fileSettings(f, QUALITY_KEYS, s)
    }
    argSettings(quality, QUALITY_KEYS, s)
    data.quality = {module, file: quality.file, line: quality.line, minLength: s.minlen!, dcredit: s.dcredit!, ucredit: s.ucredit!, lcredit: s.lcredit!, ocredit: s.ocredit!, minClass: s.minclass!, retry: s.retry!}
  }

  const histories: NonNullable<PasswordPolicyData['history']>[] = []
  const pwhistory = stack.find((l) => l.type === 'password' && l.module === 'pam_pwhistory')
  if (pwhistory) {
    const s = defaults({remember: 10})
    for (const f of read.filter((f) => f.path === PWHISTORY)) fileSettings(f, ['remember'], s)
    argSettings(pwhistory, ['remember'], s)
    histories.push({module: 'pam_pwhistory', remember: s.remember!})
  }
  const unix = stack.find((l) => l.type === 'password' && l.module === 'pam_unix' && toInt(l.args.get('remember')) !== undefined)
  if (unix) histories.push({module: 'pam_unix', remember: {value: toInt(unix.args.get('remember'))!, file: unix.file, line: unix.line}})
  const history = histories.sort((a, b) => b.remember.value - a.remember.value)[0]
  if (history) data.history = history

  const lock = stack.find((l) => l.type === 'auth' && (l.module === 'pam_faillock' || l.module === 'pam_tally2'))
  if (lock) {
    const module = lock.module as 'pam_faillock' | 'pam_tally2'
    const s = defaults(LOCKOUT_DEFAULTS[module])
    if (module === 'pam_faillock') for (const f of read.filter((f) => f.path === FAILLOCK)) fileSettings(f, ['deny', 'unlock_time', 'fail_interval'], s)
    argSettings(lock, ['deny', 'unlock_time', 'fail_interval'], s)
    data.lockout = {module, file: lock.file, line: lock.line, deny: s.deny!, unlockTime: s.unlock_time!, ...(s.fail_interval ? {failInterval: s.fail_interval} : {})}
  }
  return data
}

export const passwordPolicyProbe = defineProbe({
  section: passwordPolicySection,
  platforms: ['Linux'],
  commands: {
    files: FILES_COMMAND,
  },
  interpret(out) {
    if (!succeeded(out.files)) return failure(out.files, 'PAM files') ?? {status: 'error', reason: 'PAM files'}
    const files = parseNumberedFiles(out.files.stdout)
    const data = passwordPolicy(files)
    if (data.pamFiles.length === 0 && !data.unreadable) return {status: 'unavailable', reason: `none of ${PAM_FILES.join(', ')} exists`}
    // a module line in a file that cannot be read is unknown, and so is every rule: no data, rather than a false "none"
    if (data.unreadable) return {status: 'unavailable', reason: `cannot read ${data.unreadable.join(', ')}: needs root`}
    return {status: 'ok', data}
  },
})
