import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {readPlainYaml} from '../../../src/config/plain-yaml.js'
import {readYaml} from '../../../src/config/read-yaml.js'
import {positionOf} from '../../../src/config/yaml-positions.js'
import {parseAnsibleYaml} from '../../../src/hosts/ansible-yaml.js'
import {checkHostsFile} from '../../../src/hosts/hosts-file.js'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/hosts')
const RUNS = Number(process.env.PLAIN_YAML_RUNS ?? 1500)

/** Every JSON Pointer of `data`, the root included, with one that goes past a scalar and one that does not exist. */
function pointers(data: unknown, segs: string[] = []): string[][] {
  const out = [segs, [...segs, 'missing']]
  if (data !== null && typeof data === 'object') for (const [k, v] of Object.entries(data)) out.push(...pointers(v, [...segs, k]))
  return out
}

/**
 * The plain reader either refuses a text (the loader then reads it with `yaml`) or reads exactly what `yaml` reads:
 * same data, and the same position for every node and key, as positionOf finds them in yaml's Document.
 */
function agreesWithYaml(text: string): 'read' | 'refused' {
  const plain = readPlainYaml(text)
  if (!plain) return 'refused'
  const y = readYaml(text, 'hosts.yaml')
  expect(y.errors.map((e) => e.message), text).toEqual([])
  expect(plain.data, text).toStrictEqual(y.data)
  for (const segs of pointers(y.data))
    for (const key of [false, true]) expect(plain.positions.of(segs, {key}), `${text}\n${segs.join('/')} key=${key}`).toEqual(positionOf(y.doc, y.counter, segs, {key}))
  for (const segs of pointers(y.data)) if (segs.length) expect(plain.positions.keyOf(segs.slice(0, -1), segs.at(-1)!)).toEqual(plain.positions.of(segs, {key: true}))
  return 'read'
}

const fixtures = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? fixtures(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []))

