import YAML from 'yaml'

import {ansibleHandlerTasks} from '../engine/fixes/handlers.js'
import {fixFile} from '../engine/fixes/fix-kind.js'
import {fixGroup, type FixPlan, type HostPlan} from '../engine/fixes/fix-plan.js'
import {planHeader} from './fix-header.js'

/** How hatang reaches a host, as Ansible's connection variables (from the hosts file; never a secret). */
export interface AnsibleConnection {
  local?: boolean
  address?: string
  port?: number
  user?: string
  identityFiles?: readonly string[]
  knownHostsFiles?: readonly string[]
  proxyJump?: string
  /** Become root with sudo (the user is not root). */
  become?: boolean
}

/** A value the host or the hosts file gave: Ansible reads it as data (`!unsafe`), never as a Jinja template. */
function unsafe(value: string): YAML.Scalar {
  const s = new YAML.Scalar(value)
  s.tag = '!unsafe'
  return s
}

/** An ssh argument quoted for Ansible's shlex split of ansible_ssh_common_args. */
const sshArg = (value: string) => `'${value.replace(/'/g, `'"'"'`)}'`

function hostVars(plan: HostPlan, connection: AnsibleConnection | undefined): Record<string, unknown> {
  const vars: Record<string, unknown> = {}
  if (connection?.local) vars.ansible_connection = 'local'
  else {
    if (connection?.address) vars.ansible_host = unsafe(connection.address)
    if (connection?.port) vars.ansible_port = connection.port
    if (connection?.user) vars.ansible_user = unsafe(connection.user)
    if (connection?.identityFiles?.[0]) vars.ansible_ssh_private_key_file = unsafe(connection.identityFiles[0])
    const args = [
      ...(connection?.knownHostsFiles?.length ? [`-o UserKnownHostsFile=${sshArg(connection.knownHostsFiles.join(' '))}`] : []),
      ...(connection?.proxyJump ? [`-o ProxyJump=${sshArg(connection.proxyJump)}`] : []),
    ]
    if (args.length > 0) vars.ansible_ssh_common_args = unsafe(args.join(' '))
  }
  if (connection?.become) vars.ansible_become = true
  vars.hatang_ssh_service = plan.facts.hatang_ssh_service
  if (plan.facts.hatang_ssh_ports) vars.hatang_ssh_ports = plan.facts.hatang_ssh_ports
  if (plan.facts.hatang_os_codename) vars.hatang_os_codename = unsafe(plan.facts.hatang_os_codename)
  if (plan.facts.hatang_tcp_ports) vars.hatang_tcp_ports = plan.facts.hatang_tcp_ports
  if (plan.facts.hatang_udp_ports) vars.hatang_udp_ports = plan.facts.hatang_udp_ports
  return vars
}

/** The inventory: exactly the hosts with an automatic fix, their connection and facts, a group per fix. */
export function renderFixInventory(plan: FixPlan, connections: ReadonlyMap<string, AnsibleConnection>): string {
  const withFixes = plan.hosts.filter((h) => h.fixes.length > 0)
  const hosts: Record<string, unknown> = {}
  for (const h of withFixes) hosts[h.host] = hostVars(h, connections.get(h.host))
  const children: Record<string, unknown> = {}
  for (const o of plan.order) {
    const members = withFixes.filter((h) => h.fixes.some((f) => f.check === o.check)).map((h) => [h.host, null])
    children[fixGroup(o.check)] = {hosts: Object.fromEntries(members)}
  }
  const doc = new YAML.Document({all: {hosts, children}}, {aliasDuplicateObjects: false})
  return `# hatang fix: the hosts with an automatic fix, grouped by the fix they need (no secrets: keys by path only)\n${doc.toString({lineWidth: 0, nullStr: ''})}`
}

/** One check's tasks, each tagged with the check's id and severity (the file a report names). */
export function renderFixTasks(entry: FixPlan['order'][number]): string {
  const tasks = entry.fix.ansible.map((t) => ({...t, tags: [entry.check, entry.severity]}))
  return `# ${entry.check} (${entry.severity}) — ${entry.title.en.replace(/[\r\n]+/g, ' ')}\n${YAML.stringify(tasks, {lineWidth: 0, aliasDuplicateObjects: false})}`
}

/** The playbook: a play per check in the plan's order (risky ones last), each on its group, handlers where notified. */
export function renderFixPlaybook(plan: FixPlan, header: {source: string; generatedAt: string}): string {
  const plays = plan.order.map((o) => {
    const notified = new Set(o.fix.ansible.flatMap((t) => (t.notify === undefined ? [] : Array.isArray(t.notify) ? t.notify : [t.notify])))
    const handlers = ansibleHandlerTasks(notified)
    return {
      name: `${o.check} (${o.severity}, risk ${o.risk}): ${o.title.en}`,
      hosts: fixGroup(o.check),
      gather_facts: false,
      tasks: [{name: `${o.check}`, 'ansible.builtin.import_tasks': fixFile(o.check), tags: [o.check, o.severity]}],
      ...(handlers.length > 0 ? {handlers} : {}),
    }
  })
  const body = plays.length > 0 ? YAML.stringify(plays, {lineWidth: 0, aliasDuplicateObjects: false}) : '[]\n'
  return `${planHeader(plan, header, '#')}${body}`
}
