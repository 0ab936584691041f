import {didYouMean} from './did-you-mean.js'
import {hostsOfGroup, hostsOfGroups, type HostSpec, type Inventory} from './model.js'
import {wildcardMatch} from './ssh-config.js'

/** A --limit problem: exit 2 like every usage error. */
export class LimitError extends Error {
  override readonly name = 'LimitError'
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** Hosts a single term names: `all`/`*`, a group (with its children), a host, a glob, or `~regex`. */
function termHosts(inventory: Inventory, term: string): string[] | undefined {
  if (term === 'all' || term === '*') return inventory.hosts.map((h) => h.name)
  if (term.startsWith('~')) {
    let re: RegExp
    try {
      re = new RegExp(term.slice(1))
    } catch {
      throw new LimitError(`--limit '${term}' is not a valid regular expression`)
    }
    return [...matching(inventory, (n) => re.test(n))]
  }
  if (/[*?]/.test(term)) return [...matching(inventory, (n) => wildcardMatch(n, term))]
  if (Object.hasOwn(inventory.groups, term)) return hostsOfGroup(inventory, term)
  if (inventory.hosts.some((h) => h.name === term)) return [term]
  return undefined
}

function matching(inventory: Inventory, test: (name: string) => boolean): Set<string> {
  const out = hostsOfGroups(inventory, Object.keys(inventory.groups).filter(test))
  for (const h of inventory.hosts) if (test(h.name)) out.add(h.name)
  return out
}

/**
 * Selects hosts as Ansible's --limit does: comma-separated terms — group names, host names, globs
 * (`web*`), `~regex`, `all` — united; `&term` intersects, `!term` excludes (applied after the union,
 * in that order). A name that matches nothing is an error (a typo would otherwise sweep nothing).
 * The result keeps inventory order.
 */
export function selectHosts(inventory: Inventory, limit: string | undefined): HostSpec[] {
  if (limit === undefined || limit.trim() === '') return inventory.hosts
  const terms = limit
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  const names = () => [...Object.keys(inventory.groups), ...inventory.hosts.map((h) => h.name)]
  const resolve = (term: string, mustMatch: boolean): Set<string> => {
    const hosts = termHosts(inventory, term)
    if (hosts === undefined)
      throw new LimitError(`--limit names '${term}', which is neither a group nor a host`, didYouMean(term, names()) ?? `see 'hatang hosts list FILE' for the names`)
    if (mustMatch && hosts.length === 0) throw new LimitError(`--limit '${term}' matches no host`, `see 'hatang hosts list FILE' for the names`)
    return new Set(hosts)
  }
  let selected = new Set<string>()
  const plus = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'))
  if (plus.length === 0) selected = new Set(inventory.hosts.map((h) => h.name))
  for (const t of plus) for (const h of resolve(t, true)) selected.add(h)
  for (const t of terms.filter((x) => x.startsWith('&'))) {
    const keep = resolve(t.slice(1), true)
    selected = new Set([...selected].filter((h) => keep.has(h)))
  }
  for (const t of terms.filter((x) => x.startsWith('!'))) for (const h of resolve(t.slice(1), false)) selected.delete(h)
  return inventory.hosts.filter((h) => selected.has(h.name))
}

