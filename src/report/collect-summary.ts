import type {ChalkInstance} from 'chalk'

import type {Snapshot} from '../model/snapshot.js'
import type {SectionStatus} from '../model/section.js'
import {selectionLine} from './selection-line.js'
import {terminalSafe} from './terminal-text.js'
import {plural} from '../model/plural.js'

const mark: Record<SectionStatus, string> = {ok: '✔', partial: '◐', unavailable: '○', error: '✖', timeout: '⧗', skipped: '-'}

const GiB = 2 ** 30
export function bytes(n: number): string {
  if (n >= 2 ** 40) return `${(n / 2 ** 40).toFixed(1)} TiB`
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`
  return `${n} B`
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400)
  const h = Math.floor((seconds % 86_400) / 3600)
  return d > 0 ? `${d} d ${h} h` : `${h} h ${Math.floor((seconds % 3600) / 60)} min`
}

/**
 * A readable summary of one snapshot for the terminal: the machine in a screenful, then each section's status; every
 * string the host sent with its control characters escaped. Pure.
 */
export function renderCollectSummary(raw: Snapshot, c: ChalkInstance): string {
  const snapshot = terminalSafe(raw)
  const s = snapshot.sections
  const m = snapshot.meta
  const out: string[] = []
  const row = (label: string, text: string | undefined) => {
    if (text) out.push(`${c.bold(label.padEnd(10))} ${text}`)
  }
  // a section left out on purpose says so in a word (the flag is on the last line)
  const unknown = (section: {status: SectionStatus; reason?: string}) => c.dim(section.status === 'skipped' ? 'skipped' : `unknown (${section.reason ?? section.status})`)

  const os = s.os.data
  out.push(c.bold(snapshot.host.name) + (os ? `  ${os.prettyName ?? os.name ?? os.family} · kernel ${os.kernel} · ${os.architecture}` : ''))
  out.push(
    c.dim(
      `collected ${m.collectedAt} in ${m.durationMs} ms by ${m.tool.name} ${m.tool.version}` +
        ` (${m.privileged ? 'root' : `uid ${m.uid ?? '?'}, not root: some sections need root`}${m.native ? ', hardware via systeminformation' : ''})`,
    ),
  )
  out.push('')

  const cpu = s.cpu.data
  const mem = s.memory.data
  const hw: string[] = []
  if (s.system.data?.vendor || s.system.data?.model) hw.push([s.system.data.vendor, s.system.data.model].filter(Boolean).join(' '))
  if (cpu) hw.push(`${cpu.model ?? 'CPU'} · ${[cpu.sockets && plural(cpu.sockets, 'socket'), cpu.cores && plural(cpu.cores, 'core'), plural(cpu.threads, 'thread')].filter(Boolean).join(', ')}`)
  if (mem) hw.push(`${bytes(mem.totalBytes)} RAM${mem.swapTotalBytes ? `, ${bytes(mem.swapTotalBytes)} swap` : ', no swap'}`)
  row('Hardware', hw.join(' · ') || unknown(s.cpu))
  const v = s.virtualization.data
  if (v) {
    const parts = [v.role === 'guest' ? `virtual machine (${[v.technology, v.hypervisor].filter(Boolean).join(' on ')})` : v.role === 'host' ? 'hypervisor host' : 'bare metal']
    if (v.container !== 'none') parts.push(`container: ${v.container}`)
    row('', parts.join(' · '))
  }
  if (s.system.data?.biosVersion) row('', `BIOS ${s.system.data.biosVendor ?? ''} ${s.system.data.biosVersion} (${s.system.data.biosDate ?? 'date unknown'})`)
  row('Disks', s.disks.data ? s.disks.data.disks.map((d) => `${d.name} ${bytes(d.sizeBytes)} ${d.kind}${d.model ? ` ${d.model}` : ''}`).join(' · ') || 'none' : unknown(s.disks))
  const fs = s.filesystems.data?.mounts.filter((f) => !f.pseudo && f.sizeBytes && f.sizeBytes > 0) ?? []
  if (s.filesystems.data) {
    row('Storage', fs.slice(0, 6).map((f) => {
      const pct = f.sizeBytes && f.usedBytes !== undefined ? Math.round((100 * f.usedBytes) / f.sizeBytes) : undefined
      const text = `${f.target} ${f.fstype} ${bytes(f.sizeBytes!)}${pct === undefined ? '' : ` ${pct}% used`}`
      return pct !== undefined && pct >= 85 ? c.red(text) : text
    }).join(' · ') + (fs.length > 6 ? ` · +${fs.length - 6} more` : '') || 'no local filesystem with a size')
  }

  const net = s.network.data
  if (net) {
    const ifaces = net.interfaces
      .filter((i) => i.kind !== 'loopback' && (i.ipv4.length > 0 || i.ipv6.some((a) => a.scope === 'global')))
      .map((i) => `${i.name} ${[...i.ipv4, ...i.ipv6.filter((a) => a.scope === 'global')].map((a) => `${a.address}/${a.prefixLength}`).join(' ')}${i.state === 'down' ? ' (down)' : ''}`)
    const gw = net.defaultRoutes.filter((r) => r.gateway).map((r) => `via ${r.gateway}`)
    row('Network', [ifaces.join(' · ') || 'no address', gw.length ? `default ${gw.join(', ')}` : 'no default route', net.dns ? `DNS ${net.dns.servers.join(', ') || 'none'}` : ''].filter(Boolean).join(' · '))
  } else row('Network', unknown(s.network))
  const ports = s.ports.data?.listening
  if (ports) row('Listening', ports.length === 0 ? 'nothing' : [...new Set(ports.map((p) => `${p.protocol}/${p.port}`))].sort().join(' '))

  const pk = s.packages.data
  const up = s.updates.data
  const sw: string[] = []
  if (pk) sw.push(`${pk.items.length} packages (${pk.managers.join(', ')})`)
  if (up && up.pending !== undefined) {
    const text = `${plural(up.pending, 'pending update')}${up.security ? `, ${up.security} security` : ''}`
    sw.push(up.security ? c.red(text) : up.pending ? c.yellow(text) : c.green(text))
    if (up.cacheStale) sw.push(c.yellow('package cache is stale'))
  } else sw.push(`updates ${unknown(s.updates)}`)
  if (up?.reboot?.required) sw.push(c.yellow('reboot required'))
  row('Software', s.packages.status === 'skipped' && s.updates.status === 'skipped' ? unknown(s.packages) : sw.join(' · '))
  const svc = s.services.data
  if (svc) {
    const running = svc.services.filter((x) => x.state === 'running').length
    row('Services', `${svc.manager === 'none' ? `no service manager (PID 1 is ${svc.pid1 ?? '?'})` : svc.manager}: ${plural(svc.services.length, 'service')}, ${running} running`)
  }
  const acc = s.accounts.data
  if (acc) {
    const admins = acc.adminGroups.flatMap((g) => g.members)
    row('Accounts', `${plural(acc.users.length, 'user')}, ${acc.users.filter((u) => u.loginShell).length} with a login shell · uid 0: ${acc.uid0.join(', ')} · admins: ${[...new Set(admins)].join(', ') || 'none'}`)
  }

  const sec: string[] = []
  const sshd = s.sshd.data
  if (sshd) sec.push(sshd.installed ? `sshd ${sshd.version ?? ''}: root login ${sshd.permitRootLogin ?? '?'}, passwords ${sshd.passwordAuthentication === undefined ? '?' : sshd.passwordAuthentication ? c.yellow('allowed') : 'refused'}` : 'no sshd')
  const fw = s.firewall.data
  sec.push(fw ? `firewall ${fw.active === undefined ? '?' : fw.active ? c.green(`active (${fw.backend}, input ${fw.inputPolicy})`) : c.red('inactive')}` : `firewall ${unknown(s.firewall)}`)
  const ts = s.timeSync.data
  if (ts) sec.push(`time ${ts.daemon}${ts.running ? '' : ' not running'}, ${ts.synchronized ? c.green('synchronized') : c.red('not synchronized')}`)
  row('Security', sec.join(' · '))
  const sec2: string[] = []
  if (s.mac.data) sec2.push(`MAC ${s.mac.data.active}`)
  if (s.audit.data) sec2.push(`auditd ${s.audit.data.installed ? (s.audit.data.running ? 'running' : 'not running') : 'not installed'}`)
  if (s.encryption.data) sec2.push(`root ${s.encryption.data.rootEncrypted === undefined ? 'encryption unknown' : s.encryption.data.rootEncrypted ? 'encrypted' : 'not encrypted'}`)
  if (s.malware.data) sec2.push(`scanners: ${s.malware.data.scanners.map((x) => x.title).join(', ') || 'none'}`)
  row('', sec2.join(' · '))
  if (os?.uptimeSeconds !== undefined) row('Uptime', `${duration(os.uptimeSeconds)} (since ${os.bootTime ?? '?'}) · time zone ${os.timezone ?? '?'}`)
  if (m.clock) row('Clock', `${m.clock.skewMs >= 0 ? '+' : ''}${m.clock.skewMs} ms against this machine (±${m.clock.uncertaintyMs} ms)`)

  out.push('')
  const paint = {ok: c.green, partial: c.yellow, unavailable: c.dim, error: c.red, timeout: c.red, skipped: c.dim} as const
  const entries = Object.entries(s) as [string, {status: SectionStatus; reason?: string}][]
  const counts = new Map<SectionStatus, number>()
  for (const [, x] of entries) counts.set(x.status, (counts.get(x.status) ?? 0) + 1)
  out.push(`${entries.length} sections: ${[...counts].map(([k, n]) => paint[k](`${n} ${k}`)).join(', ')}`)
  const width = Math.max(...entries.map(([k]) => k.length))
  for (const [id, x] of entries) {
    if (x.status === 'ok' || x.status === 'skipped') continue
    out.push(`  ${paint[x.status](`${mark[x.status]} ${id.padEnd(width)}`)}  ${x.status} — ${x.reason ?? ''}`)
  }
  // the sections left out on purpose, on one line: what was asked, and what was therefore not collected
  if (m.selection) out.push(`  ${paint.skipped(`${mark.skipped} ${selectionLine(m.selection)}`)}`)
  return out.join('\n')
}
