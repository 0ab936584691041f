import path from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Check, type Pack} from '../../../src/engine/checks/pack.js'
import {SYSCTL_FIX_FILE} from '../../../src/engine/checks/persisted-sysctl.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import {FIX_FACTS, isAutoFix, type AutoFix, type FixTask} from '../../../src/engine/fixes/fix-schema.js'
import {readSnapshotFile} from '../../../src/engine/load-snapshots.js'
import {SYSCTL_KEYS} from '../../../src/model/sections/sysctl.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {parseAccountFiles} from '../../../inventory/accounts.js'
import {parseLogging} from '../../../inventory/audit.js'
import {parseProcessTable} from '../../../inventory/kit/process-table.js'
import {parseSshdConfig, summarize} from '../../../inventory/sshd.js'
import {parseCoreDumps} from '../../../inventory/sysctl.js'
import {persistedValues} from '../../../inventory/sysctl-persisted.js'
import {parseSources} from '../../../inventory/updates-sources.js'
import {FIXTURES} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

/**
 * The fixes of the built-in packs as data: what each writes is read back by hatang's own parsers (sshd's files, the
 * sysctl files, login.defs, limits.d, journald's drop-ins, apt's sources) and must make its own check pass on a real
 * snapshot where it failed; the Ansible tasks and the sh script of a fix write the same lines; the facts a fix reads
 * are declared. The fixes run for real in the loop (test/integration); here nothing runs.
 */
type Fixed = Check & {fix: AutoFix}
const packs: Pack[] = []
const fixed: Fixed[] = []
let base: Snapshot

beforeAll(() => {
  for (const name of builtinPackNames()) packs.push(loadPack(packFile(name)))
  for (const p of packs) for (const c of p.checks) if (isAutoFix(c.fix)) fixed.push(c as Fixed)
  // a real snapshot (a loopback host of the captured fleet), Debian with sshd
  base = readSnapshotFile(path.join(FIXTURES, 'fleet', 'web1.json'))
})

const statusOf = (check: Check, s: Snapshot) => runChecks(s, [{...packs.find((p) => p.checks.includes(check))!, checks: [check]}]).results[0]!.status
const argsOf = (task: FixTask, module: string) => (task as Record<string, unknown>)[module] as Record<string, unknown> | undefined
const lineTasks = (fix: AutoFix) => fix.ansible.map((t) => argsOf(t, 'ansible.builtin.lineinfile')).filter((a): a is Record<string, unknown> => a !== undefined && a.state !== 'absent')
/** An ERE of the sh scripts as the Python regular expression lineinfile reads: the same pattern, spelled the other way. */
const asPython = (ere: string) => ere.replace(/\[\[:space:\]\]/g, '\\s').replace(/\[([.*])\]/g, '\\$1')
/** `hatang_set_line FILE 'ERE' 'LINE'` calls of a script. */
const setLines = (sh: string) => [...sh.matchAll(/hatang_set_line (\S+) '([^']*)' '([^']*)'/g)].map(([, file, ere, line]) => ({file, ere, line}))

const SSHD_DROPIN = '/etc/ssh/sshd_config.d/00-hatang.conf'
const INCLUDE = 'Include /etc/ssh/sshd_config.d/*.conf'
const sshdFixes = () => fixed.filter((c) => lineTasks(c.fix).some((a) => a.path === SSHD_DROPIN))
/** A value sshd_config could hold that fails each check a fix is for (the test below first sees it fail). */
const FAILING: Record<string, string> = {
  PermitRootLogin: 'yes',
  PasswordAuthentication: 'yes',
  PermitEmptyPasswords: 'yes',
  MaxAuthTries: '6',
  X11Forwarding: 'yes',
  ClientAliveInterval: '0',
  ClientAliveCountMax: '0',
  LogLevel: 'QUIET',
  Ciphers: 'aes128-cbc,aes256-ctr',
  MACs: 'hmac-md5,hmac-sha2-256',
  HostbasedAuthentication: 'yes',
  IgnoreRhosts: 'no',
  PermitUserEnvironment: 'yes',
  LoginGraceTime: '120',
  MaxSessions: '64',
}
/** sshd's section as hatang reads the files (no sshd -T): sshd_config, then the files its Include names. */
function withSshdFiles(s: Snapshot, files: Record<string, string[]>): Snapshot {
  const text = Object.entries(files).map(([file, lines]) => [`==> ${file}`, ...lines].join('\n')).join('\n')
  const {settings} = parseSshdConfig(text)
  return withSection(s, 'sshd', {status: 'ok', data: {installed: true, source: 'config', settings, ...summarize(settings)}})
}

