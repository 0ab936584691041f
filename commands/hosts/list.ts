import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../src/cli/base-command.js'
import {ExitCode} from '../../src/cli/exit-codes.js'
import {ConfigError} from '../../src/config/config-error.js'
import {loadInventory} from '../../src/hosts/load-inventory.js'
import type {HostSpec} from '../../src/hosts/model.js'
import {groupWarnings, renderWarnings} from '../../src/hosts/inventory-warnings.js'
import {renderHostList} from '../../src/hosts/render-hosts.js'
import {LimitError, selectHosts} from '../../src/hosts/select.js'
import {sshConfigOption} from './validate.js'

export default class HostsList extends BaseCommand {
  static override summary = 'Show every host with its resolved connection settings.'
  static override description =
    'Resolves defaults, groups, host settings and ~/.ssh/config (the hosts file wins) and prints one row per host. ' +
    '--limit selects like Ansible: groups, hosts, globs (web*), comma lists, !exclusion, &intersection. ' +
    'Passwords are never shown: only the name of the variable that holds one. A key file the inventory names that ' +
    'does not exist is marked (missing); what hatang ignores or refuses of an Ansible inventory is named on stderr ' +
    '(with --json: in each host\'s warnings).'
  static override examples = [
    '<%= config.bin %> hosts list hosts.yaml',
    "<%= config.bin %> hosts list hosts.yaml --limit 'web,db,!web03'",
    "<%= config.bin %> hosts list inventory.ini --limit 'prod,&web' --json",
  ]
  static override args = {file: Args.string({required: true, description: 'hosts.yaml or an Ansible inventory (INI or YAML)'})}
  static override flags = {
    limit: Flags.string({char: 'l', summary: "Only these hosts: groups, hosts, globs, 'a,b', '!x', '&y'.", helpValue: 'PATTERN'}),
    'ssh-config': Flags.string({summary: "ssh_config to consult for what the inventory leaves unset; 'none' for none.", default: '~/.ssh/config', helpValue: 'FILE'}),
  }

  async run(): Promise<HostSpec[]> {
    const {args, flags} = await this.parse(HostsList)
    let hosts: HostSpec[]
    try {
      hosts = selectHosts(loadInventory(args.file, sshConfigOption(flags['ssh-config'])), flags.limit)
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof LimitError)) throw error
      const text = error instanceof ConfigError ? error.all().map((e) => e.format()).join('\n') : `${error.message}${error.hint ? ` — ${error.hint}` : ''}`
      if (this.jsonEnabled()) this.usageError(text)
      this.logToStderr(text) // unwrapped, so file:line:column stays on one line for editors and grep
      this.exit(ExitCode.Usage)
    }
    if (this.jsonEnabled()) return hosts
    this.log(renderHostList(hosts, this.style().color))
    const warnings = groupWarnings(hosts)
    if (warnings.length) this.logToStderr(renderWarnings(warnings, this.style().color))
    return hosts
  }
}
