import {hostKeyTypeInfo} from './host-key.js'
import {acceptNewAllowed, asciiLower, knownHostsName, type HostKeyTarget, type HostKeyVerdict, type KnownKeyRef} from './known-hosts.js'
import {shQuote} from '../model/shell-quote.js'

/**
 * What to tell a user about a host key hatang refused: the one line a log or a progress line shows, the full
 * explanation for a terminal, and the exact commands to check, record or replace a key.
 */

export interface AcceptCommandOptions {
  /** `ssh-keyscan -t` for this key type only (a key type name such as `ssh-ed25519`). */
  keyType?: string
  /** Hash the host name as `ssh-keygen -H` would (`ssh-keyscan -H`). */
  hash?: boolean
  /** The home folder, so a file under it is written `~/…` as users expect. */
  home?: string
}

function displayPath(file: string, home: string | undefined): string {
  if (home !== undefined && home !== '' && file.startsWith(`${home.replace(/\/+$/, '')}/`)) {
    return `~/${shQuote(file.slice(home.replace(/\/+$/, '').length + 1))}`
  }
  return shQuote(file)
}

function scanArgs(host: string, port: number, options: AcceptCommandOptions): string {
  const type = options.keyType === undefined ? undefined : hostKeyTypeInfo(options.keyType)?.scanType
  return [
    'ssh-keyscan',
    ...(options.hash ? ['-H'] : []),
    ...(port === 22 ? [] : ['-p', String(port)]),
    ...(type === undefined ? [] : ['-t', type]),
    shQuote(host),
  ].join(' ')
}

/** `ssh-keyscan -p 2222 -t ed25519 127.0.0.1 | ssh-keygen -lf -`: prints the fingerprint to compare. */
export function fingerprintCommand(host: string, port: number, options: AcceptCommandOptions = {}): string {
  return `${scanArgs(host, port, {...options, hash: false})} | ssh-keygen -lf -`
}

/** `ssh-keyscan -p 2222 -t ed25519 127.0.0.1 >> ~/.ssh/known_hosts`: run after checking the fingerprint out of band. */
export function acceptCommand(host: string, port: number, knownHostsFile: string, options: AcceptCommandOptions = {}): string {
  return `${scanArgs(host, port, options)} >> ${displayPath(knownHostsFile, options.home)}`
}

/** `ssh-keygen -R '[127.0.0.1]:2222' -f ~/.ssh/known_hosts`: removes every key on file for the host. */
export function removeCommand(host: string, port: number, knownHostsFile: string, options: Pick<AcceptCommandOptions, 'home'> = {}): string {
  return `ssh-keygen -R ${shQuote(knownHostsName(asciiLower(host), port))} -f ${displayPath(knownHostsFile, options.home)}`
}

function describeKey(keyType: string, fingerprint: string): string {
  return `${hostKeyTypeInfo(keyType)?.label ?? keyType} key ${fingerprint}`
}

function at(r: KnownKeyRef): string {
  return `${r.file}:${r.line}`
}

export interface VerdictMessageContext extends HostKeyTarget {
  /** Where a user should record accepted keys (usually ~/.ssh/known_hosts). */
  knownHostsFile: string
  /** Every known_hosts file the key was looked up in (default: knownHostsFile). */
  lookedUpIn?: readonly string[]
  home?: string
}

/** `/etc/ssh/ssh_host_ed25519_key.pub`: where the host's administrator reads the key on the host. */
function hostKeyFileOnHost(keyType: string): string {
  return `/etc/ssh/ssh_host_${hostKeyTypeInfo(keyType)?.scanType ?? '*'}_key.pub`
}

/** The commands that replace the keys on file for a host by the one it presents now: remove from each file that has one, record. */
function replaceCommands(verdict: {keyType: string; expected: KnownKeyRef[]}, ctx: VerdictMessageContext): {remove: string[]; record: string} {
  const files = [...new Set(verdict.expected.map((r) => r.file))]
  return {
    remove: files.map((f) => removeCommand(ctx.host, ctx.port, f, {home: ctx.home})),
    record: acceptCommand(ctx.host, ctx.port, ctx.knownHostsFile, {home: ctx.home, keyType: verdict.keyType}),
  }
}

/**
 * The one line that says everything a log, a progress line or a summary needs about a refused host key: the
 * host, the presented key's fingerprint, the keys on file with their file:line, and the command to run. Empty
 * for `trusted`. Always the first line of describeHostKeyVerdict.
 */