describe('the sshd fixes', () => {
  it('are the sshd risk, notify the reload (sshd -t first) and write the drop-in with one mode', () => {
    expect(sshdFixes().length).toBeGreaterThanOrEqual(10)
    for (const c of sshdFixes()) {
      expect(c.fix.risk, c.id).toBe('sshd')
      for (const t of c.fix.ansible) if (argsOf(t, 'ansible.builtin.lineinfile')) expect(t.notify, c.id).toBe('hatang reload sshd')
      // two modes on one file would make every run change it
      expect(lineTasks(c.fix).filter((a) => a.path === SSHD_DROPIN).map((a) => a.mode), c.id).toEqual(['0644'])
      expect(c.fix.sh, c.id).toMatch(/ reload-sshd$/m)
    }
  })

  it('first make sshd_config include the drop-ins, in Ansible and in sh', () => {
    for (const c of sshdFixes()) {
      const first = argsOf(c.fix.ansible[0]!, 'ansible.builtin.lineinfile')
      expect(first, c.id).toEqual({path: '/etc/ssh/sshd_config', line: INCLUDE, insertbefore: 'BOF'})
      expect(c.fix.sh.startsWith(`if ! grep -qxF '${INCLUDE}' /etc/ssh/sshd_config; then\n  sed -i '1i\\\n${INCLUDE}' /etc/ssh/sshd_config\n`), c.id).toBe(true)
    }
  })

  it('each make its own check pass where sshd_config set a failing value, read as hatang reads sshd files', () => {
    for (const c of sshdFixes()) {
      const line = lineTasks(c.fix).find((a) => a.path === SSHD_DROPIN)!.line as string
      const keyword = line.split(' ')[0]!
      expect(FAILING[keyword], `${c.id}: a failing value of ${keyword}`).toBeDefined()
      const main = [`${keyword} ${FAILING[keyword]}`, 'PasswordAuthentication yes', 'UsePAM yes']
      // root with a password it could log in with (accounts.root-password-ssh judges it too)
      const host = withData(base, 'accounts', {passwords: [{name: 'root', status: 'set'}]})
      expect(statusOf(c, withSshdFiles(host, {'/etc/ssh/sshd_config': main})), c.id).toBe('fail')
      const after = withSshdFiles(host, {'/etc/ssh/sshd_config': [INCLUDE, ...main], [SSHD_DROPIN]: [line]})
      expect(statusOf(c, after), c.id).toBe('pass')
    }
  })

  it('that could cut a password login are only for hosts hatang reaches with a key', () => {
    for (const c of sshdFixes()) {
      const line = lineTasks(c.fix).find((a) => a.path === SSHD_DROPIN)!.line as string
      if (/^(PasswordAuthentication|PermitRootLogin) /.test(line)) expect(c.fix.guard, c.id).toBe('keyLogin')
    }
  })
})

/** The kernel parameters an assertion reads ({sysctl: KEY, …} anywhere in it). */
function sysctlKeys(a: unknown): string[] {
  if (a === null || typeof a !== 'object') return []
  const own = typeof (a as {sysctl?: unknown}).sysctl === 'string' ? [(a as {sysctl: string}).sysctl] : []
  return [...own, ...Object.values(a).flatMap(sysctlKeys)]
}
const sysctlTask = (fix: AutoFix) => fix.ansible.find((t) => argsOf(t, 'ansible.posix.sysctl'))
const sysctlFixes = () => fixed.filter((c) => sysctlTask(c.fix))

