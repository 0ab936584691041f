import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {compareDpkgVersions, parseDpkgVersion} from '../../../src/model/versions/dpkg-version.js'
import {probeFixtures} from '../../support/fixtures.js'

const sh = (script: string) => execFileSync('sh', ['-c', script], {encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: {...process.env, LC_ALL: 'C'}})

/** `name version` of every stanza of the apt lists here and in the test chroots, and of dpkg's database. */
function realVersions(): Map<string, string[]> {
  const text = sh(
    'for f in /var/lib/apt/lists/*_Packages* /var/tmp/hatang-chroots/*/var/lib/apt/lists/*_Packages*; do [ -f "$f" ] && /usr/lib/apt/apt-helper cat-file "$f" 2>/dev/null; done |' +
      " awk '/^Package:/ {p = $2} /^Version:/ {print p, $2}'; dpkg-query -W -f='${Package} ${Version}\\n' 2>/dev/null; true",
  )
  const byName = new Map<string, Set<string>>()
  const add = (n: string, v: string) => {
    let s = byName.get(n)
    if (!s) byName.set(n, (s = new Set()))
    s.add(v)
  }
  for (const l of text.split('\n')) {
    const [n, v] = l.split(' ')
    if (n && v) add(n, v)
  }
  for (const f of probeFixtures('updates'))
    for (const l of (f.outputs.pending?.stdout ?? '').split('\n')) {
      const m = /^[IP] ([^\s:]+)\S* (\S+)/.exec(l)
      if (m) add(m[1]!, m[2]!)
    }
  return new Map([...byName].map(([n, s]) => [n, [...s]]))
}

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0
  return (n: number) => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    x ^= x >>> 13
    return (x >>> 0) % n
  }
}

describe('dpkg version ordering', () => {
  it('agrees with dpkg --compare-versions on thousands of real version pairs', () => {
    const byName = realVersions()
    const rand = rng(20240601)
    const multi = [...byName.values()].filter((v) => v.length > 1)
    const all = [...byName.values()].flat()
    expect(all.length).toBeGreaterThan(100)
    const pairs: [string, string][] = []
    // versions of the same package (bullseye / bookworm / trixie / security / installed), then of different ones
    for (let i = 0; i < 4000 && multi.length > 0; i++) {
      const vs = multi[rand(multi.length)]!
      pairs.push([vs[rand(vs.length)]!, vs[rand(vs.length)]!])
    }
    while (pairs.length < 6000) pairs.push([all[rand(all.length)]!, all[rand(all.length)]!])
    // and the same versions spelled with an explicit epoch 0 or a revision of 0
    for (let i = 0; i < 200; i++) {
      const v = all[rand(all.length)]!
      if (!v.includes(':')) pairs.push([v, `0:${v}`])
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'dpkg-cmp-'))
    try {
      // one shell loop per half (two CPUs), not one process per pair from node
      const half = Math.ceil(pairs.length / 2)
      const chunks = [pairs.slice(0, half), pairs.slice(half)]
      chunks.forEach((c, i) => writeFileSync(path.join(dir, `in${i}`), c.map(([a, b]) => `${a} ${b}\n`).join('')))
      const loop = (i: number) =>
        `while read a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done <"${dir}/in${i}" >"${dir}/out${i}"`
      sh(`(${loop(0)}) & (${loop(1)}) & wait`)
      const expected = [0, 1].flatMap((i) => readFileSync(path.join(dir, `out${i}`), 'utf8').trim().split('\n').map(Number))
      expect(expected.length).toBe(pairs.length)
      const wrong = pairs.map(([a, b], i) => ({a, b, dpkg: expected[i], ours: compareDpkgVersions(a, b)})).filter((x) => x.dpkg !== x.ours)
      expect(wrong.slice(0, 10)).toEqual([])
      expect(expected.filter((e) => e === 0).length).toBeGreaterThan(0)
      expect(expected.filter((e) => e === -1).length).toBeGreaterThan(1000)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 120_000)

  it('orders the grammar of deb-version(7)', () => {
    expect(compareDpkgVersions('1.0~rc1', '1.0')).toBe(-1)
    expect(compareDpkgVersions('1.0~~', '1.0~')).toBe(-1)
    expect(compareDpkgVersions('1.0a', '1.0+')).toBe(-1) // letters before non-letters
    expect(compareDpkgVersions('1.0', '1.0-0')).toBe(0)
    expect(compareDpkgVersions('1:0.1', '9.9')).toBe(1)
    expect(compareDpkgVersions('00:1.01', '1.1')).toBe(0)
    expect(compareDpkgVersions('1.2-3-4', '1.2-3-5')).toBe(-1) // revision after the last hyphen
    // beyond 2^53: digit strings, not numbers
    expect(compareDpkgVersions('1.18446744073709551616', '1.18446744073709551615')).toBe(1)
    expect(compareDpkgVersions('9007199254740993', '9007199254740992')).toBe(1)
    expect(parseDpkgVersion('2:1.2-3-4')).toEqual({epoch: '2', upstream: '1.2-3', revision: '4'})
  })

  const part = fc.stringMatching(/^[0-9][0-9a-zA-Z.+~]{0,8}$/)
  const version = fc
    .tuple(fc.option(fc.nat(3)), part, fc.option(fc.stringMatching(/^[0-9a-zA-Z.+~]{1,5}$/)))
    .map(([e, u, r]) => `${e === null ? '' : `${e}:`}${u}${r === null ? '' : `-${r}`}`)

  it('is antisymmetric, transitive, and epoch 0 is no epoch', () => {
    fc.assert(fc.property(version, version, (a, b) => compareDpkgVersions(a, b) === -compareDpkgVersions(b, a) || compareDpkgVersions(a, b) === 0), {numRuns: 2000})
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareDpkgVersions)
        return compareDpkgVersions(x!, y!) <= 0 && compareDpkgVersions(y!, z!) <= 0 && compareDpkgVersions(x!, z!) <= 0
      }),
      {numRuns: 2000},
    )
    fc.assert(fc.property(version, (v) => v.includes(':') || compareDpkgVersions(v, `0:${v}`) === 0), {numRuns: 1000})
  })
})
