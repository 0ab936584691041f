import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {readInventory} from '../../../src/hosts/load-inventory.js'
import type {HostSpec} from '../../../src/hosts/model.js'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hatang-units-'))
let n = 0
function write(text: string, ext = 'yaml'): string {
  const file = path.join(tmp, `inv${++n}.${ext}`)
  writeFileSync(file, text)
  return file
}
function hosts(text: string, ext = 'yaml'): Record<string, HostSpec> {
  const r = readInventory(write(text, ext), {sshConfig: null, home: '/home/auditor'})
  expect(r.errors.map((e) => e.format())).toEqual([])
  return Object.fromEntries(r.inventory!.hosts.map((h) => [h.name, h]))
}
function problems(text: string, ext = 'yaml'): string[] {
  const file = write(text, ext)
  return readInventory(file, {sshConfig: null, home: '/home/auditor'}).errors.map((e) => e.format().replace(`${file}:`, 'FILE:'))
}

const UNITS = [
  'units:',
  '  bo-noi-vu: {vi: Bộ Nội vụ, en: Ministry of Home Affairs}',
  '  bo-noi-vu/vu-to-chuc-can-bo: {vi: Vụ Tổ chức cán bộ, en: Department of Personnel}',
  '  tỉnh/hà-nội/sở-nội-vụ: {vi: Sở Nội vụ Hà Nội}',
]