describe('the sysctl fixes', () => {
  it('write the file the checks name, set the running value only where it differs, and never reload every file', () => {
    expect(sysctlFixes().length).toBeGreaterThanOrEqual(15)
    for (const c of sysctlFixes()) {
      const a = argsOf(sysctlTask(c.fix)!, 'ansible.posix.sysctl')!
      expect(a, c.id).toMatchObject({name: '{{ item }}', sysctl_file: SYSCTL_FIX_FILE, sysctl_set: true, reload: false})
      expect(c.fix.ansible[0], c.id).toMatchObject({'ansible.builtin.file': {path: SYSCTL_FIX_FILE, mode: '0644'}})
    }
  })

  it('set in sh the same parameters to the same value, in the same file', () => {
    for (const c of sysctlFixes()) {
      const task = sysctlTask(c.fix)!
      const value = argsOf(task, 'ansible.posix.sysctl')!.value as string
      expect(c.fix.sh, c.id).toContain(`for hatang_key in ${task.loop!.join(' ')}; do`)
      expect(c.fix.sh, c.id).toContain(`hatang_set_line ${SYSCTL_FIX_FILE} "^[[:space:]]*$(echo "$hatang_key" | sed 's/[.]/[.]/g')[[:space:]]*=" "$hatang_key=${value}"`)
      expect(c.fix.sh, c.id).toContain(`if [ "$(sysctl -n "$hatang_key")" != ${value} ]; then\n    sysctl -q -w "$hatang_key=${value}"`)
    }
  })

  it('each make its own check pass, running and persisted as hatang reads the boot files, where it failed', () => {
    for (const c of sysctlFixes()) {
      const task = sysctlTask(c.fix)!
      const keys = task.loop!.map(String)
      const value = argsOf(task, 'ansible.posix.sysctl')!.value as string
      for (const k of keys) {
        expect(SYSCTL_KEYS as readonly string[], c.id).toContain(k)
        expect(sysctlKeys(c.assert), c.id).toContain(k)
      }
      const data = (base.sections as unknown as Record<string, {data: {params: Record<string, string>; absent: string[]; persisted: Record<string, unknown>}}>).sysctl!.data
      const without = Object.fromEntries(Object.entries(data.persisted).filter(([k]) => !keys.includes(k)))
      // running right (as sysctl -w leaves it) but set by no file the boot reads: the check fails "not persisted"
      const running = {params: {...data.params, ...Object.fromEntries(keys.map((k) => [k, value]))}, absent: data.absent.filter((k) => !keys.includes(k))}
      const before = withData(base, 'sysctl', {...running, persisted: without, persistedUnreadable: []})
      expect(statusOf(c, before), `${c.id} before`).toBe('fail')
      // the file the fix writes, as sysctl.d lines (the module writes key=value), read by the persisted-sysctl parser
      const written = persistedValues([{path: SYSCTL_FIX_FILE, lines: keys.map((k, i) => ({n: i + 1, text: `${k}=${value}`}))}], keys)
      const after = withData(base, 'sysctl', {...running, persisted: {...without, ...written}, persistedUnreadable: []})
      expect(statusOf(c, after), `${c.id} after`).toBe('pass')
    }
  })

  it('of IPv4 forwarding comes before the one of ICMP redirects (turning forwarding off sets conf.all.accept_redirects to 1)', () => {
    const ids = packs.flatMap((p) => p.checks.map((c) => c.id))
    expect(ids.indexOf('sysctl.ip-forward')).toBeGreaterThanOrEqual(0)
    expect(ids.indexOf('sysctl.ip-forward')).toBeLessThan(ids.indexOf('sysctl.accept-redirects'))
  })
})

