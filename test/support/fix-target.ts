import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, statfsSync, writeFileSync} from 'node:fs'
import path from 'node:path'

/**
 * A disposable machine for the fix loop (issue 16): this machine's root seen through an overlay, with its own network,
 * mount, PID, UTS and IPC namespaces and its own sshd, reached as root on 127.0.0.1:port. Whatever a fix writes lands
 * in the overlay's upper folder and is deleted by stop(); this machine's files, sysctls and services are never
 * changed:
 * - files: an overlay (lower: /, upper and work in a fresh folder under /var/tmp), mounted once in the target's own
 *   mount namespace, which lives as long as the target (its PID 1 holds it). Sessions enter that namespace rather than
 *   mount the overlay again: the kernel accepts a second mount of the same upper folder, but warns that using both is
 *   undefined behaviour.
 * - kernel settings: /proc/sys is a read-only bind inside the target, except /proc/sys/net (read-write): the target's
 *   own network namespace (`ip netns add`) keeps its net.* values between connections; a fix that would change this
 *   machine's kernel (kernel.*, fs.*, vm.*) fails with EROFS instead. /sys is read-only, /proc/sysrq-trigger too.
 *   No process of the target has the capabilities that act on the kernel as a whole (DROPPED_CAPABILITIES: modules,
 *   clock, audit rules, LSM policy…): such a fix fails too.
 * - services: /run is a fresh tmpfs (no systemd or D-Bus socket of this machine's), the PID namespace shows only the
 *   target's processes, so `systemctl reload ssh` or a kill in a fix cannot reach this machine's daemons. systemd
 *   does not run in the target, and the target says so: its /sbin/init (systemd's, in the lower layer) is hidden, so
 *   Ansible finds the init scripts (sysvinit) as on a machine without systemd, rather than a systemd it cannot ask.
 * - sshd: the target runs its own sshd daemon (port 22 in its network namespace, /run/sshd.pid), as a server does:
 *   the daemon the audit reads and a fix's handler reloads. Every connection from here is served by an `sshd -i` run
 *   inside the target, reading the overlay's own /etc/ssh/sshd_config (a fix to it takes effect at the next
 *   connection; a broken one refuses it). Host keys are fresh ones in the upper folder; root logs in with a fresh
 *   client key (the overlay's /root is its own: an opaque folder with Debian's plain dot files and the key in
 *   .ssh/authorized_keys, nothing of this machine's root).
 * - packages: the target has no network. A fix may install a package: apt finds it in the target's own cache
 *   (/var/cache/apt/archives, opaque: this machine's cache is hidden), which holds the .debs scripts/install-test-deps
 *   downloads for the targets (TEST_DEBS) and nothing else, so a test needs the same packages on every machine.
 * The listener runs in a child process, so a test may run the CLI or ansible synchronously (spawnSync).
 */
export interface FixTarget {
  /** The name of its network namespace and of its folder: hatang-fix-XXXXXX. */
  name: string
  host: '127.0.0.1'
  port: number
  user: 'root'
  /** Its ed25519 host key line "ssh-ed25519 AAAA…". */
  hostKeyPub: string
  /** A known_hosts file holding every host key of the target for [127.0.0.1]:port. */
  knownHosts: string
  /** The private key that logs in as root. */
  clientKey: string
  /** The folder of the target (removed by stop()). */
  dir: string
  /** The overlay's upper folder: every file the target changed, as this machine sees it. */
  upperDir: string
  /** Runs a command with /bin/sh as root inside the target, without SSH (the target's namespaces and root). */
  exec: (command: string, options?: {input?: string; timeoutMs?: number}) => CommandResult
  /** Runs a command over SSH as root with OpenSSH's client, a fresh connection each time (BatchMode, host key checked). */
  ssh: (command: string, options?: {input?: string; timeoutMs?: number}) => CommandResult
  /** The OpenSSH client arguments ssh() uses, before the destination (for scp, ansible's ssh_common_args…). */
  sshOptions: string[]
  /** stderr of the target's set-up and of every connection's sshd (-e), for diagnosing a failing test. */
  log: () => string
  /** Ends every session and process of the target, deletes its network namespace and its folder. */
  stop: () => Promise<void>
}

export interface CommandResult {
  status: number | null
  stdout: string
  stderr: string
}

