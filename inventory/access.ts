import {AUTHORIZED_KEYS_COMMAND, authorizedKeys, parseKeyFilesListing} from './access/authorized-keys.js'
import {parseSudoers, SUDOERS_COMMAND} from './access/sudoers.js'
import {isLoginShell} from './kit/login-shell.js'
import {parseNumberedFiles} from './kit/numbered-files.js'
import {partsCommand, splitParts} from './kit/command-parts.js'
import {defineProbe} from './kit/probe.js'
import {failure, succeeded} from './kit/probe-helpers.js'
import {accessSection, type AccessData} from '../src/model/sections/access.js'

/**
 * Keys and privileges: the authorized_keys of the accounts (fingerprints, never the keys) and the sudo rules.
 * Other accounts' homes and sudoers need root: an unprivileged run says so per account and for sudo.
 */
export const accessProbe = defineProbe({
  section: accessSection,
  platforms: ['Linux'],
  weight: 3,
  // one command, two parts (kit/command-parts.ts)
  commands: {access: partsCommand({keys: AUTHORIZED_KEYS_COMMAND, sudoers: SUDOERS_COMMAND})},
  interpret(outputs) {
    const out = splitParts(outputs.access, ['keys', 'sudoers'])
    const fail = failure(out.keys, '/etc/passwd')
    if (fail) return fail
    const listing = parseKeyFilesListing(out.keys!.stdout)
    const data: AccessData = authorizedKeys(listing)
    const missing: string[] = []
    const needRoot: string[] = []
    const closed = data.accounts.filter((a) => a.needsRoot).map((a) => a.name)
    if (closed.length) needRoot.push(`keys of ${closed.join(', ')}`)
    if (succeeded(out.sudoers)) {
      const files = parseNumberedFiles(out.sudoers.stdout)
      if (files.find((f) => f.path === '/etc/sudoers')?.denied) needRoot.push('sudoers')
      else {
        const accounts = listing.users.map((u) => ({name: u.name, uid: u.uid, loginShell: isLoginShell(u.shell, listing.shells)}))
        data.sudo = parseSudoers(files, accounts)
        if (data.sudo.notRead) missing.push(`sudoers includes not read: ${data.sudo.notRead.join(', ')}`)
      }
    } else {
      const f = failure(out.sudoers, '/etc/sudoers')!
      if (f.reason!.endsWith('not present')) data.sudo = {installed: false, files: [], rules: []}
      else missing.push(f.reason!)
    }
    if (needRoot.length) missing.unshift(`needs root: ${needRoot.join('; ')}`)
    return missing.length ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