describe('the plain YAML reader, against the yaml library', () => {
  it('reads the example inventories as yaml does', () => {
    const read = fixtures(FIX).filter((f) => agreesWithYaml(readFileSync(f, 'utf8')) === 'read')
    expect(read.map((f) => path.relative(FIX, f))).toEqual(expect.arrayContaining(['hosts.yaml', 'invalid/bad-port.yaml', 'invalid/unknown-key.yaml']))
  })

  it('resolves scalars with the core schema, as yaml does: yes/no/on/off stay strings', () => {
    const text = 'a: yes\nb: no\nc: on\nd: off\ne: ~\nf: null\ng: true\nh: False\ni: 0o17\nj: 0x1F\nk: 0b101\nl: 1e3\nm: .inf\nn: 007\no: 2001-12-14\np: 1_000\nq: "22"\nr: \'it\'\'s\'\ns:\nt: 10.0.0.1\n'
    expect(agreesWithYaml(text)).toBe('read')
    expect(readPlainYaml(text)!.data).toStrictEqual({a: 'yes', b: 'no', c: 'on', d: 'off', e: null, f: null, g: true, h: false, i: 15, j: 31, k: '0b101', l: 1000, m: Infinity, n: 7, o: '2001-12-14', p: '1_000', q: '22', r: "it's", s: null, t: '10.0.0.1'})
  })

  it('leaves to yaml what it does not read: anchors, aliases, merge keys, tags, duplicate keys, block scalars, tabs, CRLF', () => {
    for (const text of [
      'defaults: &d {user: a}\nhosts:\n  h: *d\n',
      'hosts:\n  h:\n    <<: {user: a}\n',
      'hosts:\n  h: {port: !!str 22}\n',
      'hosts:\n  h: {}\n  h: {}\n',
      'hosts:\n  h: {address: a, address: b}\n',
      'hosts:\n  h:\n    role: |\n      web\n',
      'hosts:\n\th: {}\n',
      'hosts:\r\n  h: {}\r\n',
      'hosts:\n  h: {address: a,\n    port: 22}\n',
      '---\nhosts: {}\n',
      '"hosts":\n  h: {}\n',
      '? hosts\n: {}\n',
      '',
      '# only a comment\n',
    ])
      expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined()
  })

  it('reads, or refuses, documents made of the YAML hosts files use, and never disagrees with yaml', () => {
    // mostly what hosts files are made of, sometimes what the reader must leave to yaml
    const key = fc.oneof(
      {weight: 12, arbitrary: fc.constantFrom('a', 'b', 'web01', 'h.example.org', 'x-1', 'u_s', 'a@b', 'a/b', 'port', 'identityFile', 'é1')},
      {weight: 1, arbitrary: fc.constantFrom('1', 'true', 'null', 'no', '~', '<<', '"q"', "'s'", 'a b', '__proto__', 'k:v', '-k', 'é', 'x'.repeat(1100))},
    )
    const scalar = fc.oneof(
      {weight: 5, arbitrary: fc.constantFrom('x', '10.0.0.1', '22', '0o17', '0x1F', '0b101', '1e3', '1.5', '.inf', '-.INF', '.nan', '+12', '-1', '007', '~', 'null', 'Null', 'true', 'False', 'yes', 'no')},
      {weight: 5, arbitrary: fc.constantFrom('"quoted"', "'single'", "'it''s'", '"x: y"', '"a # b"', "''", '""', 'a:b', 'a #c', 'a#c', '~/.ssh/id', '/etc/x', 'x y', 'x  ', 'Hà Nội', '2001-12-14', '1_000', '.5', '-.5', '1e')},
      {weight: 5, arbitrary: fc.constantFrom('[a, b]', '[a,b]', '{a: 1}', '{a: 1, b: [x, y]}', '{a: , b: 1}', '{a: ~}', '[]', '{}', '{ }', '{a: 1} # c', '[x, [y]]', '[{a: 1}]', '{a: "q", b: \'r\'}')},
      {weight: 1, arbitrary: fc.constantFrom('"a\\"b"', 'a: b', '{a:1}', '[a, ]', '&anc x', '*anc', '!!str 1', '|', '>', '"', "'", '@x', '`x', '%x', '-x', '- x', '? x', 'x: y: z', '[a', 'a]', '{a: b}c', 'a\tb', '*', '&', '!', ',x', '#', ': x')},
    )
    const indent = fc.constantFrom(1, 2, 4)
    const line = (depth: number, text: string) => `${' '.repeat(depth)}${text}`
    type Block = string[]
    const block: (depth: number, level: number) => fc.Arbitrary<Block> = (depth, level) =>
      fc
        .array(
          fc.oneof(
            {weight: 5, arbitrary: fc.tuple(key, scalar).map(([k, v]): Block => [line(depth, `${k}: ${v}`)])},
            {weight: 2, arbitrary: key.map((k): Block => [line(depth, `${k}:`)])},
            {weight: 1, arbitrary: fc.constantFrom('# c', '', '   ', '  # c', ' x: 1', '- y').map((c): Block => [c])},
            ...(level < 3
              ? [
                  {weight: 3, arbitrary: fc.tuple(key, indent).chain(([k, i]) => block(depth + i, level + 1).map((b): Block => [line(depth, `${k}:`), ...b]))},
                  {weight: 2, arbitrary: fc.tuple(key, fc.constantFrom(0, 2), fc.array(scalar, {minLength: 1, maxLength: 3})).map(([k, i, items]): Block => [line(depth, `${k}:`), ...items.map((v) => line(depth + i, `- ${v}`))])},
                ]
              : []),
          ),
          {minLength: 1, maxLength: 5},
        )
        .map((parts) => parts.flat())
    const doc = fc.tuple(block(0, 0), fc.constantFrom('\n', '', ' # end\n', '\n\n')).map(([lines, end]) => lines.join('\n') + end)
    const seen = {read: 0, refused: 0}
    fc.assert(
      fc.property(doc, (text) => {
        seen[agreesWithYaml(text)]++
      }),
      {numRuns: RUNS},
    )
    // both ways were taken: the generator makes documents the reader reads, and ones it leaves to yaml
    expect(seen.read).toBeGreaterThan(RUNS / 10)
    expect(seen.refused).toBeGreaterThan(RUNS / 10)
  })

  it('a hosts file and an Ansible inventory read either way give the same draft, positions included', () => {
    const hostsYaml = ['defaults:', '  user: audit', '  identityFile: [~/.ssh/a, ~/.ssh/b]', 'groups:', '  web:', '    proxyJump: bastion', '    hosts:']
    for (let i = 0; i < 300; i++) hostsYaml.push(`      w${i}: {address: 10.0.${i >> 8}.${i & 255}${i % 3 ? '' : ', port: 2222'}${i % 7 ? '' : ', identityFile: ~/.ssh/own'}}`)
    hostsYaml.push('    children:', '      db:', '        knownHostsFile: ~/.ssh/kh', '        hosts:', '          w1:', '          d1: {user: db}', 'hosts:', '  bastion:', '    address: b.example.org', '    port: 2022')
    const text = `${hostsYaml.join('\n')}\n`
    for (const t of [text, readFileSync(path.join(FIX, 'hosts.yaml'), 'utf8')]) {
      const plain = readPlainYaml(t)!
      expect(plain).toBeDefined()
      expect(checkHostsFile({...plain, errors: []}, 'hosts.yaml')).toStrictEqual(checkHostsFile(readYaml(t, 'hosts.yaml'), 'hosts.yaml'))
    }
    const ansible = ['all:', '  vars:', '    ansible_user: audit', '  children:', '    web:', '      vars: {ansible_port: 2222}', '      hosts:']
    for (let i = 0; i < 300; i++) ansible.push(`        w${i}: {ansible_host: 10.0.${i >> 8}.${i & 255}${i % 5 ? '' : ', ansible_ssh_private_key_file: ~/.ssh/k'}}`)
    const a = `${ansible.join('\n')}\n`
    const plain = readPlainYaml(a)!
    const y = readYaml(a, 'inventory.yml')
    expect(parseAnsibleYaml(plain.positions, plain.data, 'inventory.yml')).toStrictEqual(parseAnsibleYaml(y.positions, y.data, 'inventory.yml'))
  })
})