/** The .debs a target's apt may install (what fixes install beyond this machine's packages): scripts/install-test-deps. */
export const TEST_DEBS = process.env.HATANG_TEST_DEBS ?? '/var/cache/hatang-test/debs'
/** Where targets are made: on disk, not a tmpfs (an upper folder of a whole root's changes belongs on disk). */
const BASE = '/var/tmp'
const TMPFS_MAGIC = 0x01021994
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
/**
 * The capabilities no process of the target has (dropped from its bounding set): what acts on this machine's kernel as
 * a whole, which no namespace separates — modules, the clock, the audit rules, security (LSM) policy, reboot, raw I/O,
 * BPF, the kernel log. A fix that needs one fails in the target instead of changing this machine.
 */
export const DROPPED_CAPABILITIES = ['sys_module', 'sys_time', 'audit_control', 'mac_admin', 'mac_override', 'sys_boot', 'sys_rawio', 'bpf', 'perfmon', 'syslog', 'wake_alarm', 'sys_pacct', 'block_suspend']
const confined = ['setpriv', `--bounding-set=${DROPPED_CAPABILITIES.map((c) => `-${c}`).join(',')}`, '--inh-caps=-all']
/** The arguments that put a command into the target: its namespaces, its root and working folder, its capabilities. */
const enter = (init: number) => ['nsenter', '-t', String(init), '--mount', '--net', '--pid', '--uts', '--ipc', '--root', '--wd', ...confined]

/**
 * PID 1 of the target: mounts its file systems in its own mount namespace, then waits, chrooted into them, until its
 * stdin closes (the test's process ended) or it is killed (stop()). $1 is the target's folder.
 */
const INIT = String.raw`set -eu
d=$1
r=$d/root
mount -t overlay overlay -o "lowerdir=/,upperdir=$d/upper,workdir=$d/work" "$r"
mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
for p in sys sysrq-trigger; do
  if [ -e "$r/proc/$p" ]; then mount --bind "$r/proc/$p" "$r/proc/$p"; mount -o remount,bind,ro "$r/proc/$p"; fi
done
mount --bind "$r/proc/sys/net" "$r/proc/sys/net"
mount -o remount,bind,rw "$r/proc/sys/net"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
mount -t tmpfs -o mode=0755,nosuid tmpfs "$r/dev"
for n in null zero full random urandom tty; do : > "$r/dev/$n"; mount --bind "/dev/$n" "$r/dev/$n"; done
mkdir -m 0755 "$r/dev/pts"
mkdir -m 1777 "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$r/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/dev/shm"
ln -s pts/ptmx "$r/dev/ptmx"
ln -s /proc/self/fd "$r/dev/fd"
ln -s /proc/self/fd/0 "$r/dev/stdin"
ln -s /proc/self/fd/1 "$r/dev/stdout"
ln -s /proc/self/fd/2 "$r/dev/stderr"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
mkdir -m 0755 "$r/run/sshd"
mkdir -m 1777 "$r/run/lock"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/tmp"
ip link set lo up
cd "$r"
chroot . /usr/sbin/sshd
exec chroot . /bin/sh -c 'echo ready; read -r _ || :'
`

/**
 * The listener (a child process of its own): each connection to 127.0.0.1:port is handed, as stdin and stdout, to a new
 * `sshd -i` entered into the target. argv: the log file's descriptor-less path, then the command. Prints the port once
 * listening; ends when its stdin closes.
 */
const LISTENER = String.raw`
const net = require('node:net'), {spawn} = require('node:child_process'), fs = require('node:fs')
const [logFile, ...command] = process.argv.slice(1)
const log = fs.openSync(logFile, 'a')
const server = net.createServer({pauseOnConnect: true}, (socket) => {
  const child = spawn(command[0], command.slice(1), {stdio: [socket, socket, log], env: {PATH: '${PATH}'}})
  child.once('spawn', () => socket.destroy())
  child.once('error', (e) => { fs.writeSync(log, 'listener: ' + e.message + '\n'); socket.destroy() })
})
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
process.stdin.on('data', () => {})
process.stdin.on('end', () => process.exit(0))
`

function run(file: string, args: string[]): string {
  const r = spawnSync(file, args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`)
  return r.stdout
}

/** The first line a child prints on stdout (it says it is ready), or its failure with the log. */
function firstLine(child: ChildProcess, what: string, log: () => string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => fail(`${what} did not start within ${timeoutMs} ms`), timeoutMs)
    const fail = (message: string) => {
      clearTimeout(timer)
      reject(new Error(`${message}\n${log()}`))
    }
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const newline = out.indexOf('\n')
      if (newline >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, newline))
      }
    })
    child.once('error', (e) => fail(`${what}: ${e.message}`))
    child.once('exit', (code, signal) => fail(`${what} ended (${code ?? signal}) before it was ready`))
  })
}

/** The mount namespace of a process ('mnt:[4026…]'), or undefined when it is gone. */
function mountNamespace(pid: number | string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`)
  } catch {
    return undefined
  }
}

