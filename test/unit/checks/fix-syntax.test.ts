import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {ConfigError} from '../../../src/config/config-error.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Check} from '../../../src/engine/checks/pack.js'
import {FIX_MODULES, isAutoFix, type AutoFix} from '../../../src/engine/fixes/fix-schema.js'
import {ansibleHandlerTasks} from '../../../src/engine/fixes/handlers.js'
import {SH_PRELUDE, shEpilogue} from '../../../src/engine/fixes/sh-prelude.js'

/**
 * Every automatic fix of the built-in packs, read by the real tools: Debian's ansible-playbook parses them all as one
 * playbook (one play per fix, with the handlers it notifies), ansible-doc says which arguments each module takes, and
 * sh (dash) parses each script as `hatang fix` writes it (prelude, the fix, the handlers). Nothing runs on this machine.
 */
const fixes: {check: Check & {fix: AutoFix}}[] = []
let dir: string
const env = () => ({...process.env, ANSIBLE_HOME: path.join(dir, 'ansible'), ANSIBLE_LOCAL_TEMP: path.join(dir, 'ansible', 'tmp'), ANSIBLE_NOCOLOR: '1', LC_ALL: 'C.UTF-8'})

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hatang-fix-syntax-'))
  for (const name of builtinPackNames()) for (const check of loadPack(packFile(name)).checks) if (isAutoFix(check.fix)) fixes.push({check: check as Check & {fix: AutoFix}})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const notified = (fix: AutoFix) => new Set(fix.ansible.flatMap((t) => (t.notify === undefined ? [] : [t.notify].flat())))

describe('the automatic fixes of the built-in packs', () => {
  it('are there: at least the 30 the loop proves', () => {
    expect(fixes.length).toBeGreaterThanOrEqual(30)
  })

  it('pass ansible-playbook --syntax-check, as one playbook of a play per fix with its handlers', () => {
    const plays = fixes.map(({check}) => ({
      name: check.id,
      hosts: `fix_${check.id.replace(/[.-]/g, '_')}`,
      gather_facts: false,
      become: true,
      tasks: check.fix.ansible.map((t) => ({...t, tags: [check.id, check.severity]})),
      handlers: ansibleHandlerTasks(notified(check.fix)),
    }))
    const file = path.join(dir, 'site.yml')
    writeFileSync(file, stringify(plays, {aliasDuplicateObjects: false}))
    const r = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', file], {encoding: 'utf8', env: env()})
    expect(r.error).toBeUndefined()
    expect(`${r.stdout}${r.stderr}`).toContain(`playbook: ${file}`)
    expect(r.status, r.stderr).toBe(0)
  })

  it('give each module only arguments it documents (ansible-doc)', () => {
    const used = FIX_MODULES.filter((m) => fixes.some(({check}) => check.fix.ansible.some((t) => m in t)))
    const r = spawnSync('ansible-doc', ['-j', '-t', 'module', ...used], {encoding: 'utf8', env: env(), maxBuffer: 64 * 1024 * 1024})
    expect(r.status, r.stderr).toBe(0)
    const docs = JSON.parse(r.stdout) as Record<string, {doc: {options: Record<string, {aliases?: string[]}>}}>
    const unknown: string[] = []
    for (const {check} of fixes) {
      for (const task of check.fix.ansible) {
        for (const m of used.filter((x) => x in task)) {
          const options = docs[m]!.doc.options
          const known = new Set(Object.entries(options).flatMap(([name, o]) => [name, ...(o.aliases ?? [])]))
          for (const arg of Object.keys((task as unknown as Record<string, Record<string, unknown>>)[m]!)) if (!known.has(arg)) unknown.push(`${check.id}: ${m} has no argument '${arg}'`)
        }
      }
    }
    expect(unknown).toEqual([])
  })

  it('parse with sh -n as the script hatang fix writes (prelude, the fix, the handlers)', () => {
    const broken: string[] = []
    for (const {check} of fixes) {
      const facts = "hatang_ssh_ports='22'\nhatang_os_codename='bookworm'\nhatang_ssh_service='ssh'\n"
      const r = spawnSync('sh', ['-n'], {input: SH_PRELUDE + facts + check.fix.sh + shEpilogue(), encoding: 'utf8'})
      if (r.status !== 0) broken.push(`${check.id}: ${r.stderr.trim()}`)
    }
    expect(broken).toEqual([])
  })
})

describe('a pack with a bad fix', () => {
  const head = 'pack: p\nversion: 1.0.0\ntitle: {vi: Gói, en: Pack}\nchecks:\n'
  const check =
    '  - id: a.b\n    title: {vi: Tiêu đề, en: Title}\n    rationale: {vi: Lý do, en: Why}\n    remediation: {vi: Cách sửa, en: Fix}\n' +
    '    severity: high\n    assert: {path: sshd.maxAuthTries, le: 4}\n    fix:\n      sh: hatang_set_line /etc/x.conf "^a" "a 1"\n      ansible:\n'
  /** The pack's text and the line (1-based) where its task starts: line 14. */
  const pack = (task: string) => head + check + task
  const errorOf = (text: string): ConfigError => {
    try {
      loadPack('bad-fix.yaml', text)
    } catch (error) {
      if (error instanceof ConfigError) return error
      throw error
    }
    throw new Error('the pack loaded')
  }

  it('refuses a task with two modules, at the task', () => {
    const e = errorOf(pack('        - name: two\n          ansible.builtin.copy: {dest: /etc/x, content: x}\n          ansible.builtin.file: {path: /etc/x, mode: "0644"}\n'))
    expect(e.message).toMatch(/^bad-fix\.yaml:14:\d+ \/checks\/0\/fix\/ansible\/0 names 2 modules; a task uses exactly one of/)
  })

  it('refuses a command without creates: or removes:', () => {
    const e = errorOf(pack('        - name: run\n          ansible.builtin.command: {cmd: touch /etc/x}\n'))
    expect(e.message).toMatch(/^bad-fix\.yaml:15:\d+ \/checks\/0\/fix\/ansible\/0\/ansible\.builtin\.command runs a command without creates: or removes:/)
  })

  it('refuses a handler that is not one of hatang', () => {
    const e = errorOf(pack('        - name: set\n          ansible.builtin.lineinfile: {path: /etc/x.conf, line: a 1}\n          notify: restart everything\n'))
    expect(e.message).toMatch(/^bad-fix\.yaml:16:\d+ \/checks\/0\/fix\/ansible\/0\/notify /)
    const sh = errorOf(pack('        - name: set\n          ansible.builtin.lineinfile: {path: /etc/x.conf, line: a 1}\n').replace('sh: hatang_set_line /etc/x.conf "^a" "a 1"', 'sh: hatang_notify reload-everything'))
    expect(sh.all().map((x) => x.message).join('\n')).toMatch(/bad-fix\.yaml:\d+:\d+ \/checks\/0\/fix\/sh notifies 'reload-everything', which is none of reload-sshd, reload-nftables/)
  })

  it('refuses a module that is not allowed (template, raw) at its place', () => {
    const e = errorOf(pack('        - name: render\n          ansible.builtin.template: {src: x.j2, dest: /etc/x}\n'))
    expect(e.message).toMatch(/^bad-fix\.yaml:1[45]:\d+ \/checks\/0\/fix\/ansible\/0/)
  })
})
