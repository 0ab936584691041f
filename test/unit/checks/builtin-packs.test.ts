import {beforeAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../../src/collect/collect-host.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import type {Assertion} from '../../../src/engine/checks/assertion.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {SmartHistory} from '../../../src/engine/checks/smart-trend.js'
import {diskIdentity} from '../../../src/model/sections/storage.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'
import {updatesProbe} from '../../../inventory/updates.js'
import {contextOf, loadFixture} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

/** For every built-in check: how to make a host pass it and fail it (from a real snapshot of this machine). */
type Edit = (s: Snapshot) => Snapshot
const chain = (...edits: Edit[]): Edit => (s) => edits.reduce((x, e) => e(x), s)
const data = (id: string, fields: Record<string, unknown>): Edit => (s) => withData(s, id, fields)
const dataOf = (s: Snapshot, id: string) => ((s.sections as unknown as Record<string, {data?: Record<string, unknown>}>)[id]?.data ?? {})
const ssh = (fields: Record<string, unknown>): Edit => (s) => withData(s, 'sshd', {installed: true, ...fields})
/** One keyword of `sshd -T` (lower-case), the rest of the settings kept. */
const sshSet = (key: string, value: string): Edit => (s) =>
  withData(s, 'sshd', {installed: true, settings: {...(dataOf(s, 'sshd').settings as Record<string, string[]> | undefined), [key]: [value]}})
/** Kernel parameters set at runtime and in a file the boot reads (the checks judge both). */
const sys = (params: Record<string, string>): Edit => (s) =>
  withData(s, 'sysctl', {
    params: {...(dataOf(s, 'sysctl').params as Record<string, string>), ...params},
    persisted: {
      ...(dataOf(s, 'sysctl').persisted as Record<string, unknown>),
      ...Object.fromEntries(Object.entries(params).map(([k, value], i) => [k, {value, file: '/etc/sysctl.d/60-test.conf', line: i + 1}])),
    },
    persistedUnreadable: [],
  })
const sysAll = (names: string[], value: string): Edit => sys(Object.fromEntries(names.map((n) => [n, value])))
const pkgs = (names: string[]): Edit => (s) =>
  withSection(s, 'packages', {status: 'ok', data: {managers: ['dpkg'], items: names.map((name) => ({name, version: '1.0-1', architecture: 'amd64', manager: 'dpkg', status: 'ii'}))}})
const loginDefs = (fields: Record<string, unknown>): Edit => (s) => withData(s, 'accounts', {loginDefs: {...(dataOf(s, 'accounts').loginDefs as object), ...fields}})
const passwords = (list: Record<string, unknown>[]): Edit => data('accounts', {passwords: list})
const logging = (fields: Record<string, unknown>): Edit => (s) =>
  withData(s, 'audit', {logging: {syslog: [], journald: {running: false, storage: 'auto', journalDir: false, persistent: false}, forwarding: [], ...fields}})
const listening = (sockets: [string, number, string?][]): Edit =>
  data('ports', {listening: sockets.map(([protocol, port, process]) => ({protocol, family: 'ipv4', address: '0.0.0.0', port, processes: process ? [{name: process, pid: 812}] : []}))})
const mount = (target: string, fields: Record<string, unknown>) => ({target, source: '/dev/vda1', fstype: 'ext4', options: ['rw'], readOnly: false, pseudo: false, network: false, ...fields})
const mounts = (...list: Record<string, unknown>[]): Edit => data('filesystems', {mounts: [mount('/proc', {fstype: 'proc', source: 'proc', pseudo: true, sizeBytes: 0, usedBytes: 0}), ...list]})
const GB = 1024 ** 3
/** A kernel that loads modules, none loaded, and modprobe.d lines for these modules: both, or only a blacklist. */
const modprobe = (names: string[], lines: 'install and blacklist' | 'blacklist only'): Edit =>
  data('kernelModules', {
    loadable: true,
    loaded: ['ext4'],
    filesystems: ['ext4', 'tmpfs'],
    protocols: ['TCP', 'UDP'],
    config: Object.fromEntries(
      names.map((m, i) => [m, {...(lines === 'install and blacklist' ? {install: {command: '/bin/false', file: '/etc/modprobe.d/cis.conf', line: 2 * i + 1}} : {}), blacklist: {file: '/etc/modprobe.d/cis.conf', line: 2 * i + 2}}]),
    ),
    configFiles: ['/etc/modprobe.d/cis.conf'],
  })
/** authorized_keys of alice holding keys of these types and sizes, every account's keys read. */
const authorized = (keys: [string, number][]): Edit =>
  data('access', {
    accounts: [{name: 'alice', uid: 1001, home: '/home/alice', loginShell: true, files: ['/home/alice/.ssh/authorized_keys'], keyCount: keys.length}],
    keys: keys.map(([type, bits], i) => ({name: `/home/alice/.ssh/authorized_keys:${i + 1}`, user: 'alice', file: '/home/alice/.ssh/authorized_keys', line: i + 1, type, bits, fingerprint: `SHA256:k${i}`, options: []})),
  })
/** Sudo rules of one command each. */
const sudoRules = (rules: {forPeople: boolean; command: string; noPassword: boolean}[]): Edit =>
  data('access', {
    sudo: {
      installed: true,
      files: ['/etc/sudoers'],
      allRead: true,
      rules: rules.map((r, i) => ({name: `/etc/sudoers:${i + 1}`, who: [r.forPeople ? 'alice' : 'backup'], forPeople: r.forPeople, hosts: ['ALL'], commands: [{command: r.command, noPassword: r.noPassword}], file: '/etc/sudoers', line: i + 1})),
    },
  })
/** An apt repository as the sources section reads it, checked against signatures unless the fields say otherwise. */
const repo = (fields: Record<string, unknown>) => ({file: '/etc/apt/sources.list', line: 1, id: '/etc/apt/sources.list:1', format: 'one-line', enabled: true, types: ['deb'], uris: ['http://deb.debian.org/debian'], suites: ['bookworm'], components: ['main'], trusted: false, allowInsecure: false, signatureChecked: true, ...fields})
const FS_MODULES = ['cramfs', 'freevxfs', 'hfs', 'hfsplus', 'jffs2', 'udf']
const NET_MODULES = ['dccp', 'tipc', 'rds', 'sctp']
/** A separate mount with these options, live and in /etc/fstab (the checks judge both). */
const mountedWith = (target: string, live: string[], fstab: string[] = live): Edit =>
  data('filesystems', {
    mounts: [mount('/', {}), mount(target, {fstype: 'tmpfs', source: 'tmpfs', options: ['rw', ...live], pseudo: true})],
    fstab: [{source: 'tmpfs', target, fstype: 'tmpfs', options: ['defaults', ...fstab], line: 12}],
  })
const disk = (usedPct: number, inodePct = 10) =>
  mount('/', {sizeBytes: 100 * GB, usedBytes: usedPct * GB, availableBytes: (100 - usedPct) * GB, inodesTotal: 1000, inodesUsed: inodePct * 10})
const on = (day: string): Edit => (s) => ({...s, meta: {...s.meta, collectedAt: `${day}T08:00:00.000Z`}})
const osRelease = (distribution: string, versionId: string): Edit => data('os', {distribution, versionId})
const memory = (availablePct: number, swapFreePct?: number): Edit =>
  data('memory', {totalBytes: 16 * GB, availableBytes: (16 * GB * availablePct) / 100, ...(swapFreePct === undefined ? {swapTotalBytes: 0, swapFreeBytes: 0} : {swapTotalBytes: 4 * GB, swapFreeBytes: (4 * GB * swapFreePct) / 100})})
const load = (fifteen: number, threads: number): Edit => chain(data('os', {loadAverage: {one: fifteen, five: fifteen, fifteen}}), data('cpu', {threads}))
/** A desktop: the workstation pack applies where a display manager is installed. */
const DESKTOP = 'gdm3'
const ws = (...edits: Edit[]): Edit => chain(pkgs([DESKTOP, 'openssh-server']), ...edits)
/** One certificate file that expires `daysLeft` days after the snapshot was taken: RSA 2048, SHA-256 unless `fields` say otherwise. */
const cert = (daysLeft: number, fields: Record<string, unknown> = {}): Edit => (s) =>
  data('certificates', {
    files: [
      {path: '/etc/ssl/certs/www.crt', state: 'read', notAfter: new Date(Date.parse(s.meta.collectedAt) + daysLeft * 86_400_000).toISOString(), keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption', ...fields},
      {path: '/etc/dovecot/private/dovecot.pem', state: 'missing'},
    ],
  })(s)
/** A crontab job of a user whose program's folder is world-writable, or not. */
const cronJob = (user: string, worldWritable: boolean) => ({
  id: '/etc/cron.d/job:2', kind: 'crontab', file: '/etc/cron.d/job', line: 2, user, schedule: '*/15 * * * *', command: '/opt/jobs/run.sh',
  executable: '/opt/jobs/run.sh', executablePath: '/opt/jobs/run.sh', owner: 'root', worldWritable, ...(worldWritable ? {writablePath: '/opt/jobs'} : {}),
})

const ipv4Redirects = ['net.ipv4.conf.all.accept_redirects', 'net.ipv4.conf.default.accept_redirects', 'net.ipv6.conf.all.accept_redirects', 'net.ipv6.conf.default.accept_redirects']
const sourceRoute = ['net.ipv4.conf.all.accept_source_route', 'net.ipv4.conf.default.accept_source_route', 'net.ipv6.conf.all.accept_source_route', 'net.ipv6.conf.default.accept_source_route']

/** Accounts of the given names, UIDs and whether their shell logs in (the password file of a host). */
const users = (list: [string, number, boolean][]): Edit => data('accounts', {users: list.map(([name, uid, loginShell]) => ({name, uid, gid: uid, home: `/home/${name}`, shell: loginShell ? '/bin/bash' : '/usr/sbin/nologin', loginShell}))})
const lastLog = (accounts: Record<string, unknown>[]): Edit => data('logins', {lastLog: {state: 'read', tool: 'lastlog', accounts}, failedLogins: {state: 'read', accounts: [], unknownNames: 0}, faillock: {state: 'notPresent', accounts: []}})
const policy = (fields: Record<string, unknown>): Edit => data('passwordPolicy', {pamFiles: ['/etc/pam.d/common-password', '/etc/pam.d/common-auth'], ...fields})
const QUALITY = {module: 'pam_pwquality', file: '/etc/pam.d/common-password', line: 25, minLength: {value: 8}, dcredit: {value: 0}, ucredit: {value: 0}, lcredit: {value: 0}, ocredit: {value: 0}, minClass: {value: 0}, retry: {value: 1}}
const quality = (fields: Record<string, unknown>): Edit => policy({quality: {...QUALITY, ...fields}})
const lockout = (fields: Record<string, unknown>): Edit => policy({lockout: {module: 'pam_faillock', file: '/etc/pam.d/common-auth', line: 17, ...fields}})

/**
 * A disk as an earlier run read it, for the checks that judge a trend across runs (one snapshot cannot pass or fail
 * them): the case's `history` is what the runs layer would hand the engine from the store.
 */
const SDB = {name: '/dev/sdb', model: 'ST3500418AS', serial: 'Z2AB1234', passed: true, reallocatedSectors: 8, pendingSectors: 0, offlineUncorrectable: 0}
const smartDisks = (...disks: Record<string, unknown>[]): Edit => data('storage', {smart: {installed: true, candidates: disks.map((d) => d.name), disks}})
const earlier = (...disks: (typeof SDB)[]): SmartHistory => ({readings: new Map(disks.map((d) => [diskIdentity(d)!, {run: 12, startedAt: '2026-11-28T02:00:00.000Z', disk: d}])), searched: 1})

const cases: Record<string, {pass: Edit; fail: Edit; history?: SmartHistory}> = {
  'ssh.root-login': {pass: ssh({permitRootLogin: 'no'}), fail: ssh({permitRootLogin: 'yes'})},
  'ssh.password-authentication': {pass: ssh({passwordAuthentication: false}), fail: ssh({passwordAuthentication: true})},
  'ssh.empty-passwords': {pass: ssh({permitEmptyPasswords: false}), fail: ssh({permitEmptyPasswords: true})},
  'ssh.max-auth-tries': {pass: ssh({maxAuthTries: 3}), fail: ssh({maxAuthTries: 6})},
  'ssh.x11-forwarding': {pass: ssh({x11Forwarding: false}), fail: ssh({x11Forwarding: true})},
  'ssh.client-alive-interval': {pass: ssh({clientAliveInterval: 300}), fail: ssh({clientAliveInterval: 0})},
  'ssh.client-alive-count': {pass: ssh({clientAliveCountMax: 3}), fail: ssh({clientAliveCountMax: 0})},
  'ssh.log-level': {pass: ssh({logLevel: 'VERBOSE'}), fail: ssh({logLevel: 'QUIET'})},
  'ssh.ciphers': {pass: ssh({ciphers: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com']}), fail: ssh({ciphers: ['aes256-ctr', 'aes128-cbc']})},
  'ssh.macs': {pass: ssh({macs: ['hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256']}), fail: ssh({macs: ['hmac-sha2-256', 'umac-64@openssh.com']})},
  'ssh.kex': {pass: ssh({kexAlgorithms: ['curve25519-sha256', 'diffie-hellman-group16-sha512']}), fail: ssh({kexAlgorithms: ['curve25519-sha256', 'diffie-hellman-group14-sha1']})},
  'ssh.hostbased-authentication': {pass: sshSet('hostbasedauthentication', 'no'), fail: sshSet('hostbasedauthentication', 'yes')},
  'ssh.ignore-rhosts': {pass: sshSet('ignorerhosts', 'yes'), fail: sshSet('ignorerhosts', 'no')},
  'ssh.permit-user-environment': {pass: sshSet('permituserenvironment', 'no'), fail: sshSet('permituserenvironment', 'yes')},
  'ssh.login-grace-time': {pass: sshSet('logingracetime', '60'), fail: sshSet('logingracetime', '120')},
  'ssh.max-sessions': {pass: sshSet('maxsessions', '4'), fail: sshSet('maxsessions', '64')},
  'ssh.access-limited': {
    pass: ssh({allowGroups: ['sshusers']}),
    fail: (s) => withSection(s, 'sshd', {status: 'ok', data: {...dataOf(s, 'sshd'), installed: true, allowUsers: undefined, allowGroups: undefined, denyUsers: undefined, denyGroups: undefined}}),
  },
  'time.synchronized': {pass: data('timeSync', {synchronized: true}), fail: data('timeSync', {synchronized: false})},
  'time.offset': {pass: data('timeSync', {offsetSeconds: -0.0042}), fail: data('timeSync', {offsetSeconds: 2.5})},
  'firewall.active': {pass: data('firewall', {active: true}), fail: data('firewall', {active: false})},
  'firewall.default-deny': {pass: data('firewall', {inputPolicy: 'drop'}), fail: data('firewall', {inputPolicy: 'accept'})},
  'updates.security': {pass: data('updates', {security: 0}), fail: data('updates', {security: 3})},
  'updates.security-source': {pass: data('updates', {securitySource: true}), fail: data('updates', {securitySource: false})},
  'updates.reboot': {
    pass: data('updates', {reboot: {required: false, reasons: [], packages: []}}),
    fail: data('updates', {reboot: {required: true, reasons: ['reboot-required file'], packages: []}}),
  },
  'updates.automatic': {
    pass: data('updates', {automaticUpdates: {mechanism: 'unattended-upgrades', enabled: true, unattendedUpgrade: '1', updatePackageLists: '1'}}),
    fail: data('updates', {automaticUpdates: {mechanism: 'dnf-automatic', enabled: true, applyUpdates: false}}),
  },
  'updates.cache-fresh': {pass: data('updates', {cacheStale: false}), fail: data('updates', {cacheStale: true})},
  'accounts.uid0': {pass: data('accounts', {uid0: ['root']}), fail: data('accounts', {uid0: ['root', 'toor']})},
  'accounts.empty-passwords': {
    pass: passwords([{name: 'root', status: 'locked'}, {name: 'an', status: 'set', maxDays: 90}]),
    fail: passwords([{name: 'root', status: 'locked'}, {name: 'guest', status: 'empty'}]),
  },
  'accounts.pass-max-days': {pass: loginDefs({passMaxDays: 90}), fail: loginDefs({passMaxDays: 99999})},
  'accounts.pass-min-days': {pass: loginDefs({passMinDays: 1}), fail: loginDefs({passMinDays: 0})},
  'accounts.pass-warn-age': {pass: loginDefs({passWarnAge: 7}), fail: loginDefs({passWarnAge: 2})},
  'accounts.password-expiry': {
    pass: passwords([{name: 'root', status: 'locked', maxDays: 99999}, {name: 'an', status: 'set', maxDays: 365}]),
    fail: passwords([{name: 'root', status: 'locked'}, {name: 'an', status: 'set', maxDays: 99999}]),
  },
  'accounts.password-hash': {pass: loginDefs({encryptMethod: 'YESCRYPT'}), fail: loginDefs({encryptMethod: 'MD5'})},
  'accounts.umask': {pass: loginDefs({umask: '027'}), fail: loginDefs({umask: '022'})},
  'legacy.telnet': {pass: pkgs(['openssh-server']), fail: pkgs(['openssh-server', 'telnetd'])},
  'legacy.rsh': {pass: pkgs(['openssh-server']), fail: pkgs(['rsh-server'])},
  'legacy.tftp': {pass: pkgs(['openssh-server']), fail: pkgs(['tftpd-hpa'])},
  'legacy.nis': {pass: pkgs(['openssh-server']), fail: pkgs(['nis'])},
  'legacy.ftp': {pass: pkgs(['openssh-server', 'ftp-ssl']), fail: pkgs(['vsftpd'])},
  'legacy.inetd': {pass: pkgs(['openssh-server']), fail: pkgs(['openbsd-inetd'])},
  'legacy.talk': {pass: pkgs(['openssh-server']), fail: pkgs(['talkd'])},
  'legacy.clients': {pass: pkgs(['openssh-client']), fail: pkgs(['openssh-client', 'telnet'])},
  'legacy.ports': {pass: listening([['tcp', 22], ['udp', 514], ['udp', 123]]), fail: listening([['tcp', 22], ['tcp', 23]])},
  'legacy.xserver': {pass: pkgs(['openssh-server', 'x11-common']), fail: pkgs(['xserver-xorg-core'])},
  'mac.active': {pass: data('mac', {active: 'apparmor'}), fail: data('mac', {active: 'none'})},
  'mac.enforcing': {
    pass: data('mac', {active: 'apparmor', apparmor: {present: true, enabled: true, profiles: {total: 40, enforce: 38, complain: 2, kill: 0, unconfined: 0, other: 0}}}),
    fail: data('mac', {active: 'selinux', apparmor: {present: false, enabled: false}, selinux: {enabled: true, mode: 'permissive'}}),
  },
  'audit.running': {pass: data('audit', {running: true}), fail: data('audit', {running: false})},
  'audit.rules': {pass: data('audit', {installed: true, rules: 42}), fail: data('audit', {installed: true, rules: 0})},
  'logging.persistent': {
    pass: logging({syslog: [{name: 'rsyslogd', running: true}]}),
    fail: logging({syslog: [{name: 'rsyslogd', running: false}], journald: {running: true, storage: 'volatile', journalDir: false, persistent: false}}),
  },
  'logging.remote': {pass: logging({forwarding: [{file: '/etc/rsyslog.d/90-remote.conf', target: 'loghost'}]}), fail: logging({})},
  'coredump.restricted': {
    pass: data('sysctl', {coreDumps: {limits: [{file: '/etc/security/limits.conf', domain: '*', type: 'hard', value: '0'}], hardLimitZero: true, systemdCoredump: false}}),
    fail: data('sysctl', {coreDumps: {limits: [], hardLimitZero: false, systemdCoredump: true, storage: 'external'}}),
  },
  'sysctl.ip-forward': {pass: sys({'net.ipv4.ip_forward': '0'}), fail: sys({'net.ipv4.ip_forward': '1'})},
  'sysctl.suid-dumpable': {pass: sys({'fs.suid_dumpable': '0'}), fail: sys({'fs.suid_dumpable': '2'})},
  'sysctl.accept-redirects': {pass: sysAll(ipv4Redirects, '0'), fail: chain(sysAll(ipv4Redirects, '0'), sys({'net.ipv6.conf.default.accept_redirects': '1'}))},
  'sysctl.secure-redirects': {
    pass: sysAll(['net.ipv4.conf.all.secure_redirects', 'net.ipv4.conf.default.secure_redirects'], '0'),
    fail: sysAll(['net.ipv4.conf.all.secure_redirects', 'net.ipv4.conf.default.secure_redirects'], '1'),
  },
  'sysctl.send-redirects': {
    pass: sysAll(['net.ipv4.conf.all.send_redirects', 'net.ipv4.conf.default.send_redirects'], '0'),
    fail: sysAll(['net.ipv4.conf.all.send_redirects', 'net.ipv4.conf.default.send_redirects'], '1'),
  },
  'sysctl.source-route': {pass: sysAll(sourceRoute, '0'), fail: chain(sysAll(sourceRoute, '0'), sys({'net.ipv4.conf.default.accept_source_route': '1'}))},
  'sysctl.rp-filter': {
    pass: sys({'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.default.rp_filter': '2'}),
    fail: sys({'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '1'}),
  },
  'sysctl.log-martians': {
    pass: sysAll(['net.ipv4.conf.all.log_martians', 'net.ipv4.conf.default.log_martians'], '1'),
    fail: sysAll(['net.ipv4.conf.all.log_martians', 'net.ipv4.conf.default.log_martians'], '0'),
  },
  'sysctl.syncookies': {pass: sys({'net.ipv4.tcp_syncookies': '1'}), fail: sys({'net.ipv4.tcp_syncookies': '0'})},
  'sysctl.icmp-broadcasts': {pass: sys({'net.ipv4.icmp_echo_ignore_broadcasts': '1'}), fail: sys({'net.ipv4.icmp_echo_ignore_broadcasts': '0'})},
  'sysctl.icmp-bogus': {pass: sys({'net.ipv4.icmp_ignore_bogus_error_responses': '1'}), fail: sys({'net.ipv4.icmp_ignore_bogus_error_responses': '0'})},
  'sysctl.ipv6-router-adverts': {
    pass: sys({'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.all.accept_ra': '0', 'net.ipv6.conf.default.accept_ra': '0'}),
    fail: sys({'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.all.accept_ra': '0', 'net.ipv6.conf.default.accept_ra': '1'}),
  },
  'sysctl.ipv6-forward': {pass: sys({'net.ipv6.conf.all.forwarding': '0'}), fail: sys({'net.ipv6.conf.all.forwarding': '1'})},
  'sysctl.aslr': {pass: sys({'kernel.randomize_va_space': '2'}), fail: sys({'kernel.randomize_va_space': '0'})},
  'sysctl.ptrace-scope': {pass: sys({'kernel.yama.ptrace_scope': '1'}), fail: sys({'kernel.yama.ptrace_scope': '0'})},
  'sysctl.protected-links': {
    pass: sys({'fs.protected_hardlinks': '1', 'fs.protected_symlinks': '1'}),
    fail: sys({'fs.protected_hardlinks': '1', 'fs.protected_symlinks': '0'}),
  },
  'module.uncommon-filesystems': {pass: modprobe(FS_MODULES, 'install and blacklist'), fail: modprobe(FS_MODULES, 'blacklist only')},
  'module.uncommon-protocols': {
    pass: modprobe(NET_MODULES, 'install and blacklist'),
    fail: chain(modprobe(NET_MODULES, 'install and blacklist'), (s) => withData(s, 'kernelModules', {loaded: ['ext4', 'sctp']})),
  },
  'mount.tmp': {pass: mountedWith('/tmp', ['nosuid', 'nodev', 'noexec']), fail: mountedWith('/tmp', ['nosuid', 'nodev', 'noexec'], ['nosuid', 'nodev'])},
  'mount.dev-shm': {pass: mountedWith('/dev/shm', ['nosuid', 'nodev', 'noexec']), fail: mountedWith('/dev/shm', ['nosuid', 'nodev'])},
  'mount.var-tmp': {pass: mountedWith('/var/tmp', ['nosuid', 'nodev', 'noexec']), fail: mountedWith('/var/tmp', ['nosuid', 'nodev'], ['nosuid', 'nodev', 'noexec'])},
  'mount.home': {pass: mountedWith('/home', ['nosuid', 'nodev']), fail: mountedWith('/home', ['nodev'])},
  'disk.usage': {pass: mounts(disk(80)), fail: mounts(disk(50), mount('/var', {sizeBytes: 10 * GB, usedBytes: 9 * GB, availableBytes: GB}))},
  'disk.inodes': {pass: mounts(disk(50, 80), mount('/data', {fstype: 'btrfs', sizeBytes: GB, usedBytes: 0, availableBytes: GB, inodesTotal: 0, inodesUsed: 0})), fail: mounts(disk(50, 90))},
  'os.eol': {pass: chain(osRelease('debian', '12'), on('2026-11-24')), fail: chain(osRelease('debian', '8'), on('2026-11-24'))},
  'os.eol-regular': {pass: chain(osRelease('debian', '13'), on('2026-11-24')), fail: chain(osRelease('debian', '12'), on('2026-11-24'))},
  'os.eol-soon': {pass: chain(osRelease('debian', '13'), on('2026-11-24')), fail: chain(osRelease('debian', '13'), on('2028-03-01'))},

  'ws.disk-encryption': {pass: ws(data('encryption', {rootEncrypted: true})), fail: ws(data('encryption', {rootEncrypted: false}))},
  'ws.swap-encrypted': {
    pass: ws(data('encryption', {swap: [{path: '/dev/zram0', kind: 'partition', inMemory: true}]})),
    fail: ws(data('encryption', {swap: [{path: '/swapfile', kind: 'file', inMemory: false, encrypted: false}], swapEncrypted: false})),
  },
  'ws.firewall-active': {pass: ws(data('firewall', {active: true})), fail: ws(data('firewall', {active: false}))},
  'ws.firewall-default-deny': {pass: ws(data('firewall', {inputPolicy: 'reject'})), fail: ws(data('firewall', {inputPolicy: 'accept'}))},
  'ws.security-updates': {pass: ws(data('updates', {security: 0})), fail: ws(data('updates', {security: 12}))},
  'ws.security-source': {pass: ws(data('updates', {securitySource: true})), fail: ws(data('updates', {securitySource: false}))},
  'ws.automatic-updates': {
    pass: ws(data('updates', {automaticUpdates: {mechanism: 'unattended-upgrades', enabled: true}})),
    fail: ws(data('updates', {automaticUpdates: {mechanism: 'none', enabled: false}})),
  },
  'ws.reboot': {
    pass: ws(data('updates', {reboot: {required: false, reasons: [], packages: [], runningKernel: '6.1.0-26-amd64', installedKernels: []}})),
    fail: ws(data('updates', {reboot: {required: true, reasons: ['/run/reboot-required exists'], packages: [], runningKernel: '6.1.0-26-amd64', installedKernels: []}})),
  },
  'ws.cache-fresh': {pass: ws(data('updates', {cacheStale: false})), fail: ws(data('updates', {cacheStale: true}))},
  'ws.sshd': {
    pass: ws(ssh({passwordAuthentication: true}), listening([['udp', 5353]])),
    fail: ws(ssh({passwordAuthentication: true, permitRootLogin: 'prohibit-password', permitEmptyPasswords: false}), listening([['udp', 5353], ['tcp', 2222, 'sshd']])),
  },
  'ws.legacy-services': {pass: pkgs([DESKTOP, 'openssh-client']), fail: pkgs([DESKTOP, 'telnetd'])},
  'ws.mac-active': {pass: ws(data('mac', {active: 'apparmor'})), fail: ws(data('mac', {active: 'none'}))},
  'ws.time-synchronized': {pass: ws(data('timeSync', {synchronized: true})), fail: ws(data('timeSync', {synchronized: false}))},
  'ws.eol': {pass: ws(osRelease('ubuntu', '24.04'), on('2026-11-24')), fail: ws(osRelease('ubuntu', '25.04'), on('2026-11-24'))},
  'ws.eol-regular': {pass: ws(osRelease('ubuntu', '24.04'), on('2026-11-24')), fail: ws(osRelease('ubuntu', '20.04'), on('2026-11-24'))},
  'ws.uid0': {pass: ws(data('accounts', {uid0: ['root']})), fail: ws(data('accounts', {uid0: ['root', 'admin2']}))},
  'ws.empty-passwords': {pass: ws(passwords([{name: 'an', status: 'set'}])), fail: ws(passwords([{name: 'an', status: 'empty'}]))},
  'ws.malware-scanner': {
    pass: ws(data('malware', {scanners: [{id: 'clamav', title: 'ClamAV', paths: ['/usr/bin/clamscan'], running: false, processes: []}]})),
    fail: ws(data('malware', {scanners: []})),
  },
  'ws.aslr': {pass: ws(sys({'kernel.randomize_va_space': '2'})), fail: ws(sys({'kernel.randomize_va_space': '1'}))},
  'ws.protected-links': {
    pass: ws(sys({'fs.protected_hardlinks': '1', 'fs.protected_symlinks': '1'})),
    fail: ws(sys({'fs.protected_hardlinks': '0', 'fs.protected_symlinks': '1'})),
  },

  'eff.disk-headroom': {pass: mounts(disk(75)), fail: mounts(disk(82))},
  'eff.inode-headroom': {pass: mounts(disk(50, 75)), fail: mounts(disk(50, 85))},
  'eff.memory-headroom': {pass: memory(40), fail: memory(8)},
  'eff.swap-pressure': {pass: memory(40, 90), fail: memory(40, 20)},
  'eff.cpu-headroom': {pass: load(1.2, 4), fail: load(3.9, 4)},
  'eff.uptime': {pass: data('os', {uptimeSeconds: 30 * 86400}), fail: data('os', {uptimeSeconds: 400 * 86400})},
  'eff.hardware-age': {
    pass: chain(data('virtualization', {role: 'none'}), data('system', {biosDate: '2023-05-10'}), on('2026-11-24')),
    fail: chain(data('virtualization', {role: 'none'}), data('system', {biosDate: '2017-02-14'}), on('2026-11-24')),
  },
  'eff.underused': {pass: chain(memory(95), load(0.4, 4)), fail: chain(memory(95), load(0.1, 4))},
  'eff.failed-services': {
    pass: data('services', {services: [{name: 'ssh.service', state: 'running', enabled: true}]}),
    fail: data('services', {services: [{name: 'ssh.service', state: 'running', enabled: true}, {name: 'backup.service', state: 'failed', enabled: true}]}),
  },

  // certificates: dates relative to the snapshot's collectedAt, whatever the day
  'cert.expired': {pass: cert(1), fail: cert(-1)},
  'cert.expiring': {pass: cert(31), fail: cert(29)},
  'cert.weak': {pass: cert(365, {keyType: 'ec', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256'}), fail: cert(365, {keyBits: 1024})},
  // keys and privileges (section access)
  'keys.weak': {pass: authorized([['ssh-ed25519', 256], ['ssh-rsa', 3072], ['ecdsa-sha2-nistp256', 256]]), fail: authorized([['ssh-ed25519', 256], ['ssh-rsa', 1024]])},
  'sudo.nopasswd-all': {
    pass: sudoRules([{forPeople: true, command: 'ALL', noPassword: false}, {forPeople: false, command: 'ALL', noPassword: true}, {forPeople: true, command: '/usr/bin/apt update', noPassword: true}]),
    fail: sudoRules([{forPeople: true, command: 'ALL', noPassword: true}]),
  },
  // accounts in use and password policy (sections logins, passwordPolicy; account-use.ts)
  'accounts.unused': {
    pass: chain(users([['ana', 1000, true]]), passwords([{name: 'ana', status: 'set', lastChange: '2026-01-02T00:00:00.000Z'}]), lastLog([{name: 'ana', lastLogin: '2026-11-20T10:00:00.000Z'}]), on('2026-11-24')),
    fail: chain(users([['ana', 1000, true]]), passwords([{name: 'ana', status: 'set', lastChange: '2026-01-02T00:00:00.000Z'}]), lastLog([{name: 'ana'}]), on('2026-11-24')),
  },
  'accounts.shared-uid': {pass: users([['ana', 1000, true], ['binh', 1001, true]]), fail: users([['ana', 1000, true], ['ana-svc', 1000, false]])},
  'accounts.root-password-ssh': {
    pass: chain(passwords([{name: 'root', status: 'set'}]), ssh({permitRootLogin: 'prohibit-password', passwordAuthentication: true})),
    fail: chain(passwords([{name: 'root', status: 'set'}]), ssh({permitRootLogin: 'yes', passwordAuthentication: true})),
  },
  'password.min-length': {pass: quality({minLength: {value: 14, file: '/etc/security/pwquality.conf', line: 3}}), fail: quality({minLength: {value: 8}})},
  'password.complexity': {pass: quality({minClass: {value: 3, file: '/etc/security/pwquality.conf', line: 4}}), fail: quality({minClass: {value: 2, file: '/etc/security/pwquality.conf', line: 4}})},
  'password.lockout': {pass: lockout({deny: {value: 5}, unlockTime: {value: 900}}), fail: lockout({deny: {value: 10}, unlockTime: {value: 900}})},
  'password.history': {
    pass: policy({history: {module: 'pam_pwhistory', remember: {value: 5, file: '/etc/pam.d/common-password', line: 26}}}),
    fail: policy({history: {module: 'pam_unix', remember: {value: 2, file: '/etc/pam.d/common-password', line: 25}}}),
  },
  // storage and containers (issue 15); their real captures are judged in test/unit/checks/storage-containers-checks.test.ts
  'storage.raid-degraded': {
    pass: data('storage', {md: {present: true, arrays: [{name: 'md0', state: 'active', readOnly: false, level: 'raid1', members: [], disks: 2, workingDisks: 2, map: 'UU', degraded: false}]}}),
    fail: data('storage', {md: {present: true, arrays: [{name: 'md0', state: 'active', readOnly: false, level: 'raid1', members: [], disks: 2, workingDisks: 1, map: 'U_', degraded: true}]}}),
  },
  'storage.smart': {
    pass: data('storage', {smart: {installed: true, candidates: ['/dev/sda'], disks: [{name: '/dev/sda', passed: true, reallocatedSectors: 0, pendingSectors: 0}]}}),
    fail: data('storage', {smart: {installed: true, candidates: ['/dev/sda'], disks: [{name: '/dev/sda', passed: true, reallocatedSectors: 8, pendingSectors: 0}]}}),
  },
  // the same disk (model and serial) as the earlier run read it: 8 reallocated sectors then, 8 now (pass) or 40 (fail)
  'storage.smart-trend': {pass: smartDisks(SDB), fail: smartDisks({...SDB, reallocatedSectors: 40}), history: earlier(SDB)},
  'containers.privileged': {
    pass: data('containers', {containers: [{name: 'web', image: 'nginx:1.27', privileged: false, hostNetwork: false, engineSocketMounts: [], mounts: []}]}),
    fail: data('containers', {containers: [{name: 'agent', image: 'agent:2', privileged: true, hostNetwork: true, engineSocketMounts: [], mounts: []}]}),
  },
  'containers.docker-socket': {
    pass: data('containers', {containers: [{name: 'web', image: 'nginx:1.27', privileged: false, hostNetwork: false, engineSocketMounts: [], mounts: ['/srv/www:/usr/share/nginx/html']}]}),
    fail: data('containers', {containers: [{name: 'ci', image: 'runner:3', privileged: false, hostNetwork: false, engineSocketMounts: ['/var/run/docker.sock:/var/run/docker.sock'], mounts: ['/var/run/docker.sock:/var/run/docker.sock']}]}),
  },
  'storage.vg-full': {
    pass: data('storage', {lvm: {installed: true, vgs: [{name: 'vg0', sizeBytes: 100 * GB, freeBytes: 20 * GB, pvCount: 1, lvCount: 2}], pvs: [], lvs: []}}),
    fail: data('storage', {lvm: {installed: true, vgs: [{name: 'vg0', sizeBytes: 100 * GB, freeBytes: 2 * GB, pvCount: 1, lvCount: 2}], pvs: [], lvs: []}}),
  },
  'containers.image-age': {
    pass: (s) => data('containers', {images: [{name: 'nginx:1.27', id: 'sha256:1', created: new Date(Date.parse(s.meta.collectedAt) - 30 * 86_400_000).toISOString()}]})(s),
    fail: (s) => data('containers', {images: [{name: 'nginx:1.17', id: 'sha256:2', created: new Date(Date.parse(s.meta.collectedAt) - 400 * 86_400_000).toISOString()}]})(s),
  },
  // issue 15, boot and kernel (section boot; usb-storage through kernelModules)
  'boot.secure-boot': {pass: data('boot', {firmware: 'efi', secureBoot: {enabled: true, source: 'efivar'}}), fail: data('boot', {firmware: 'efi', secureBoot: {enabled: false, source: 'efivar'}})},
  'boot.loader-password': {
    pass: data('boot', {bootloader: {grub: true, files: [{file: '/boot/grub/grub.cfg', readable: true, superusers: true, password: true}], password: true}}),
    fail: data('boot', {bootloader: {grub: true, files: [{file: '/boot/grub/grub.cfg', readable: true, superusers: false, password: false}], password: false}}),
  },
  'module.usb-storage': {pass: modprobe(['usb_storage'], 'install and blacklist'), fail: modprobe(['usb_storage'], 'blacklist only')},

  // issue 15, package sources (section sources)
  'sources.unsigned': {
    pass: data('sources', {repositories: [repo({}), repo({enabled: false, trusted: true, signatureChecked: false})]}),
    fail: data('sources', {repositories: [repo({}), repo({trusted: true, signatureChecked: false})]}),
  },
  'packages.foreign': {pass: data('updates', {foreign: {count: 0, names: []}}), fail: data('updates', {foreign: {count: 2, names: ['google-cloud-cli', 'kubectl']}})},
  // scheduled jobs (section scheduled)
  'backup.present': {
    pass: data('scheduled', {backup: [{tool: 'restic', via: 'job', where: '/var/spool/cron/crontabs/root:4'}]}),
    fail: data('scheduled', {backup: []}),
  },
  'cron.root-world-writable': {
    pass: data('scheduled', {userCrontabs: {users: ['root']}, jobs: [cronJob('root', false), cronJob('www-data', true)]}),
    fail: data('scheduled', {userCrontabs: {users: []}, jobs: [cronJob('root', true)]}),
  },
}

/** The sections an assertion reads at the top level (inner paths of quantifiers are relative to the items). */
function sectionsRead(a: Assertion): string[] {
  const root = (p: string | string[]) => (Array.isArray(p) ? p[0]! : p.split('.')[0]!)
  if ('all' in a) return a.all.flatMap(sectionsRead)
  if ('any' in a) return a.any.flatMap(sectionsRead)
  if ('not' in a && !('path' in a)) return sectionsRead(a.not)
  if ('eol' in a) return ['os']
  if ('sysctl' in a) return ['sysctl']
  if ('mount' in a) return ['filesystems']
  if ('module' in a) return ['kernelModules']
  if ('unusedAccounts' in a) return ['accounts', 'logins']
  if ('uniqueUids' in a) return ['accounts']
  if ('smartTrend' in a) return ['storage']
  if ('ratio' in a) return [root(a.ratio.of), root(a.ratio.to)]
  return [root((a as {path: string | string[]}).path)]
}

let base: Snapshot
const packs: Pack[] = []
beforeAll(async () => {
  base = await collectHost(new LocalTransport(), {})
  for (const name of builtinPackNames()) packs.push(loadPack(packFile(name)))
})

describe('built-in check packs', () => {
  it('load, validate and cover every check with a passing and a failing case', () => {
    expect(packs.length).toBeGreaterThan(0)
    const ids = packs.flatMap((p) => p.checks.map((c) => c.id))
    expect(ids.filter((id) => !(id in cases))).toEqual([])
    expect(Object.keys(cases).filter((id) => !ids.includes(id))).toEqual([])
  })

  it('every check passes and fails as its case says, and is unknown when its data is unavailable', () => {
    for (const pack of packs) {
      for (const check of pack.checks) {
        const only = {...pack, checks: [check]}
        const {pass, fail, history} = cases[check.id]!
        expect(runChecks(pass(base), [only], undefined, history).results[0], `${check.id} pass`).toMatchObject({status: 'pass'})
        const failed = runChecks(fail(base), [only], undefined, history).results[0]!
        expect(failed, `${check.id} fail`).toMatchObject({status: 'fail'})
        expect(failed.reason, `${check.id} says why`).toBeTruthy()
        // every section the check reads, unavailable: unknown with a probe's reason, never pass
        const sections = [...new Set(sectionsRead(check.assert))]
        const blind = sections.reduce((x, section) => withSection(x, section, {status: 'unavailable', reason: 'needs root'}), pass(base))
        const blinded = runChecks(blind, [only], undefined, history).results[0]!
        expect(blinded, `${check.id} blind`).toMatchObject({status: 'unknown'})
        expect(blinded.reason, `${check.id} blind`).toMatch(new RegExp(`^(${sections.join('|')}|packages): unavailable \\(needs root\\)$`))
      }
    }
  })

  it('on captured hosts without a security source, pending security updates are unknown and the missing source is the finding', () => {
    const verdicts = (platform: string) => {
      const f = loadFixture(platform, 'updates')
      const section = updatesProbe.interpret(f.outputs, contextOf(f))
      const results = runChecks(ws()(withSection(base, 'updates', section)), packs).results
      return ['updates.security', 'updates.security-source', 'ws.security-updates', 'ws.security-source'].map((id) => `${id} ${results.find((x) => x.check === id)!.status}`)
    }
    // debootstrap's sources.list: the release only, as on the hosts the issue found
    for (const p of ['debian-11-chroot', 'debian-13-chroot']) {
      expect(verdicts(p), p).toEqual(['updates.security unknown', 'updates.security-source fail', 'ws.security-updates unknown', 'ws.security-source fail'])
    }
    // this machine: bookworm-security configured and its lists downloaded
    const here = verdicts('debian-12-root')
    expect(here.slice(1)).toEqual(['updates.security-source pass', 'ws.security-updates ' + here[0]!.split(' ')[1], 'ws.security-source pass'])
    expect(here[0]).toMatch(/^updates\.security (pass|fail)$/)
  })

  it('judges desktops by the workstation pack: its checks apply only where a display manager is installed, and X is no finding there', () => {
    const desktop = pkgs([DESKTOP, 'xserver-xorg-core'])(base)
    const server = pkgs(['openssh-server', 'xserver-xorg-core'])(base)
    const workstation = packs.find((p) => p.pack === 'linux-workstation')!
    expect(runChecks(server, [workstation]).results.every((r) => r.status === 'not-applicable')).toBe(true)
    expect(runChecks(desktop, [workstation]).results.filter((r) => r.status === 'not-applicable')).toEqual([])
    const xserver = {...packs.find((p) => p.pack === 'linux-server')!, checks: packs.flatMap((p) => p.checks).filter((c) => c.id === 'legacy.xserver')}
    expect(runChecks(desktop, [xserver]).results[0]!.status).toBe('not-applicable')
    expect(runChecks(server, [xserver]).results[0]!.status).toBe('fail')
  })

  it('fails a kernel parameter check whose value is right at runtime but set in no file the boot reads', () => {
    const server = packs.find((p) => p.pack === 'linux-server')!
    const sysctlChecks = server.checks.filter((c) => c.id.startsWith('sysctl.') && c.id !== 'sysctl.ipv6-router-adverts')
    expect(sysctlChecks.length).toBeGreaterThan(10)
    for (const check of sysctlChecks) {
      const right = cases[check.id]!.pass(base)
      const runtimeOnly = withData(right, 'sysctl', {persisted: {}, persistedUnreadable: []})
      const r = runChecks(runtimeOnly, [{...server, checks: [check]}]).results[0]!
      expect(r, check.id).toMatchObject({status: 'fail'})
      expect(r.reason, check.id).toMatch(/: runtime \S+, not persisted: set \S+ = \S+ in \/etc\/sysctl\.d\//)
    }
  })

  it('judges mount options only where the folder is a separate mount, and fails one right at runtime that the boot would undo', () => {
    const server = packs.find((p) => p.pack === 'linux-server')!
    const only = (id: string) => [{...server, checks: server.checks.filter((c) => c.id === id)}]
    expect(runChecks(mounts(disk(50))(base), only('mount.tmp')).results[0]!.status).toBe('not-applicable')
    const runtimeOnly = withData(mountedWith('/tmp', ['nosuid', 'nodev', 'noexec'])(base), 'filesystems', {fstab: []})
    expect(runChecks(runtimeOnly, only('mount.tmp')).results[0]).toMatchObject({status: 'fail', reason: '/tmp: nodev,nosuid,noexec at runtime, not persisted: add a line for /tmp with nodev,nosuid,noexec to /etc/fstab'})
    // systemd's tmp.mount mounts /tmp where fstab has no line for it
    const unit = withData(runtimeOnly, 'filesystems', {tmpMount: {file: '/usr/lib/systemd/system/tmp.mount', line: 22, options: ['mode=1777', 'strictatime', 'nosuid', 'nodev', 'size=50%']}})
    expect(runChecks(unit, only('mount.tmp')).results[0]).toMatchObject({status: 'fail', reason: '/tmp: right at runtime, but /usr/lib/systemd/system/tmp.mount:22 mounts it without noexec'})
  })

  it('does not apply the SSH checks where sshd is not installed, and calls a host with no applicable check an error', () => {
    const noSshd = withSection(base, 'sshd', {status: 'ok', data: {installed: false}})
    const sshOnly = packs.map((p) => ({...p, checks: p.checks.filter((c) => c.id.startsWith('ssh.'))}))
    const r = runChecks(noSshd, sshOnly)
    expect(r.results.every((x) => x.status === 'not-applicable')).toBe(true)
    expect(r.error).toBe('no check applies to this host')
  })
})