/** Processes (by pid) in a mount namespace. */
function members(namespace: string): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p) && mountNamespace(p) === namespace)
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Builds and starts a target; stop() it when done (afterAll). Needs root, overlayfs, ip, nsenter, unshare, sshd. */
export async function startFixTarget(): Promise<FixTarget> {
  if (process.getuid?.() !== 0) throw new Error('a fix target mounts an overlay and namespaces: run the tests as root')
  if (statfsSync(BASE).type === TMPFS_MAGIC) throw new Error(`${BASE} is a tmpfs: a fix target's upper folder belongs on disk`)
  const dir = mkdtempSync(path.join(BASE, 'hatang-fix-'))
  const name = path.basename(dir)
  const upperDir = path.join(dir, 'upper')
  const logFile = path.join(dir, 'target.log')
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-20_000) : '')
  let init: ChildProcess | undefined
  /** The processes of ours that serve the target from outside it: the sshd listener. */
  const helpers: ChildProcess[] = []
  let namespace: string | undefined
  let netns = false
  let initPid: number | undefined

  let stopping: Promise<void> | undefined
  const stop = () => (stopping ??= teardown())
  const teardown = async () => {
    // the helpers first (no new session), then PID 1 of the target: the kernel kills every process of its PID
    // namespace, and its mount namespace (the overlay and the rest) ends with the last of them
    for (const helper of helpers) helper.kill('SIGKILL')
    await Promise.all(helpers.map(exited))
    if (init) {
      const pid1 = initPid
      if (pid1 !== undefined) {
        try {
          process.kill(pid1, 'SIGKILL')
        } catch {
          // gone
        }
      }
      init.kill('SIGKILL')
      await exited(init)
    }
    if (namespace) {
      const deadline = Date.now() + 10_000
      while (members(namespace).length > 0) {
        if (Date.now() > deadline) throw new Error(`processes of ${name} still run: ${members(namespace).join(' ')}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    if (netns) spawnSync('ip', ['netns', 'delete', name])
    // nothing of the target is mounted in this namespace; --one-file-system in case something ever is
    const rm = spawnSync('rm', ['-rf', '--one-file-system', dir], {encoding: 'utf8'})
    if (rm.status !== 0) throw new Error(`cannot remove ${dir}: ${rm.stderr}`)
  }

  try {
    mkdirSync(upperDir, {mode: 0o755})
    mkdirSync(path.join(dir, 'work'), {mode: 0o755})
    mkdirSync(path.join(dir, 'root'), {mode: 0o755})
    writeFileSync(logFile, '')
    prepareUpper(upperDir)
    const clientKey = path.join(dir, 'id_client')
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}-client`, '-f', clientKey])
    mkdirSync(path.join(upperDir, 'root/.ssh'), {mode: 0o700})
    writeFileSync(path.join(upperDir, 'root/.ssh/authorized_keys'), readFileSync(`${clientKey}.pub`), {mode: 0o600})
    const hostKeys = ['ed25519', 'ecdsa', 'rsa'].map((t) => readFileSync(path.join(upperDir, `etc/ssh/ssh_host_${t}_key.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' '))

    run('ip', ['netns', 'add', name])
    netns = true
    const logFd = openSync(logFile, 'a')
    init = spawn('nsenter', [`--net=/run/netns/${name}`, 'unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--uts', '--ipc', ...confined, 'sh', '-c', INIT, 'sh', dir], {
      stdio: ['pipe', 'pipe', logFd],
      env: {PATH, LC_ALL: 'C'},
    })
    closeSync(logFd)
    await firstLine(init, `the target ${name}`, log)
    // unshare --fork's child is the target's PID 1
    initPid = Number(run('pgrep', ['-P', String(init.pid)]).trim())
    namespace = mountNamespace(initPid)
    if (!initPid || !namespace) throw new Error(`the target ${name} has no PID 1`)

    /** A helper process, once it says it is ready: its first line. */
    const helper = (what: string, args: string[]) => {
      const logFd = openSync(logFile, 'a')
      const child = spawn(args[0]!, args.slice(1), {stdio: ['pipe', 'pipe', logFd]})
      closeSync(logFd)
      helpers.push(child)
      return firstLine(child, `the ${what} of ${name}`, log)
    }
    const port = Number(await helper('sshd listener', [process.execPath, '-e', LISTENER, logFile, ...enter(initPid), '/usr/sbin/sshd', '-i', '-e']))

    const knownHosts = path.join(dir, 'known_hosts')
    writeFileSync(knownHosts, hostKeys.map((k) => `[127.0.0.1]:${port} ${k}\n`).join(''))
    const sshOptions = ['-F', 'none', '-i', clientKey, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=10', '-p', String(port)]
    const pid1 = initPid
    const exec: FixTarget['exec'] = (command, options = {}) => result(spawnSync(enter(pid1)[0]!, [...enter(pid1).slice(1), '/bin/sh', '-c', command], {encoding: 'utf8', input: options.input, env: {PATH, LC_ALL: 'C', HOME: '/root'}, timeout: options.timeoutMs ?? 60_000}))
    const ssh: FixTarget['ssh'] = (command, options = {}) => result(spawnSync('ssh', [...sshOptions, 'root@127.0.0.1', command], {encoding: 'utf8', input: options.input, timeout: options.timeoutMs ?? 60_000}))
    return {name, host: '127.0.0.1', port, user: 'root', hostKeyPub: hostKeys[0]!, knownHosts, clientKey, dir, upperDir, exec, ssh, sshOptions, log, stop}
  } catch (error) {
    await stop()
    throw error
  }
}

/** Marks a folder of the upper layer opaque: the lower layer's folder of that name is hidden. */
function opaque(dir: string): void {
  run('/usr/bin/python3', ['-c', 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")', dir])
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink()
  } catch {
    return false
  }
}

function result(r: ReturnType<typeof spawnSync>): CommandResult {
  return {status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.error?.message ?? '')}
}

/**
 * What the target has of its own before it starts, written straight into the upper folder: fresh host keys, a /root
 * of its own (opaque: this machine's root folder is hidden) with Debian's default dot files, no /sbin/init (a
 * whiteout: the character device 0:0), and an apt cache of its own with the test's .debs.
 */
function prepareUpper(upper: string): void {
  // /sbin is usr/sbin on a merged-/usr system: the whiteout goes where the file is
  const init = path.join(realpathSync('/sbin'), 'init')
  if (existsSync(init) || isSymlink(init)) {
    mkdirSync(path.join(upper, path.dirname(init)), {recursive: true, mode: 0o755})
    run('mknod', [path.join(upper, init), 'c', '0', '0'])
  }
  mkdirSync(path.join(upper, 'etc/ssh'), {recursive: true, mode: 0o755})
  chmodSync(path.join(upper, 'etc'), 0o755)
  run('ssh-keygen', ['-A', '-f', upper])
  const root = path.join(upper, 'root')
  mkdirSync(root, {mode: 0o700})
  opaque(root)
  for (const file of ['profile', 'bashrc']) copyFileSync(`/usr/share/base-files/dot.${file}`, path.join(root, `.${file}`))
  const archives = path.join(upper, 'var/cache/apt/archives')
  mkdirSync(path.join(archives, 'partial'), {recursive: true, mode: 0o755})
  opaque(archives)
  const debs = existsSync(TEST_DEBS) ? readdirSync(TEST_DEBS).filter((f) => f.endsWith('.deb')) : []
  for (const deb of debs) copyFileSync(path.join(TEST_DEBS, deb), path.join(archives, deb))
}

/**
 * The environment for `ansible` and `ansible-playbook` against targets: no ANSIBLE_* setting of the developer's, an
 * empty ansible.cfg, and everything Ansible writes on this side (its home, temporary files, connection sockets) under
 * DIR, not in ~/.ansible. Host keys are checked (Ansible's default): inventories name the target's known_hosts.
 * Ansible's own ssh arguments (a master connection per host, kept 60 s) with a control folder of this call's own: the
 * tasks of one run share a connection, the next run (another call) logs in afresh, as it must after a change to
 * sshd; a master left open ends with its target. Pipelining: one module, one round trip.
 */
export function ansibleEnv(dir: string): NodeJS.ProcessEnv {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const config = path.join(dir, 'ansible.cfg')
  writeFileSync(config, '')
  const env: NodeJS.ProcessEnv = {...process.env}
  for (const k of Object.keys(env)) if (k.startsWith('ANSIBLE_')) delete env[k]
  return {
    ...env,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: path.join(dir, 'home'),
    ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: mkdtempSync(path.join(dir, 'cp-')),
    ANSIBLE_PIPELINING: 'true',
    ANSIBLE_NOCOLOR: '1',
  }
}