describe('the other fixes', () => {
  const fixOf = (id: string) => fixed.find((c) => c.id === id)!
  const contentOf = (id: string) => argsOf(fixOf(id).fix.ansible.find((t) => argsOf(t, 'ansible.builtin.copy'))!, 'ansible.builtin.copy')!

  it('of login.defs make their checks pass, as hatang reads login.defs', () => {
    const ids = fixed.filter((c) => lineTasks(c.fix).some((a) => a.path === '/etc/login.defs')).map((c) => c.id)
    expect(ids.length).toBeGreaterThanOrEqual(4)
    for (const id of ids) {
      const c = fixOf(id)
      const line = lineTasks(c.fix)[0]!.line as string
      const {loginDefs} = parseAccountFiles(`def:${line}\n`)
      const current = (base.sections as unknown as Record<string, {data: {loginDefs: object}}>).accounts!.data.loginDefs
      expect(statusOf(c, withData(base, 'accounts', {loginDefs: {...current, ...loginDefs}})), id).toBe('pass')
    }
  })

  it('of core dumps makes its check pass, as hatang reads limits.d', () => {
    const c = fixOf('coredump.restricted')
    const a = lineTasks(c.fix)[0]!
    // limits.conf first, then limits.d (the probe's order; the last line wins)
    const before = 'limits /etc/security/limits.conf:* hard core unlimited\n'
    expect(statusOf(c, withData(base, 'sysctl', {coreDumps: parseCoreDumps(before)}))).toBe('fail')
    expect(statusOf(c, withData(base, 'sysctl', {coreDumps: parseCoreDumps(`${before}limits ${a.path}:${a.line}\n`)}))).toBe('pass')
  })

  it('of the journal makes journald persistent, as hatang reads its drop-ins (where journald runs)', () => {
    const copy = contentOf('logging.persistent')
    const storage = (copy.content as string).split('\n').filter((l) => l.startsWith('Storage='))
    const journald = parseProcessTable('312 (systemd-journal) S 1 312 312 0 -1 4194560 0 0\n')
    const logging = parseLogging(['systemd booted', ...storage.map((l) => `journald ${copy.dest}:${l}`)].join('\n'), journald)
    expect(logging.journald.persistent).toBe(true)
    expect(statusOf(fixOf('logging.persistent'), withData(base, 'audit', {logging}))).toBe('pass')
  })

  it('of the security source writes a source hatang counts as the security suite', () => {
    const copy = contentOf('updates.security-source')
    const text = (copy.content as string).replace(/\{\{\s*hatang_os_codename\s*\}\}/g, 'bookworm')
    const {sources} = parseSources(`#manager apt\n==> ${copy.dest}\n${text}`)
    expect(sources).toMatchObject([{type: 'deb', uri: 'http://security.debian.org/debian-security', suite: 'bookworm-security', security: true}])
    expect(statusOf(fixOf('updates.security-source'), withData(base, 'updates', {securitySource: sources.some((s) => s.security)}))).toBe('pass')
  })
})

