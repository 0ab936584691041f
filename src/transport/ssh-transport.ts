import net from 'node:net'

import {NodeSSH} from 'node-ssh'
import type {ClientChannel, ConnectConfig, PasswordAuthMethod} from 'ssh2'

import type {CollectedStatus, HostStatus} from '../model/host-status.js'
import {shQuote} from '../model/shell-quote.js'
import {planAuth} from './ssh-auth.js'
import {envSecrets, type SshSecrets} from './ssh-secrets.js'
import {OutputCapture} from './output-capture.js'
import {POSIX_SH, TransportError, type CommandTransport, type Dialect, type ExecOptions, type ExecResult} from './transport.js'
import {coalesceWrites} from './coalesced-writes.js'
import {skipHostKeyProofs} from './host-key-proofs.js'

/** Why a host could not be collected: one word a report can count (a host status), with the reason beside it. */
export type HostFailureKind = Exclude<HostStatus, CollectedStatus | 'interrupted'>

export class SshConnectError extends TransportError {
  constructor(
    message: string,
    readonly kind: HostFailureKind,
    options?: {cause?: unknown},
  ) {
    super(message, kind, options)
  }
}

/** The server's host key as it presented it. */
export interface PresentedHostKey {
  type: string
  blob: Buffer
}

/** A decision on a host key; a refusal's `kind` says how to report it, its message's first line says it all. */
export type HostKeyDecision = {ok: true} | {ok: false; kind: 'host-key-unknown' | 'host-key-changed'; message: string}

/** Decides on a host key, at once or after a while (recording it first). Must refuse anything it cannot vouch for. */
export type HostKeyVerifier = (host: string, port: number, key: PresentedHostKey) => HostKeyDecision | Promise<HostKeyDecision>

export interface SshHop {
  host: string
  port: number
  user: string
  identityFiles: string[]
}

export interface SshTarget extends SshHop {
  /** ProxyJump hops, outermost first. */
  jump?: SshHop[]
  /** Run commands through `sudo -n` (never prompting); falls back to unprivileged when sudo refuses. */
  sudo?: boolean
  /** Name of an environment variable that holds the password, when password authentication is wanted. */
  passwordEnv?: string
}

export interface SshOptions {
  verifyHostKey: HostKeyVerifier
  /** Key algorithms to ask the server for, most wanted first (those we know for this host). */
  hostKeyAlgorithms?: (host: string, port: number) => string[] | undefined
  connectTimeoutMs?: number
  /** Channels open at once on this connection; OpenSSH's MaxSessions defaults to 10. */
  maxChannels?: number
  /** Connection attempts for transient failures (reset, refused, handshake cut); never for auth or host keys. */
  attempts?: number
  keepaliveIntervalMs?: number
  /** SSH agent socket; defaults to SSH_AUTH_SOCK. */
  agent?: string
  /** Passwords and key passphrases; default: the environment (envSecrets). */
  secrets?: SshSecrets
}

/** Host key algorithms ssh2 implements; asking for another one makes it throw. */
const SSH2_HOST_KEY_ALGORITHMS = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])

/** Reads the type name at the start of an SSH wire-format public key. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown'
  const len = blob.readUInt32BE(0)
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown'
}

class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []
  constructor(private readonly limit: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active++
    return () => {
      this.active--
      this.waiting.shift()?.()
    }
  }
}

const TRANSIENT = /ECONNRESET|ECONNREFUSED|EPIPE|Connection lost before handshake|socket hang up|Keepalive timeout/i

/** One SSH connection to one host, through node-ssh (ssh2). Host keys verified; channels capped. */
export class SshTransport implements CommandTransport {
  readonly kind = 'ssh' as const
  readonly platform = 'unknown' as const
  /** Every command goes through /bin/sh (see exec), whatever the login shell. */
  readonly dialects: readonly Dialect[] = [POSIX_SH]
  private readonly channels: Semaphore
  private useSudo = false
  /** Set when sudo was configured but refused to run without a password. */
  sudoRefused: string | undefined
  /** Why the connection ended, once it has. */
  private lost: string | undefined
  /** Pending commands, failed at once when the connection goes (ssh2 would leave them waiting). */
  private readonly pending = new Set<(reason: string) => void>()

  get degraded(): string | undefined {
    return this.sudoRefused ? `sudo refused (${this.sudoRefused}): collected without privileges` : undefined
  }

  private constructor(
    readonly target: string,
    private readonly ssh: NodeSSH,
    private readonly hops: NodeSSH[],
    maxChannels: number,
  ) {
    this.channels = new Semaphore(Math.max(1, Math.min(10, maxChannels)))
    const onLost = (why: string) => {
      this.lost ??= why
      for (const fail of [...this.pending]) fail(this.lost)
    }
    ssh.connection?.on('close', () => onLost('connection closed'))
    ssh.connection?.on('end', () => onLost('connection ended'))
    ssh.connection?.on('error', (error: Error) => onLost(`connection error: ${error.message}`))
  }

