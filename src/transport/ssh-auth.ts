import {existsSync, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import ssh2 from 'ssh2'
import type {AgentAuthMethod, PasswordAuthMethod, PublicKeyAuthMethod} from 'ssh2'

import {openKey} from './opened-keys.js'
import {isEncryptedKey, type SshSecrets} from './ssh-secrets.js'

/**
 * What one SSH login offers, in OpenSSH's order (the agent, key files, a password), and — when the server
 * refuses them all — the reason that says exactly what was tried and what was missing: key files that do not
 * exist, encrypted keys without (or with a wrong) passphrase, no agent, an unset password variable. Names
 * files and variables, never a secret.
 */

/** The keys tried when a host names none, as OpenSSH tries them. */
export const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(os.homedir(), '.ssh', f))

export type AuthMethod = AgentAuthMethod | PublicKeyAuthMethod | PasswordAuthMethod

/** One identity file, as it stands before connecting. */
type Identity =
  | {file: string; state: 'usable'; key: ssh2.ParsedKey}
  | {file: string; state: 'missing' | 'locked' | 'wrong-passphrase'}
  | {file: string; state: 'unreadable' | 'not-a-key'; detail: string}

export interface AuthLogin {
  user: string
  host: string
  port: number
  /** The key files the host names; none: OpenSSH's defaults, those that exist. */
  identityFiles: readonly string[]
  /** The variable that holds the password, when the host has `passwordEnv`. */
  passwordEnv?: string
}

export interface AuthPlan {
  /** What to offer, in order. */
  methods: AuthMethod[]
  /** The auth-failed reason, once the server refused every method (`accepts`: the methods it said it takes). */
  refused(accepts?: readonly string[]): string
}

function readIdentity(file: string, secrets: SshSecrets): Identity {
  let key: string
  try {
    key = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {file, state: 'missing'}
    return {file, state: 'unreadable', detail: code === 'EISDIR' ? 'a folder' : `cannot be read: ${code ?? String(error)}`}
  }
  const passphrase = secrets.passphrase(file)
  if (isEncryptedKey(key)) {
    if (passphrase === undefined) return {file, state: 'locked'}
    const opened = openKey(key, passphrase)
    return opened instanceof Error ? {file, state: 'wrong-passphrase'} : {file, state: 'usable', key: opened}
  }
  const parsed = openKey(key)
  if (parsed instanceof Error) return {file, state: 'not-a-key', detail: `not a private key hatang can read (${parsed.message})`}
  if (!parsed.isPrivateKey()) return {file, state: 'not-a-key', detail: 'a public key: identityFile names the private key (the file without .pub)'}
  return {file, state: 'usable', key: parsed}
}

const list = (items: readonly string[]) => items.join(', ')

/** Plans the login of one hop: reads its key files (not their secrets into any message), finds the agent and the password. */
export function planAuth(login: AuthLogin, options: {agent: string | undefined; secrets: SshSecrets}): AuthPlan {
  const configured = login.identityFiles.length > 0
  const identities = (configured ? login.identityFiles : DEFAULT_IDENTITIES).map((f) => readIdentity(f, options.secrets))
  const usable = identities.filter((i): i is Extract<Identity, {state: 'usable'}> => i.state === 'usable')
  const password = login.passwordEnv ? options.secrets.password(login.passwordEnv) : undefined
  const agent = options.agent

  const methods: AuthMethod[] = []
  if (agent) methods.push({type: 'agent', username: login.user, agent})
  // the key opened once a process (opened-keys.ts): ssh2 takes a parsed key as it is
  for (const k of usable) methods.push({type: 'publickey', username: login.user, key: k.key})
  if (password !== undefined) methods.push({type: 'password', username: login.user, password})

  const refused = (accepts?: readonly string[]): string => {
    const tried = [
      ...(agent ? [`the ssh-agent (${agent})`] : []),
      ...usable.map((k) => `key ${k.file}`),
      ...(password !== undefined ? [`a password (${login.passwordEnv})`] : []),
    ]
    const missing: string[] = []
    const next: string[] = []
    if (!agent) missing.push('no ssh-agent (SSH_AUTH_SOCK is not set)')
    else if (!existsSync(agent)) missing.push(`the ssh-agent socket ${agent} does not exist`)
    const absent = identities.filter((i) => i.state === 'missing').map((i) => i.file)
    if (configured && absent.length > 0) {
      missing.push(`key ${list(absent)} ${absent.length === 1 ? 'does' : 'do'} not exist`)
      next.push('correct identityFile in the hosts file')
    }
    if (!configured && usable.length === 0 && absent.length === identities.length) {
      missing.push(`no identityFile is set and no default key exists (${list(absent)})`)
      next.push('set identityFile for the host')
    }
    for (const i of identities) if (i.state === 'unreadable' || i.state === 'not-a-key') missing.push(`key ${i.file} is ${i.detail}`)
    const locked = identities.filter((i) => i.state === 'locked').map((i) => i.file)
    if (locked.length > 0) {
      missing.push(`${list(locked)} ${locked.length === 1 ? 'is' : 'are'} encrypted and no passphrase was given`)
      next.push(`load ${locked.length === 1 ? 'it' : 'them'} into ssh-agent, set HATANG_SSH_PASSPHRASE, or run in a terminal to be asked`)
    }
    const wrong = identities.filter((i) => i.state === 'wrong-passphrase').map((i) => i.file)
    if (wrong.length > 0) missing.push(`the passphrase given does not open ${list(wrong)}`)
    if (login.passwordEnv && password === undefined) {
      missing.push(`password variable ${login.passwordEnv} is not set`)
      next.push(`set ${login.passwordEnv}, or run in a terminal to be asked`)
    }
    if (password !== undefined && accepts !== undefined && accepts.length > 0 && !accepts.includes('password')) missing.push('the server does not take a password')
    if (tried.length > 0 && next.length === 0) next.push(`check that ${login.user}'s authorized_keys on the host holds one of these keys`)
    const server = accepts && accepts.length > 0 ? ` (the server accepts: ${list(accepts)})` : ''
    return (
      `authentication refused for ${login.user}@${login.host}:${login.port}${server}: tried ${tried.length > 0 ? list(tried) : 'nothing'}` +
      (missing.length > 0 ? `; ${missing.join('; ')}` : '') +
      (next.length > 0 ? ` — ${next.join('; ')}` : '')
    )
  }
  return {methods, refused}
}
