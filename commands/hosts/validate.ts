import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../src/cli/base-command.js'
import {ExitCode} from '../../src/cli/exit-codes.js'
import {readInventory} from '../../src/hosts/load-inventory.js'
import {renderValidate} from '../../src/hosts/render-hosts.js'
import {renderWarnings} from '../../src/hosts/inventory-warnings.js'
import {validateInventory, type ValidateResult} from '../../src/hosts/validate-inventory.js'

export default class HostsValidate extends BaseCommand {
  static override summary = 'Check a hosts file (or an Ansible inventory) and say where each problem is.'
  static override description =
    'Reads hosts.yaml, an Ansible YAML inventory or an Ansible INI inventory, validates it (schema, unknown keys, ' +
    'secrets written in the file, unknown proxyJump aliases, conflicting duplicates, cycles in children, identity ' +
    'files that do not exist, ssh options ssh itself would stop at) and prints "ok: N hosts in M groups" or one ' +
    'file:line:column line per problem. Exits 2 when there is a problem. Ansible ssh options hatang ignores or ' +
    'refuses are named as warnings on stderr.'
  static override examples = ['<%= config.bin %> hosts validate hosts.yaml', '<%= config.bin %> hosts validate /etc/ansible/hosts --json']
  static override args = {file: Args.string({required: true, description: 'hosts.yaml or an Ansible inventory (INI or YAML)'})}
  static override flags = {
    'ssh-config': Flags.string({summary: "ssh_config to consult for what the inventory leaves unset; 'none' for none.", default: '~/.ssh/config', helpValue: 'FILE'}),
  }

  async run(): Promise<ValidateResult> {
    const {args, flags} = await this.parse(HostsValidate)
    const {result, errors, warnings} = validateInventory(readInventory(args.file, sshConfigOption(flags['ssh-config'])))
    if (!result.valid) process.exitCode = ExitCode.Usage // --json still prints the result, with the errors
    if (this.jsonEnabled()) return result
    const color = this.style().color
    if (result.valid) this.log(renderValidate(args.file, result, errors, color))
    else this.logToStderr(renderValidate(args.file, result, errors, color))
    if (warnings.length) this.logToStderr(renderWarnings(warnings, color))
    return result
  }
}

/** `--ssh-config`: the default applies only when the file exists; `none` turns it off. */
export function sshConfigOption(value: string): {sshConfig?: string | null} {
  if (value === 'none') return {sshConfig: null}
  if (value === '~/.ssh/config') return {}
  return {sshConfig: value}
}