  /** Connects (through jump hosts if any), verifying every host key. Throws SshConnectError with its kind. */
  static async connect(target: SshTarget, options: SshOptions, label = `${target.user}@${target.host}:${target.port}`): Promise<SshTransport> {
    const attempts = Math.max(1, options.attempts ?? 3)
    let lastError: unknown
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const hops: NodeSSH[] = []
      try {
        let sock: NodeJS.ReadableStream | undefined
        for (const hop of target.jump ?? []) {
          const client = await connectOne(hop, options, sock, undefined)
          hops.push(client)
          sock = await forward(client, hops.length < (target.jump?.length ?? 0) ? target.jump![hops.length]! : target)
        }
        const ssh = await connectOne(target, options, sock, target.passwordEnv)
        const transport = new SshTransport(label, ssh, hops, options.maxChannels ?? 8)
        if (target.sudo) await transport.enableSudo()
        return transport
      } catch (error) {
        for (const h of hops) h.dispose()
        lastError = error
        const transient = !(error instanceof SshConnectError && error.kind !== 'unreachable' && error.kind !== 'timeout') && TRANSIENT.test(String((error as Error)?.message))
        if (!transient || attempt === attempts) break
        await new Promise((r) => setTimeout(r, 250 * 3 ** (attempt - 1)))
      }
    }
    throw classify(lastError, target)
  }

  private async enableSudo(): Promise<void> {
    const probe = await this.exec('sudo -n true', {timeoutMs: 10_000})
    if (probe.exitCode === 0) this.useSudo = true
    else this.sudoRefused = (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.exitCode}`).slice(0, 200)
  }

  /** Runs a POSIX shell command: through /bin/sh whatever the login shell, and through `sudo -n` when enabled. */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const inner = `exec /bin/sh -c ${shQuote(command)}`
    return this.execRaw(this.useSudo ? `exec sudo -n /bin/sh -c ${shQuote(command)}` : inner, options)
  }

  /**
   * Runs a command exactly as given, as the server's own shell takes it (no /bin/sh, no sudo): for a transport of
   * another dialect over this connection (PowerShell on a Windows server), within the same channel limit.
   */
  async execRaw(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const release = await this.channels.acquire()
    try {
      // sshd frees a session slot only after it has read our close: a new channel right after one closed can
      // be refused ("open failed") at the MaxSessions limit; that refusal, and only it, is retried briefly
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.run(command, options)
        } catch (error) {
          if (!(error instanceof TransportError && error.code === 'EOPENFAILED') || attempt >= 20) throw error
          await new Promise((r) => setTimeout(r, 10 * attempt))
        }
      }
    } finally {
      release()
    }
  }

  private run(command: string, options: ExecOptions): Promise<ExecResult> {
    const connection = this.ssh.connection
    if (!connection || this.lost) return Promise.reject(new TransportError(`${this.target}: ${this.lost ?? 'not connected'}`, 'ENOTCONN'))
    return new Promise((resolve, reject) => {
      connection.exec(command, (error, channel: ClientChannel) => {
        if (error) {
          const refused = /open failed/i.test(error.message)
          reject(new TransportError(`${this.target}: cannot open a channel: ${error.message}`, refused ? 'EOPENFAILED' : 'ECHANNEL', {cause: error}))
          return
        }
        const capture = new OutputCapture(options)
        let timedOut = false
        let settled = false
        let exitCode: number | null = null
        const fail = (why: string) => {
          if (settled) return
          settled = true
          if (timer) clearTimeout(timer)
          this.pending.delete(fail)
          reject(new TransportError(`${this.target}: ${why}`, 'ECONNLOST'))
        }
        this.pending.add(fail)
        const finish = () => {
          if (settled) return
          settled = true
          if (timer) clearTimeout(timer)
          this.pending.delete(fail)
          resolve(capture.result(exitCode, timedOut))
        }
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true
                try {
                  channel.signal('KILL')
                } catch {
                  // the server may not support signals
                }
                channel.close()
                setTimeout(finish, 1000).unref()
              }, options.timeoutMs)
        channel.on('data', capture.stdout)
        channel.stderr.on('data', capture.stderr)
        channel.on('exit', (code: number | null) => {
          exitCode = typeof code === 'number' ? code : null
        })
        channel.on('close', finish)
        channel.on('error', finish)
        channel.end(options.stdin ?? '')
      })
    })
  }

  async close(): Promise<void> {
    this.ssh.dispose()
    for (const h of this.hops.reverse()) h.dispose()
  }
}

async function connectOne(hop: SshHop, options: SshOptions, sock: NodeJS.ReadableStream | undefined, passwordEnv: string | undefined): Promise<NodeSSH> {
  const timeout = options.connectTimeoutMs ?? 10_000
  let verdict: Extract<HostKeyDecision, {ok: false}> | undefined
  const socket = sock ?? (await openSocket(hop.host, hop.port, timeout))
  const auth = planAuth(
    {user: hop.user, host: hop.host, port: hop.port, identityFiles: hop.identityFiles, ...(passwordEnv ? {passwordEnv} : {})},
    {agent: options.agent ?? process.env.SSH_AUTH_SOCK, secrets: options.secrets ?? envSecrets},
  )
  const methods = [...auth.methods]
  let accepts: string[] | undefined
  const algorithms = options.hostKeyAlgorithms?.(hop.host, hop.port)?.filter((a) => SSH2_HOST_KEY_ALGORITHMS.has(a))
  const config: ConnectConfig = {
    sock: socket as ConnectConfig['sock'],
    host: hop.host,
    port: hop.port,
    username: hop.user,
    readyTimeout: timeout,
    keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: 3,
    ...(algorithms && algorithms.length > 0 ? {algorithms: {serverHostKey: algorithms as never}} : {}),
    // asynchronous (ssh2 waits for `verify`): accepting a key may mean recording it first
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      Promise.resolve()
        .then(() => options.verifyHostKey(hop.host, hop.port, {type: keyTypeOf(key), blob: key}))
        .then(
          (result) => {
            if (!result.ok) verdict = result
            verify(result.ok)
          },
          (error: unknown) => {
            verdict = {ok: false, kind: 'host-key-unknown', message: `${hop.host}:${hop.port}: refusing to connect: the host key could not be checked (${(error as Error)?.message ?? String(error)})`}
            verify(false)
          },
        )
    },
    authHandler: (left, _partial, next) => {
      if (Array.isArray(left) && left.length > 0) accepts = left.map(String)
      const m = methods.shift()
      // false ends authentication (ssh2 accepts it though its types do not say so)
      next(m ?? (false as unknown as PasswordAuthMethod))
    },
  }
  const ssh = new NodeSSH()
  try {
    const connecting = ssh.connect(config as Parameters<NodeSSH['connect']>[0])
    // node-ssh made the ssh2 client and started its connect() before returning; nothing has been read yet
    skipHostKeyProofs(ssh.connection)
    await connecting
  } catch (error) {
    ssh.dispose()
    // ssh2 does not always close a socket it was handed: an open one would keep the process alive
    if (!sock) (socket as net.Socket).destroy()
    if (verdict) throw new SshConnectError(verdict.message, verdict.kind, {cause: error})
    if (/authentication methods failed/i.test((error as Error).message)) throw new SshConnectError(auth.refused(accepts), 'auth-failed', {cause: error})
    throw error
  }
  return ssh
}

function forward(client: NodeSSH, next: SshHop): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    client.connection!.forwardOut('127.0.0.1', 0, next.host, next.port, (error, stream) => {
      if (error) reject(new SshConnectError(`jump host cannot reach ${next.host}:${next.port}: ${error.message}`, 'unreachable', {cause: error}))
      else resolve(stream)
    })
  })
}

/**
 * A TCP connection with no Nagle delay (saves ~40 ms per command), what is written in one tick sent as one write
 * (coalesced-writes.ts), and a connect deadline.
 */
function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = coalesceWrites(net.connect({host, port}))
    socket.setNoDelay(true)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new SshConnectError(`no TCP connection to ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`, 'timeout'))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

function classify(error: unknown, target: SshTarget): SshConnectError {
  if (error instanceof SshConnectError) return error
  const e = error as NodeJS.ErrnoException
  const where = `${target.host}:${target.port}`
  const message = e?.message ?? String(error)
  if (e?.code === 'ECONNREFUSED') return new SshConnectError(`connection refused by ${where}`, 'unreachable', {cause: error})
  if (e?.code && ['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(e.code))
    return new SshConnectError(`cannot reach ${where}: ${e.code}`, 'unreachable', {cause: error})
  if (/timed out while waiting for handshake/i.test(message)) return new SshConnectError(`${where} accepted TCP but did not complete the SSH handshake in time`, 'timeout', {cause: error})
  if (/ECONNRESET|Connection lost before handshake/i.test(message)) return new SshConnectError(`${where} closed the connection during the handshake`, 'unreachable', {cause: error})
  return new SshConnectError(`${where}: ${message}`, 'error', {cause: error})
}