describe('every automatic fix', () => {
  it('writes in sh the lines and files its Ansible tasks write', () => {
    const apart: string[] = []
    for (const c of fixed) {
      const calls = setLines(c.fix.sh)
      for (const a of lineTasks(c.fix)) {
        if (a.insertbefore === 'BOF') {
          if (!c.fix.sh.includes(`grep -qxF '${a.line}' ${a.path}`)) apart.push(`${c.id}: ${a.line} first in ${a.path}`)
          continue
        }
        if (!calls.some((x) => x.file === a.path && x.line === a.line && asPython(x.ere!) === a.regexp)) apart.push(`${c.id}: ${a.line} in ${a.path} (${a.regexp})`)
      }
      for (const t of c.fix.ansible) {
        const copy = argsOf(t, 'ansible.builtin.copy')
        // the firewall's file is built from lists of ports in both: the loop test compares the files both write
        if (!copy || copy.dest === '/etc/nftables.conf') continue
        // the text sh writes: Jinja facts become the script's variables (the ports, already checked, as $hatang_ports)
        const text = (copy.content as string)
          .replace(/\{%\s*for p in hatang_ssh_ports\s*%\}.*\{%\s*endfor\s*%\}/g, '$hatang_ports')
          .replace(/\{\{\s*(hatang_[a-z_]+)\s*\}\}/g, '$$$1')
          .replace(/\n$/, '')
        if (!c.fix.sh.includes(text)) apart.push(`${c.id}: the content of ${copy.dest}`)
        if (!c.fix.sh.includes(copy.dest as string)) apart.push(`${c.id}: ${copy.dest}`)
      }
    }
    expect(apart).toEqual([])
  })

  it('declares the facts it reads, and reads the facts it declares', () => {
    for (const c of fixed) {
      const text = JSON.stringify(c.fix.ansible) + c.fix.sh
      const read = Object.entries(FIX_FACTS).filter(([, variable]) => text.includes(variable)).map(([fact]) => fact)
      expect(read, c.id).toEqual(c.fix.needs ?? [])
    }
  })

  it('registers what a task tests before the test, in the same fix (a play holds one fix)', () => {
    for (const c of fixed) {
      const registered = new Set<string>()
      for (const t of c.fix.ansible) {
        const own = t.register
        for (const expr of [t.when, t.failed_when, t.changed_when].filter((x): x is string => typeof x === 'string')) {
          for (const [name] of expr.matchAll(/\bhatang_[a-z_]+/g)) {
            if (name in Object.fromEntries(Object.values(FIX_FACTS).map((v) => [v, 1]))) continue
            expect(registered.has(name) || (name === own && expr !== t.when), `${c.id}: ${name}`).toBe(true)
          }
        }
        if (own) registered.add(own)
      }
    }
  })

  it('of the firewall keeps SSH and the services listening open on the ports read, and is the firewall risk', () => {
    for (const c of fixed.filter((x) => x.fix.ansible.some((t) => argsOf(t, 'ansible.builtin.copy')?.dest === '/etc/nftables.conf'))) {
      expect(c.fix.risk, c.id).toBe('firewall')
      expect(c.fix.needs, c.id).toEqual(['sshPorts', 'listenTcp', 'listenUdp'])
      const copy = argsOf(c.fix.ansible.find((t) => argsOf(t, 'ansible.builtin.copy'))!, 'ansible.builtin.copy')!
      expect(copy.validate, c.id).toBe('nft -c -f %s')
      expect(copy.content as string, c.id).toMatch(/policy drop;[\s\S]*tcp dport \{ \{% for p in \(hatang_ssh_ports \+ hatang_tcp_ports\) \| unique %\}[\s\S]*udp dport \{ \{% for p in hatang_udp_ports/)
      expect(c.fix.sh, c.id).toMatch(/for hatang_port in \$hatang_ssh_ports \$hatang_tcp_ports; do[\s\S]*for hatang_port in \$hatang_udp_ports; do/)
    }
  })
})

describe('a manual fix', () => {
  it('says why in Vietnamese with its diacritics and in English', () => {
    const manual = packs.flatMap((p) => p.checks).filter((c) => c.fix && !isAutoFix(c.fix))
    expect(manual.length).toBeGreaterThanOrEqual(10)
    for (const c of manual) {
      const {vi, en} = (c.fix as {manual: {vi: string; en: string}}).manual
      expect(vi, c.id).toMatch(/[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/)
      expect(en, c.id).not.toBe(vi)
    }
    const ids = manual.map((c) => c.id)
    for (const id of ['mac.active', 'time.synchronized', 'audit.rules', 'audit.running', 'logging.remote', 'ssh.access-limited', 'backup.present', 'eff.cpu-headroom']) expect(ids).toContain(id)
  })
})