describe('units in hosts.yaml', () => {
  it('resolves a unit with its names, inherited defaults < group < host, English falling back to Vietnamese', () => {
    const h = hosts(
      [
        ...UNITS,
        'defaults:',
        '  unit: bo-noi-vu',
        'groups:',
        '  hn:',
        '    unit: tỉnh/hà-nội/sở-nội-vụ',
        '    hosts:',
        '      hn01: {address: 10.0.0.1}',
        '      hn02: {unit: bo-noi-vu/vu-to-chuc-can-bo}',
        'hosts:',
        '  central: {address: 10.0.0.9}',
        '  annex:',
        '',
      ].join('\n'),
    )
    expect(h.central!.unit).toEqual({path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'})
    expect(h.hn01!.unit).toEqual({path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Sở Nội vụ Hà Nội'})
    // the declared units above it come with it (the roll-up names its tree from them); an undeclared ancestor does not
    expect(h.hn02!.unit).toEqual({
      path: 'bo-noi-vu/vu-to-chuc-can-bo',
      vi: 'Vụ Tổ chức cán bộ',
      en: 'Department of Personnel',
      parents: [{path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}],
    })
    // one object per unit, shared by its hosts
    expect(h.annex!.unit).toBe(h.central!.unit)
  })

  it('a host without a unit has none; a path is one unit however its letters are composed (NFC)', () => {
    const decomposed = 'tỉnh/hà-nội/sở-nội-vụ'.normalize('NFD')
    const h = hosts([...UNITS, 'hosts:', '  a:', `  b: {unit: ${decomposed}}`, ''].join('\n'))
    expect(h.a!.unit).toBeUndefined()
    expect(h.b!.unit?.path).toBe('tỉnh/hà-nội/sở-nội-vụ'.normalize('NFC'))
  })

  it('a bad path, an unknown unit, names without vi and a host given two units are errors at file:line:column', () => {
    expect(problems([...UNITS, '  bo//x: {vi: X}', '  c: {en: C}', '  d: {vi: D, fr: D}', ''].join('\n'))).toEqual([
      "FILE:5:3 /units/bo~1~1x is not a unit path (segments of letters, digits, '-', '_' and '.' joined by '/', e.g. 'bo-noi-vu/vu-to-chuc-can-bo') — run 'hatang hosts validate " +
        `${tmp}/inv${n}.yaml'`,
      "FILE:6:3 /units/c gives unit 'c' no Vietnamese name — write 'c: {vi: …, en: …}' (en is optional)",
      'FILE:7:14 /units/d/fr is not a unit name key (vi, en) — vi: the name in Vietnamese, en: in English',
    ])
    expect(problems([...UNITS, 'hosts:', '  h: {unit: /bo-noi-vu}', ''].join('\n'))).toEqual([
      `FILE:6:13 /hosts/h/unit is not a unit path (segments of letters, digits, '-', '_' and '.' joined by '/', e.g. 'bo-noi-vu/vu-to-chuc-can-bo') — run 'hatang hosts validate ${tmp}/inv${n}.yaml'`,
    ])
    expect(problems([...UNITS, 'defaults:', '  unit: bo-noi-vuu', 'groups:', '  g:', '    unit: nowhere', '    hosts:', '      h: {unit: bo-noi-vu/vu-to-chuc-can-b}', ''].join('\n'))).toEqual([
      "FILE:6:9 /defaults/unit names unit 'bo-noi-vuu', which is not declared under 'units:' — did you mean 'bo-noi-vu'?",
      "FILE:9:11 /groups/g/unit names unit 'nowhere', which is not declared under 'units:' — declare it under 'units:' with its names, e.g. 'nowhere: {vi: …, en: …}'",
      "FILE:11:17 /groups/g/hosts/h/unit names unit 'bo-noi-vu/vu-to-chuc-can-b', which is not declared under 'units:' — did you mean 'bo-noi-vu/vu-to-chuc-can-bo'?",
    ])
    expect(problems([...UNITS, 'groups:', '  g:', '    hosts:', '      h: {unit: bo-noi-vu}', 'hosts:', '  h: {unit: tỉnh/hà-nội/sở-nội-vụ}', ''].join('\n'))).toEqual([
      "FILE:10:7 /hosts/h/unit gives host 'h' a different unit than " + `${tmp}/inv${n}.yaml:8:17 — a host listed in several places is one machine: set unit in one place only`,
    ])
  })
})

interface AnsibleList {
  _meta: {hostvars: Record<string, Record<string, unknown>>}
}
/** What the real Ansible makes of an inventory's variables. */
function ansibleHostvars(file: string): Record<string, Record<string, unknown>> {
  const r = spawnSync('ansible-inventory', ['-i', file, '--list'], {encoding: 'utf8', env: {...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true', ANSIBLE_NOCOLOR: '1'}})
  if (r.status !== 0) throw new Error(`ansible-inventory failed: ${r.stderr}`)
  return (JSON.parse(r.stdout) as AnsibleList)._meta.hostvars
}

describe('units in Ansible inventories: hatang_unit, hatang_unit_vi, hatang_unit_en', () => {
  const INI = [
    '[hn]',
    'hn01 ansible_host=10.0.0.1',
    'hn02 ansible_host=10.0.0.2 hatang_unit=tỉnh/hà-nội/sở-nội-vụ/phòng-2 hatang_unit_vi="Phòng 2"',
    '[hn:vars]',
    'hatang_unit=tỉnh/hà-nội/sở-nội-vụ',
    'hatang_unit_vi=Sở Nội vụ Hà Nội',
    'hatang_unit_en="Ha Noi Department of Home Affairs"',
    '[all:vars]',
    'hatang_unit=bo-noi-vu',
    'hatang_unit_vi=Bộ Nội vụ',
    '[other]',
    'o1',
    '',
  ].join('\n')
  const YAML = [
    'all:',
    '  vars: {hatang_unit: bo-noi-vu, hatang_unit_vi: Bộ Nội vụ}',
    '  children:',
    '    vu:',
    '      vars: {hatang_unit: bo-noi-vu/vu-to-chuc-can-bo, hatang_unit_vi: Vụ Tổ chức cán bộ, hatang_unit_en: Department of Personnel}',
    '      hosts:',
    '        v1:',
    '    other:',
    '      hosts:',
    '        o1:',
    '',
  ].join('\n')

  it('resolves the unit with Ansible precedence (the path as ansible-inventory gives it); English falls back to Vietnamese', () => {
    for (const [text, ext] of [
      [INI, 'ini'],
      [YAML, 'yml'],
    ] as const) {
      const file = write(text, ext)
      const h = hosts(text, ext)
      const theirs = ansibleHostvars(file)
      for (const name of Object.keys(h)) expect(h[name]!.unit?.path, name).toBe(theirs[name]!.hatang_unit)
    }
    const ini = hosts(INI, 'ini')
    expect(ini.hn01!.unit).toEqual({path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Ha Noi Department of Home Affairs'})
    // its own path and name: the group's English name belongs to another unit and is not taken
    expect(ini.hn02!.unit).toEqual({path: 'tỉnh/hà-nội/sở-nội-vụ/phòng-2', vi: 'Phòng 2', en: 'Phòng 2'})
    expect(ini.o1!.unit).toEqual({path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Bộ Nội vụ'})
    const yaml = hosts(YAML, 'yml')
    expect(yaml.v1!.unit).toEqual({path: 'bo-noi-vu/vu-to-chuc-can-bo', vi: 'Vụ Tổ chức cán bộ', en: 'Department of Personnel'})
    expect(yaml.o1!.unit).toEqual({path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Bộ Nội vụ'})
  })

  it('a bad path, or a path and its names not written together, is an error at the variable', () => {
    expect(problems('[g]\nh1 hatang_unit=//x hatang_unit_vi=X\n', 'ini')).toEqual([
      "FILE:2:4 host 'h1': hatang_unit '//x' is not a unit path (segments of letters, digits, '-', '_' and '.' joined by '/', e.g. 'bo-noi-vu/vu-to-chuc-can-bo') — fix the variable, or leave the host out",
    ])
    expect(problems('[g]\nh1\n[g:vars]\nhatang_unit=a/b\n[all:vars]\nhatang_unit=a\nhatang_unit_vi=A\n', 'ini')).toEqual([
      "FILE:4:1 group 'g': hatang_unit is set without hatang_unit_vi beside it: give the unit's name in Vietnamese where its path is written — write hatang_unit, hatang_unit_vi, hatang_unit_en together",
    ])
    expect(problems('all:\n  hosts:\n    h1: {hatang_unit_en: Personnel}\n', 'yml')).toEqual([
      "FILE:3:10 /all/hosts/h1/hatang_unit_en host 'h1': hatang_unit_en is set without hatang_unit beside it: a unit's names go with its path — write hatang_unit, hatang_unit_vi, hatang_unit_en together",
    ])
  })
})
