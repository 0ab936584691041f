import type {FixPlan, HostPlan} from '../engine/fixes/fix-plan.js'
import {SH_PRELUDE, shEpilogue} from '../engine/fixes/sh-prelude.js'
import {shQuote} from '../model/shell-quote.js'
import {commentText, planHeader} from './fix-header.js'

/** The host's facts as shell variables, each value single-quoted: data, never code. */
function factLines(host: HostPlan): string[] {
  const f = host.facts
  return [
    `hatang_ssh_service=${shQuote(f.hatang_ssh_service)}`,
    ...(f.hatang_ssh_ports ? [`hatang_ssh_ports=${shQuote(f.hatang_ssh_ports.join(' '))}`] : []),
    ...(f.hatang_os_codename ? [`hatang_os_codename=${shQuote(f.hatang_os_codename)}`] : []),
    ...(f.hatang_tcp_ports ? [`hatang_tcp_ports=${shQuote(f.hatang_tcp_ports.join(' '))}`] : []),
    ...(f.hatang_udp_ports ? [`hatang_udp_ports=${shQuote(f.hatang_udp_ports.join(' '))}`] : []),
  ]
}

/**
 * One host's script: strict mode and the helpers, the host's facts, then every automatic fix it needs in the plan's
 * order (risky ones last), each announced; handlers (sshd -t before reload) once at the end. Run it as root.
 */
export function renderFixScript(plan: FixPlan, host: HostPlan, header: {source: string; generatedAt: string}): string {
  const byCheck = new Map(plan.order.map((o) => [o.check, o]))
  const parts = host.fixes.map((f) => {
    const entry = byCheck.get(f.check)!
    return [`# --- ${commentText(f.check)} (${f.severity}, risk ${f.risk}): ${commentText(entry.title.en)}`, `echo ${shQuote(`fix: ${f.check}`)}`, entry.fix.sh.trimEnd()].join('\n')
  })
  return [
    '#!/bin/sh',
    `# hatang fix for ${commentText(host.host)}: run as root on that host (sh ${commentText(host.host)}.sh); a second run changes nothing.`,
    planHeader(plan, header, '#', host.host).trimEnd(),
    SH_PRELUDE.trimEnd(),
    ...factLines(host),
    ...parts,
    shEpilogue().trimEnd(),
    `echo ${shQuote(`hatang fix: ${host.fixes.length} fixes applied`)}`,
    '',
  ].join('\n')
}