export function hostKeyVerdictLine(verdict: HostKeyVerdict, ctx: VerdictMessageContext): string {
  const name = knownHostsName(asciiLower(ctx.host), ctx.port)
  switch (verdict.status) {
    case 'trusted':
      return ''
    case 'invalid':
      return `${name}: refusing to connect: ${verdict.reason}.`
    case 'revoked':
      return (
        `${name}: host key REVOKED: presented ${describeKey(verdict.keyType, verdict.fingerprint)}, marked @revoked at ${verdict.revokedAt.map(at).join(', ')}` +
        ' — never accept it: ask the host\'s administrator for its new host key'
      )
    case 'changed': {
      const {remove, record} = replaceCommands(verdict, ctx)
      return (
        `${name}: host key CHANGED: presented ${describeKey(verdict.keyType, verdict.fingerprint)}, ` +
        `known_hosts expects ${verdict.expected.map((r) => `${describeKey(r.keyType, r.fingerprint)} (${at(r)})`).join(', ')}` +
        ` — only if the host was rekeyed (check on it: ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)}): ${[...remove, record].join(' && ')}`
      )
    }
    case 'unknown': {
      const files = ctx.lookedUpIn && ctx.lookedUpIn.length > 0 ? ctx.lookedUpIn : [ctx.knownHostsFile]
      const onFile =
        verdict.otherTypes.length > 0
          ? `known_hosts has only ${verdict.otherTypes.map((r) => `${describeKey(r.keyType, r.fingerprint)} (${at(r)})`).join(', ')} for it`
          : verdict.certAuthorityOnly
            ? 'only @cert-authority lines match it (host certificates are not supported)'
            : `not in ${files.join(', ')}`
      return (
        `${name}: host key not known: presented ${describeKey(verdict.keyType, verdict.fingerprint)}, ${onFile}` +
        ` — compare it with ${fingerprintCommand(ctx.host, ctx.port, {keyType: verdict.keyType})}, then record it: ` +
        `${acceptCommand(ctx.host, ctx.port, ctx.knownHostsFile, {home: ctx.home, keyType: verdict.keyType})}` +
        (acceptNewAllowed(verdict) ? ' (or rerun with --accept-new)' : '')
      )
    }
  }
}

/**
 * What to tell the user about a verdict other than `trusted`: first hostKeyVerdictLine (all a one-line channel
 * shows), then the full explanation for a terminal: what was presented, what is on file and where, and the
 * commands to check and accept. Empty for `trusted`.
 */
export function describeHostKeyVerdict(verdict: HostKeyVerdict, ctx: VerdictMessageContext): string {
  const name = knownHostsName(asciiLower(ctx.host), ctx.port)
  const first = hostKeyVerdictLine(verdict, ctx)
  switch (verdict.status) {
    case 'trusted':
    case 'invalid':
      return first
    case 'revoked':
      return [
        first,
        `REFUSING to connect: the server presented the ${describeKey(verdict.keyType, verdict.fingerprint)},`,
        `which is marked @revoked at ${verdict.revokedAt.map(at).join(', ')}.`,
        'A revoked key must never be accepted. Ask the host\'s administrator for the new host key; do not remove the @revoked line.',
      ].join('\n')
    case 'changed': {
      const bar = '@'.repeat(59)
      const {remove, record} = replaceCommands(verdict, ctx)
      return [
        first,
        bar,
        '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
        bar,
        `${name} presented the ${describeKey(verdict.keyType, verdict.fingerprint)}`,
        'but known_hosts expects:',
        ...verdict.expected.map((r) => `  ${describeKey(r.keyType, r.fingerprint)}  (${at(r)})`),
        'Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host was reinstalled.',
        `hatang will not connect. Check the new key out of band (on the host: ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)});`,
        `if the change is expected, remove the old key:  ${remove.join(' && ')}`,
        `then record the new one:  ${record}`,
      ].join('\n')
    }
    case 'unknown': {
      const lines = [first]
      if (verdict.otherTypes.length > 0) {
        lines.push(
          `The server presented the ${describeKey(verdict.keyType, verdict.fingerprint)}; known_hosts has other key types for this host, not this one:`,
          ...verdict.otherTypes.map((r) => `  ${describeKey(r.keyType, r.fingerprint)}  (${at(r)})`),
          'A server that suddenly presents another key type may have been reconfigured, or something is in the middle.',
        )
      }
      if (verdict.certAuthorityOnly) {
        lines.push('Only @cert-authority lines match this host: hatang does not support host certificates, so each host key must be listed itself.')
      }
      lines.push(
        `Compare the fingerprint with the one the host's administrator reads on the host (ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)}),`,
        `or from here: ${fingerprintCommand(ctx.host, ctx.port, {keyType: verdict.keyType})}`,
        `If they agree, record the key: ${acceptCommand(ctx.host, ctx.port, ctx.knownHostsFile, {home: ctx.home, keyType: verdict.keyType})}`,
      )
      if (acceptNewAllowed(verdict)) lines.push('or rerun with --accept-new to record keys of hosts seen for the first time.')
      return lines.join('\n')
    }
  }
}

/**
 * A first-seen key `--accept-new` could not record: refused, since an unrecorded key would be accepted afresh
 * on every run and a changed key never noticed. First line: the host, the key, which file and why, what to do.
 */
export function describeUnrecordedKey(
  verdict: Extract<HostKeyVerdict, {status: 'unknown'}>,
  ctx: VerdictMessageContext,
  failure: {file: string; why: string},
): string {
  const name = knownHostsName(asciiLower(ctx.host), ctx.port)
  return [
    `${name}: --accept-new cannot record the host key in ${failure.file} (${failure.why}), ` +
      `so the ${describeKey(verdict.keyType, verdict.fingerprint)} is not trusted and hatang did not connect` +
      ` — make ${failure.file} writable, or set the host's knownHostsFile to a writable file, and rerun`,
    'A key accepted without being recorded would be accepted again, whatever it is, on every later run: a changed key would never be noticed.',
    `Compare the fingerprint with the one the host's administrator reads on the host (ssh-keygen -lf ${hostKeyFileOnHost(verdict.keyType)}),`,
    `or from here: ${fingerprintCommand(ctx.host, ctx.port, {keyType: verdict.keyType})}`,
  ].join('\n')
}
