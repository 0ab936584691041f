import {readFileSync} from 'node:fs'

import type {HostSpec} from '../hosts/model.js'
import {envSecrets, isEncryptedKey, withTyped, type SshSecrets} from '../transport/ssh-secrets.js'
import {DEFAULT_IDENTITIES} from '../transport/ssh-auth.js'

/** A secret the sweep needs and the environment does not give, with the hosts that need it. */
export type NeededSecret = {kind: 'password'; env: string; hosts: string[]} | {kind: 'passphrase'; file: string; hosts: string[]}

/**
 * The passwords (hosts' `passwordEnv` whose variable is unset) and key passphrases (encrypted key files a host
 * would try, when HATANG_SSH_PASSPHRASE is unset and no ssh-agent is running, as the agent usually holds them)
 * a sweep of these hosts would lack. Reads the key files; never their secrets.
 */
export function neededSecrets(hosts: readonly HostSpec[], env: NodeJS.ProcessEnv = process.env): NeededSecret[] {
  const passwords = new Map<string, string[]>()
  const keys = new Map<string, string[]>()
  for (const h of hosts) {
    if (h.transport !== 'ssh') continue
    if (h.passwordEnv && env[h.passwordEnv] === undefined) passwords.set(h.passwordEnv, [...(passwords.get(h.passwordEnv) ?? []), h.name])
    if (env.HATANG_SSH_PASSPHRASE !== undefined || env.SSH_AUTH_SOCK) continue
    for (const file of h.identityFiles.length > 0 ? h.identityFiles : DEFAULT_IDENTITIES) keys.set(file, [...(keys.get(file) ?? []), h.name])
  }
  const out: NeededSecret[] = [...passwords].map(([name, names]) => ({kind: 'password' as const, env: name, hosts: names}))
  for (const [file, names] of keys) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    if (isEncryptedKey(text)) out.push({kind: 'passphrase', file, hosts: names})
  }
  return out
}

const few = (names: string[]) => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`)

/** Reads one line from a terminal without echoing it. Ctrl-C exits 130; Ctrl-D ends the line. */
export async function readHidden(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  // echo off before the prompt shows: what is typed once it is visible is never echoed
  const wasRaw = input.isRaw
  input.setRawMode(true)
  input.resume()
  output.write(prompt)
  try {
    return await new Promise<string>((resolve) => {
      let line = ''
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            input.off('data', onData)
            resolve(line)
            return
          }
          if (ch === '\u0003') {
            output.write('\n')
            process.exit(130)
          }
          if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('')
          else if (ch === '\u0015') line = ''
          else if (ch >= ' ') line += ch
        }
      }
      input.on('data', onData)
    })
  } finally {
    input.setRawMode(wasRaw)
    input.pause()
    output.write('\n')
  }
}

/**
 * The secrets of a sweep: the environment's, and on a terminal, what the operator types for each password and
 * passphrase the environment lacks — asked once each, before any host is contacted, never echoed. Without a
 * terminal nothing is asked (cron): hosts that need a missing secret fail with auth-failed, saying which.
 */
export async function askSecrets(hosts: readonly HostSpec[], input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<SshSecrets> {
  const needed = neededSecrets(hosts)
  if (needed.length === 0 || !input.isTTY) return envSecrets
  const passwords = new Map<string, string>()
  const passphrases = new Map<string, string>()
  for (const n of needed) {
    if (n.kind === 'password') passwords.set(n.env, await readHidden(`Password for ${few(n.hosts)} (${n.env} is not set): `, input, output))
    else passphrases.set(n.file, await readHidden(`Passphrase for ${n.file} (${few(n.hosts)}): `, input, output))
  }
  return withTyped(envSecrets, passwords, passphrases)
}
