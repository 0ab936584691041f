/**
 * The README's table of the checks with automatic fixes, written from the built-in packs so that it cannot drift:
 * each fix's changes are read from its Ansible tasks (the line a lineinfile writes, the file a copy writes, the kernel
 * parameters a sysctl sets, the package installed, the command run), not typed twice.
 *
 *   node dist/scripts/fix-table.js                 prints the block
 *   node dist/scripts/fix-table.js --write FILE    replaces the block between its markers in FILE (README.md)
 *
 * test/unit/checks/fix-table.test.ts checks that README.md holds exactly what this prints.
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {builtinPackNames, packFile} from '../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../src/engine/checks/pack.js'
import {isAutoFix, type AutoFix, type FixTask} from '../src/engine/fixes/fix-schema.js'

export const TABLE_START = '<!-- fix-table: written by scripts/fix-table.ts, do not edit by hand -->'
export const TABLE_END = '<!-- /fix-table -->'

const code = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``
/** The environment a command is given (`env DEBIAN_FRONTEND=noninteractive …`) says nothing of what it changes. */
const command = (cmd: string) => cmd.replace(/^env(\s+[A-Z_]+=\S*)+\s+/, '')

/** What one task changes, in a few words; undefined for a task that only looks (check mode) or prepares (a folder, a mode). */
export function taskChange(task: FixTask): string | undefined {
  const t = task as Record<string, unknown>
  if (t.check_mode === true) return undefined
  const args = (module: string) => t[module] as Record<string, unknown> | undefined
  const items = (task.loop ?? ['']).map(String)
  const each = (value: unknown) => items.map((item) => String(value).replace(/\{\{\s*item\s*\}\}/g, item))
  let a: Record<string, unknown> | undefined
  if ((a = args('ansible.builtin.lineinfile'))) {
    if (a.state === 'absent') return `lines matching ${code(String(a.regexp))} removed from ${a.path}`
    return each(a.line).map((line) => `${code(line)} ${a!.insertbefore === 'BOF' ? 'first ' : ''}in ${a!.path}`).join(', ')
  }
  if ((a = args('ansible.builtin.blockinfile'))) return `a block in ${a.path}`
  if ((a = args('ansible.builtin.copy'))) return `${a.dest} written`
  if ((a = args('ansible.posix.sysctl'))) return `${each(a.name).map((key) => code(`${key} = ${a!.value}`)).join(', ')} (running${a.sysctl_file ? ` and in ${a.sysctl_file}` : ''})`
  for (const m of ['ansible.builtin.apt', 'ansible.builtin.dnf', 'ansible.builtin.package'])
    if ((a = args(m))) return `package ${each(a.name).join(', ')} installed`
  for (const m of ['ansible.builtin.command', 'ansible.builtin.shell']) if ((a = args(m))) return code(command(String(a.cmd ?? a._raw_params)))
  for (const m of ['ansible.builtin.service', 'ansible.builtin.systemd']) if ((a = args(m))) return `service ${a.name} ${[a.state, a.enabled === true ? 'enabled' : undefined].filter(Boolean).join(', ')}`
  if ((a = args('ansible.builtin.user'))) return `account ${a.name}`
  return undefined
}

/** Where the fix is written for, beside its risk: the hosts it leaves to a person, the facts it reads. */
function conditions(fix: AutoFix): string[] {
  return [
    ...(fix.guard === 'keyLogin' ? ['hosts hatang reaches with a key'] : []),
    ...(fix.distribution ? [fix.distribution.join(', ')] : []),
    ...[...new Set((fix.needs ?? []).map((n) => ({sshPorts: 'reads the SSH ports', osCodename: 'reads the release codename', listenTcp: "keeps the host's listening ports open", listenUdp: "keeps the host's listening ports open"})[n]))],
  ]
}

export function fixTable(packs: readonly Pack[]): string {
  const rows: string[] = []
  let manual = 0
  let none = 0
  for (const pack of packs) {
    for (const check of pack.checks) {
      if (!isAutoFix(check.fix)) {
        if (check.fix) manual++
        else none++
        continue
      }
      const changes = [...new Set(check.fix.ansible.map(taskChange).filter((c): c is string => c !== undefined))].join('; ')
      const risk = [check.fix.risk ?? 'none', ...conditions(check.fix)].join('; ')
      rows.push(`| \`${check.id}\` | ${check.severity} | ${changes} | ${risk} |`)
    }
  }
  return [
    TABLE_START,
    `${rows.length} checks have an automatic fix; ${manual} say why theirs is manual; ${none} have none written yet.`,
    '',
    '| check | severity | what the fix changes | risk; where |',
    '|---|---|---|---|',
    ...rows,
    TABLE_END,
  ].join('\n')
}

export function builtinFixTable(): string {
  return fixTable(builtinPackNames().map((name) => loadPack(packFile(name))))
}

/** The block between the markers of a README's text (markers included), or undefined without them. */
export function tableIn(text: string): string | undefined {
  const start = text.indexOf(TABLE_START)
  const end = text.indexOf(TABLE_END)
  return start < 0 || end < start ? undefined : text.slice(start, end + TABLE_END.length)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = builtinFixTable()
  const at = process.argv.indexOf('--write')
  if (at < 0) console.log(table)
  else {
    const file = process.argv[at + 1] ?? 'README.md'
    const text = readFileSync(file, 'utf8')
    const old = tableIn(text)
    if (old === undefined) {
      console.error(`${file}: no "${TABLE_START}" … "${TABLE_END}" block to replace — add the two markers where the table goes`)
      process.exit(2)
    }
    writeFileSync(`${file}.tmp`, text.replace(old, table))
    renameSync(`${file}.tmp`, file)
    console.log(`wrote the table of automatic fixes in ${file}`)
  }
}
