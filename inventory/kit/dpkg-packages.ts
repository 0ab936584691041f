import {shQuote} from '../../src/model/shell-quote.js'
import {needs} from './probe-helpers.js'
import {defineSharedCommand} from './shared-command.js'

/**
 * The dpkg query: every package dpkg-query -W lists (installed ones, and those removed with their
 * configuration kept, "rc"), one a line, tab-separated. The format works with dpkg ≥ 1.16.2 (Debian 7+).
 */
export const DPKG_FORMAT = '${binary:Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\t${source:Package}\\n'

/**
 * The packages dpkg knows, read once a host for the probes that need them (packages, and the pending updates that the
 * controller computes from the apt lists): one `dpkg-query`, ~10 ms of the target's CPU with ~800 packages, instead of
 * one each. Exit 127 where dpkg-query is not installed.
 */
export const dpkgPackages = defineSharedCommand({
  id: 'dpkgPackages',
  platforms: ['Linux'],
  command: needs('dpkg-query', `dpkg-query -W -f=${shQuote(DPKG_FORMAT)}`),
  timeoutMs: 20_000,
})
