import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {readYaml} from '../../../src/config/read-yaml.js'
import {schemaProblems} from '../../../src/config/schema-problems.js'
import {Arr, Int, Obj, Opt, Str, StringEnum} from '../../../src/model/schema-helpers.js'
import {newAjv} from '../../../src/model/validate.js'

const Server = Obj({name: Str({minLength: 1}), port: Int({minimum: 1, maximum: 65_535}), mode: StringEnum(['ssh', 'local']), tags: Opt(Arr(Str()))})
const validate = newAjv().compile(Obj({servers: Arr(Server)}))

// one mistake of each kind: a wrong type (line 3), a value out of an enum (7), an unknown key (8), a missing key (9)
const TEXT = `servers:
  - name: web01
    port: twenty-two
    mode: ssh
  - name: db01
    port: 5432
    mode: telnet
    colour: blue
  - port: 22
    mode: local
`

const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-schema-problems-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** The problems of a YAML file written to disk and read back, as `format()` prints them. */
function problems(text: string, options: Parameters<typeof schemaProblems>[3]): string[] {
  const file = path.join(dir, 'servers.yaml')
  writeFileSync(file, text)
  const yaml = readYaml(readFileSync(file, 'utf8'), 'servers.yaml')
  expect(yaml.errors).toEqual([])
  return schemaProblems(validate, yaml, 'servers.yaml', options).map((e) => e.format())
}

describe('schema problems: ajv errors as ConfigErrors at file:line:column', () => {
  it('places each problem at its value, the deepest first, one per place, with the hint given', () => {
    expect(problems(TEXT, {hint: 'fix servers.yaml'})).toEqual([
      'servers.yaml:3:11 /servers/0/port must be integer — fix servers.yaml',
      'servers.yaml:7:11 /servers/1/mode must be one of ssh, local — fix servers.yaml',
      "servers.yaml:5:5 /servers/1 has unknown property 'colour' — fix servers.yaml",
      "servers.yaml:9:5 /servers/2 must have required property 'name' — fix servers.yaml",
    ])
  })

  it('with everyKey, places an unknown key at itself and reports every unknown or missing key of a map', () => {
    const text = TEXT.replace('    colour: blue\n', '    colour: blue\n    size: 3\n').replace('  - port: 22\n    mode: local\n', '  - tags: []\n')
    expect(problems(text, {hint: 'see the README', everyKey: true})).toEqual([
      'servers.yaml:3:11 /servers/0/port must be integer — see the README',
      'servers.yaml:7:11 /servers/1/mode must be one of ssh, local — see the README',
      "servers.yaml:8:5 /servers/1/colour has unknown property 'colour' — see the README",
      "servers.yaml:9:5 /servers/1/size has unknown property 'size' — see the README",
      "servers.yaml:10:5 /servers/2 must have required property 'name' — see the README",
      "servers.yaml:10:5 /servers/2 must have required property 'port' — see the README",
      "servers.yaml:10:5 /servers/2 must have required property 'mode' — see the README",
    ])
  })

  it("says a caller's own words where it has them, and ajv's elsewhere", () => {
    const message = (e: {keyword: string}, segs: readonly string[]) => (e.keyword === 'enum' && segs.at(-1) === 'mode' ? "must be 'ssh' or 'local'" : undefined)
    expect(problems(TEXT, {hint: 'fix it', message})).toEqual([
      'servers.yaml:3:11 /servers/0/port must be integer — fix it',
      "servers.yaml:7:11 /servers/1/mode must be 'ssh' or 'local' — fix it",
      "servers.yaml:5:5 /servers/1 has unknown property 'colour' — fix it",
      "servers.yaml:9:5 /servers/2 must have required property 'name' — fix it",
    ])
  })

  it('finds nothing in a valid file, and stops at 20 problems (deepest first: the longest pointers)', () => {
    expect(problems(TEXT.replace('twenty-two', '22').replace('telnet', 'ssh').replace('    colour: blue\n', '').replace('  - port', '  - name: x\n    port'), {hint: 'h'})).toEqual([])
    const many = `servers:\n${Array.from({length: 25}, (_, i) => `  - {name: s${i}, port: ${70_000 + i}, mode: ssh}\n`).join('')}`
    const found = problems(many, {hint: 'h'})
    expect(found).toHaveLength(20)
    expect(found[0]).toBe('servers.yaml:12:23 /servers/10/port must be <= 65535 — h')
    expect(found.at(-1)).toBe('servers.yaml:6:22 /servers/4/port must be <= 65535 — h')
  })

  it('with all, lists every problem in the order the schema finds them, past 20, one per place and text', () => {
    const many = `servers:\n${Array.from({length: 25}, (_, i) => `  - {name: s${i}, port: ${70_000 + i}, mode: ssh}\n`).join('')}`
    const found = problems(many, {hint: 'h', all: true})
    expect(found).toHaveLength(25)
    expect(found[0]).toBe('servers.yaml:2:22 /servers/0/port must be <= 65535 — h')
    expect(found.at(-1)).toBe('servers.yaml:26:23 /servers/24/port must be <= 65535 — h')
    // two errors at one place (70000.5: not an integer, too big) are two problems; said in the same words, one
    const odd = TEXT.replace('twenty-two', '70000.5')
    expect(problems(odd, {hint: 'h', all: true})).toEqual([
      'servers.yaml:3:11 /servers/0/port must be integer — h',
      'servers.yaml:3:11 /servers/0/port must be <= 65535 — h',
      "servers.yaml:5:5 /servers/1 has unknown property 'colour' — h",
      'servers.yaml:7:11 /servers/1/mode must be one of ssh, local — h',
      "servers.yaml:9:5 /servers/2 must have required property 'name' — h",
    ])
    const port = (e: {instancePath: string}) => (e.instancePath.endsWith('/port') ? 'must be a port number (1-65535)' : undefined)
    expect(problems(odd, {hint: 'h', all: true, message: port}).slice(0, 2)).toEqual([
      'servers.yaml:3:11 /servers/0/port must be a port number (1-65535) — h',
      "servers.yaml:5:5 /servers/1 has unknown property 'colour' — h",
    ])
  })

  it("takes a caller's own hint and place for an error, drops the errors it says another one covers, and without a hint of its own points to hosts validate", () => {
    const errorsSeen: number[] = []
    const found = problems(TEXT, {
      everyKey: true,
      message: (e, segs, errors) => {
        errorsSeen.push(errors.length)
        if (e.keyword === 'required') return null
        if (e.keyword === 'enum') return {problem: 'is not a way in', hint: "write 'ssh' or 'local'", key: true}
        return undefined
      },
    })
    expect(found).toEqual([
      "servers.yaml:3:11 /servers/0/port must be integer — run 'hatang hosts validate servers.yaml'",
      "servers.yaml:7:5 /servers/1/mode is not a way in — write 'ssh' or 'local'",
      "servers.yaml:8:5 /servers/1/colour has unknown property 'colour' — run 'hatang hosts validate servers.yaml'",
    ])
    expect(new Set(errorsSeen)).toEqual(new Set([4]))
  })

  it('places an unknown key that is the empty string at itself', () => {
    expect(problems('servers: []\n"": 1\n', {hint: 'h', everyKey: true})).toEqual(["servers.yaml:2:1 / has unknown property '' — h"])
  })
})
