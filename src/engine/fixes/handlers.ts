/**
 * The handlers a fix may notify, written once here (packs only name them): sshd's configuration is validated with
 * `sshd -t` before sshd reloads, so a broken file fails the host's run and never reaches the running daemon.
 * The service is named by the host's fact hatang_ssh_service (`ssh` in the Debian family, `sshd` elsewhere); it is
 * reloaded by systemd where systemd runs (/run/systemd/system), else by its init script, in Ansible as in sh.
 */
export const ANSIBLE_HANDLERS = [
  {
    name: 'hatang reload sshd',
    tasks: [
      {name: 'hatang validate sshd', 'ansible.builtin.command': {cmd: '/usr/sbin/sshd -t'}, changed_when: false, listen: 'hatang reload sshd'},
      // systemd where it runs, else the init script (a container, a chroot), as the sh handler: the service module
      // would choose systemd wherever it is installed, running or not
      {name: 'hatang reload the ssh service (systemd)', 'ansible.builtin.command': {cmd: 'systemctl reload {{ hatang_ssh_service }}', removes: '/run/systemd/system'}, listen: 'hatang reload sshd'},
      {name: 'hatang reload the ssh service (init script)', 'ansible.builtin.command': {cmd: '/etc/init.d/{{ hatang_ssh_service }} reload', creates: '/run/systemd/system'}, listen: 'hatang reload sshd'},
    ],
  },
  {
    name: 'hatang reload nftables',
    tasks: [
      {name: 'hatang validate nftables', 'ansible.builtin.command': {cmd: 'nft -c -f /etc/nftables.conf'}, changed_when: false, listen: 'hatang reload nftables'},
      {name: 'hatang load nftables', 'ansible.builtin.command': {cmd: 'nft -f /etc/nftables.conf'}, listen: 'hatang reload nftables'},
    ],
  },
] as const

export const HANDLER_NAMES = ANSIBLE_HANDLERS.map((h) => h.name)

/** The handlers as Ansible writes them in a play: each handler's steps listen to its name, in order. */
export function ansibleHandlerTasks(names: ReadonlySet<string>): Record<string, unknown>[] {
  return ANSIBLE_HANDLERS.filter((h) => names.has(h.name)).flatMap((h) => h.tasks.map((t) => ({...t})))
}

/** The same for the shell scripts: run once at the end of the script when a fix called `hatang_notify NAME`. */
export const SH_HANDLERS: Record<string, string> = {
  'reload-sshd': [
    '/usr/sbin/sshd -t',
    'if [ -d /run/systemd/system ]; then systemctl reload "$hatang_ssh_service"',
    'elif [ -x "/etc/init.d/$hatang_ssh_service" ]; then "/etc/init.d/$hatang_ssh_service" reload',
    'fi',
  ].join('\n'),
  'reload-nftables': ['nft -c -f /etc/nftables.conf', 'nft -f /etc/nftables.conf'].join('\n'),
}
