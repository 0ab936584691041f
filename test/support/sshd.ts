import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/**
 * Real OpenSSH servers on 127.0.0.1 for tests and benchmarks: each with its own host key, authorized_keys
 * and config. They log in a dedicated user whose shell is /bin/sh and whose HOME is its own, so no slow
 * start-up files are read. Needs root (sshd must start as root) and openssh-server.
 */
export const TEST_USER = 'hatang-test'
const TEST_HOME = '/var/lib/hatang-test'

function run(file: string, args: string[]): string {
  const r = spawnSync(file, args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`)
  return r.stdout
}

/** Creates the test user once: system account, /bin/sh, own home, password field '*' (no password, not locked). */
export function ensureTestUser(): void {
  if (process.getuid?.() !== 0) throw new Error('the SSH tests start real sshd instances and need root')
  if (spawnSync('id', [TEST_USER]).status === 0) return
  run('useradd', ['--system', '--shell', '/bin/sh', '--home-dir', TEST_HOME, '--create-home', '-p', '*', TEST_USER])
}

/**
 * The folder every OpenSSH sshd checks for at start (privilege separation): packages make it at boot (tmpfiles),
 * so a fresh machine or container may not have it. Each place that starts an sshd calls this first.
 */
export function ensureSshdPrivsepDir(): void {
  mkdirSync('/run/sshd', {recursive: true, mode: 0o755})
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({host: '127.0.0.1', port})
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not start`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export interface SshdOptions {
  /** Which client key authorized_keys holds: the lab's client key (default) or a key we do not have. */
  authorize?: 'client' | 'other'
  maxSessions?: number
  /** PATH for sessions (sshd SetEnv): a folder of fake commands goes first to make a probe hang. */
  path?: string
  extraConfig?: string[]
  /** More arguments for the daemon's command line, after `-f CONFIG`: e.g. `['-o', 'MaxAuthTries=2']`. */
  args?: string[]
}

export interface Sshd {
  name: string
  port: number
  host: '127.0.0.1'
  dir: string
  /** The host's public key line: "ssh-ed25519 AAAA…". */
  hostKeyPub: string
  process: ChildProcess
  /** sshd's stderr (-e), for diagnosing a failing test. */
  log: () => string
  stop: () => Promise<void>
}

/** A folder with a client key pair, a second key pair nobody authorizes, and a known_hosts file. */
export class SshLab {
  readonly dir: string
  readonly clientKey: string
  readonly otherKey: string
  readonly knownHosts: string
  private readonly servers: Sshd[] = []
  private readonly extra: {stop: () => Promise<void>}[] = []

  constructor() {
    ensureTestUser()
    ensureSshdPrivsepDir()
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-sshlab-'))
    chmodSync(this.dir, 0o755)
    this.clientKey = path.join(this.dir, 'id_client')
    this.otherKey = path.join(this.dir, 'id_other')
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hatang-test-client', '-f', this.clientKey])
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hatang-test-other', '-f', this.otherKey])
    this.knownHosts = path.join(this.dir, 'known_hosts')
    writeFileSync(this.knownHosts, '')
  }

  /** A server's folder, host key, authorized_keys and sshd_config (on a free loopback port), not started. */
  async configure(name: string, options: SshdOptions = {}): Promise<{dir: string; port: number; configFile: string; hostKeyPub: string}> {
    const dir = path.join(this.dir, name)
    mkdirSync(dir, {mode: 0o755})
    const hostKey = path.join(dir, 'host_ed25519')
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}-host`, '-f', hostKey])
    const authorized = path.join(dir, 'authorized_keys')
    writeFileSync(authorized, readFileSync(`${options.authorize === 'other' ? this.otherKey : this.clientKey}.pub`), {mode: 0o644})
    const port = await freePort()
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin no',
      `AllowUsers ${TEST_USER}`,
      `MaxSessions ${options.maxSessions ?? 10}`,
      'MaxStartups 2000:30:4000',
      'LogLevel ERROR',
      'PrintMotd no',
      'PrintLastLog no',
      ...(options.path ? [`SetEnv PATH=${options.path}`] : []),
      ...(options.extraConfig ?? []),
    ]
    const configFile = path.join(dir, 'sshd_config')
    writeFileSync(configFile, `${config.join('\n')}\n`)
    return {dir, port, configFile, hostKeyPub: readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}
  }

  /** Starts an sshd on a free loopback port. */
  async start(name: string, options: SshdOptions = {}): Promise<Sshd> {
    const {dir, port, configFile, hostKeyPub} = await this.configure(name, options)
    let log = ''
    // niced, as are the sessions it starts: on one machine the targets' work then yields to the controller,
    // which on a real network has its own CPU
    const child = spawn('nice', ['-n', '19', '/usr/sbin/sshd', '-D', '-e', '-f', configFile, ...(options.args ?? [])], {stdio: ['ignore', 'ignore', 'pipe']})
    child.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000)
    })
    await waitForPort(port, 10_000)
    const sshd: Sshd = {
      name,
      port,
      host: '127.0.0.1',
      dir,
      hostKeyPub,
      process: child,
      log: () => log,
      stop: () => stopServer(child, configFile),
    }
    this.servers.push(sshd)
    return sshd
  }

  /** The `defaults:` lines of a hosts.yaml that reaches this lab's servers: test user, a key, the lab's known_hosts. */
  hostsDefaults(identityFile = this.clientKey): string[] {
    return ['defaults:', `  user: ${TEST_USER}`, `  identityFile: ${identityFile}`, `  knownHostsFile: ${this.knownHosts}`]
  }

  /** Adds a server's key (or another key) to the lab's known_hosts as `[127.0.0.1]:port`. */
  trust(sshd: Pick<Sshd, 'port' | 'hostKeyPub'>, keyLine = sshd.hostKeyPub, hostPattern = `[127.0.0.1]:${sshd.port}`): void {
    writeFileSync(this.knownHosts, `${hostPattern} ${keyLine}\n`, {flag: 'a'})
  }

  /** Servers started elsewhere (test/support/isolated-sshd.ts) that cleanup() stops as well. */
  adopt(server: {stop: () => Promise<void>}): void {
    this.extra.push(server)
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.servers, ...this.extra].map((s) => s.stop()))
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** Stops a server and every session it spawned (they run as other processes). */
async function stopServer(child: ChildProcess, configFile: string): Promise<void> {
  spawnSync('pkill', ['-KILL', '-f', `sshd.*${configFile}`])
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
  }
}

/** Kills the sessions of one server but keeps it listening: a connection dropped mid-sweep. */
export function dropSessions(sshd: Sshd): void {
  // the listener is the pid in the PidFile (sshd re-executes itself), each connection a child of it
  const listener = readFileSync(path.join(sshd.dir, 'sshd.pid'), 'utf8').trim()
  const children = (pid: string) => spawnSync('pgrep', ['-P', pid], {encoding: 'utf8'}).stdout.split('\n').filter(Boolean)
  const tree = (pid: string): string[] => [pid, ...children(pid).flatMap(tree)]
  for (const pid of children(listener).flatMap(tree)) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {
      // gone
    }
  }
}

/** A port that accepts TCP and then never says anything: the SSH banner never comes. */
export async function startSilentServer(): Promise<{port: number; close: () => Promise<void>}> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A folder of fake commands that hang, to put first on a session's PATH. */
export function hangingCommands(dir: string, names: string[]): string {
  mkdirSync(dir, {recursive: true, mode: 0o755})
  for (const n of names) writeFileSync(path.join(dir, n), '#!/bin/sh\nexec sleep 3600\n', {mode: 0o755})
  return dir
}
