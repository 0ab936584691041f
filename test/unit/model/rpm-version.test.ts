import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {compareRpmVersions, parseRpmEvr, rpmvercmp} from '../../../src/model/versions/rpm-version.js'
import {probeFixtures} from '../../support/fixtures.js'

const sh = (script: string, env: Record<string, string> = {}) =>
  execFileSync('sh', ['-c', script], {encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: {...process.env, LC_ALL: 'C', ...env}})

/** `name version` of every stanza of the apt lists here and in the test chroots, plus the EVRs of the rpm fixtures. */
function realVersions(): Map<string, string[]> {
  const text = sh(
    'for f in /var/lib/apt/lists/*_Packages* /var/tmp/hatang-chroots/*/var/lib/apt/lists/*_Packages*; do [ -f "$f" ] && /usr/lib/apt/apt-helper cat-file "$f" 2>/dev/null; done |' +
      " awk '/^Package:/ {p = $2} /^Version:/ {print p, $2}'; true",
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
  for (const f of probeFixtures('packages'))
    for (const l of (f.outputs.rpm?.stdout ?? '').split('\n')) {
      const [n, e, v, r] = l.split('\t')
      if (!n || !v || !r) continue
      add(`rpm:${n}`, `${e}:${v}-${r}`)
      if (e === '0') add(`rpm:${n}`, `${v}-${r}`)
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

/** rpm-flavoured variants of a real version: tilde/caret pre/post-releases, epochs, dist releases, no release. */
function variants(v: string, rand: (n: number) => number): string[] {
  const bare = v.replace(/^\d+:/, '')
  const upstream = bare.includes('-') ? bare.slice(0, bare.lastIndexOf('-')) : bare
  const out = [
    `${upstream}~rc${rand(3)}`,
    `${upstream}~~`,
    `${upstream}^${20240000 + rand(1000)}git${rand(100)}`,
    `${upstream}^`,
    upstream.replace(/\+/g, '^'),
    bare.replace(/~/g, '^'),
    `${rand(3)}:${bare}`,
    `0${rand(2)}:${upstream}`,
    `:${bare}`,
    `${upstream}-${rand(3)}.el${8 + rand(2)}${rand(2) ? '_4' : ''}`,
    `${upstream}-${rand(2)}.fc${39 + rand(2)}`,
    `${upstream}-`,
    upstream,
    `${upstream}.`,
    upstream.replace(/\d+/, (d) => `0${d}`),
    `${upstream}a`,
    `${upstream}.${rand(3)}`,
  ]
  return out.filter((s) => s !== '' && !s.startsWith('-') && !s.endsWith(':'))
}

/** Runs `rpm.vercmp` and `rpm.ver` (rpm's own EVR code) over files of pairs and strings, in ONE rpm process. */
function askRpm(pairs: [string, string][], strings: string[]): {cmp: number[]; parsed: string[][]} {
  const dir = mkdtempSync(path.join(tmpdir(), 'rpm-cmp-'))
  try {
    writeFileSync(path.join(dir, 'pairs'), pairs.map(([a, b]) => `${a}\t${b}\n`).join(''))
    writeFileSync(path.join(dir, 'strings'), strings.map((s) => `${s}\n`).join(''))
    writeFileSync(
      path.join(dir, 'cmp.lua'),
      `local d = os.getenv('RPMCMP_DIR')
local out = io.open(d .. '/cmp.out', 'w')
for line in io.lines(d .. '/pairs') do
  local a, b = line:match('^([^\\t]*)\\t(.*)$')
  local ok, r = pcall(rpm.vercmp, a, b)
  out:write(ok and tostring(r) or 'E', '\\n')
end
out:close()
local nil_ = '(nil)'
out = io.open(d .. '/parse.out', 'w')
for s in io.lines(d .. '/strings') do
  local v = rpm.ver(s)
  out:write(tostring(v.e or nil_), '\\t', tostring(v.v or nil_), '\\t', tostring(v.r or nil_), '\\n')
end
out:close()
`,
    )
    sh(`rpm --eval "%{lua: dofile(os.getenv('RPMCMP_DIR') .. '/cmp.lua')}" >/dev/null`, {RPMCMP_DIR: dir})
    const lines = (f: string) => readFileSync(path.join(dir, f), 'utf8').replace(/\n$/, '').split('\n')
    return {cmp: lines('cmp.out').map((l) => (l === 'E' ? NaN : Number(l))), parsed: lines('parse.out').map((l) => l.split('\t'))}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** Hand-picked cases (most from rpm's own tests/rpmvercmp.at), checked against rpm too. */
const GRAMMAR: [string, string, -1 | 0 | 1][] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0.1', '2.0.1a', -1],
  ['2.0.1a', '2.0.1', 1],
  ['5.5p1', '5.5p2', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['xyz10', 'xyz10.1', -1],
  ['xyz.4', '8', -1],
  ['5.5p1', '5.5.p1', 0],
  ['5.0', '5.0.', 0],
  ['a+', 'a_', 0],
  ['1.0aa', '1.0a', 1],
  ['1.1.α', '1.1', 0], // non-ASCII is a separator
  ['10b2', '10a1', 1],
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0^', '1.0', 1],
  ['1.0^git1', '1.0', 1],
  ['1.0^git1', '1.01', -1],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0^20160101^git1', '1.0^20160101', 1],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
  ['1.0~', '1.0^', -1],
  ['1.0-1', '1.0', 1], // a release beats no release (rpmverCmp's compare_values)
  ['1.0-', '1.0', 1], // even an empty one
  ['1.0-~', '1.0', 1],
  ['1.0-1', '1.0-1.el9', -1],
  ['0:1.0', '1.0', 0],
  [':1.0', '1.0', 0],
  ['00:1.0', '0:1.0', 0],
  ['1:0.1', '9.9', 1],
  ['a:2', '1', -1], // not an epoch: the version is "a:2"
  ['2-1', '1:1', -1],
  ['1.2-3-4', '1.2-3-5', -1], // release after the last hyphen
  ['1.18446744073709551616', '1.18446744073709551615', 1],
  ['9007199254740993', '9007199254740992', 1],
  ['18446744073709551616:1', '18446744073709551615:2', 1],
  ['1.001', '1.1', 0],
]

describe('rpm version ordering', () => {
  it('orders the rpmvercmp grammar and EVRs', () => {
    for (const [a, b, want] of GRAMMAR) {
      expect([a, b, compareRpmVersions(a, b)]).toEqual([a, b, want])
      expect([b, a, compareRpmVersions(b, a)]).toEqual([b, a, -want || 0])
    }
    expect(rpmvercmp('1.0', '1.0-1')).toBe(-1) // plain segment compare, no EVR split
    expect(parseRpmEvr('2:1.2-3-4')).toEqual({epoch: '2', version: '1.2-3', release: '4'})
    expect(parseRpmEvr('1.0')).toEqual({epoch: null, version: '1.0', release: null})
    expect(parseRpmEvr(':1.0-')).toEqual({epoch: '0', version: '1.0', release: ''})
    expect(parseRpmEvr('a:1.0')).toEqual({epoch: null, version: 'a:1.0', release: null})
    expect(parseRpmEvr('1-2:3')).toEqual({epoch: null, version: '1', release: '2:3'})
  })

  it('with releaseOnlyIfBoth, ignores a missing or empty release like rpmverOverlap', () => {
    const opt = {releaseOnlyIfBoth: true}
    expect(compareRpmVersions('1.0', '1.0-7', opt)).toBe(0)
    expect(compareRpmVersions('1.0-', '1.0-7', opt)).toBe(0)
    expect(compareRpmVersions('1.0-7', '1.0-8', opt)).toBe(-1)
    expect(compareRpmVersions('1:1.0', '1.0-7', opt)).toBe(1)
    expect(compareRpmVersions('0:1.0', '1.0-7', opt)).toBe(0)
    expect(compareRpmVersions('1.1', '1.0-7', opt)).toBe(1)
  })

  it('agrees with rpm.vercmp (rpm ≥ 4.17 Lua) on thousands of real and derived version pairs', () => {
    // rpm.vercmp/rpm.ver are rpm ≥ 4.17 (Debian package "rpm", see scripts/install-test-deps)
    expect(sh('rpm --version')).toMatch(/RPM version (4\.(1[7-9]|[2-9]\d)|[5-9]\.)/)
    const byName = realVersions()
    const rand = rng(20240602)
    const multi = [...byName.values()].filter((v) => v.length > 1)
    const all = [...byName.values()].flat()
    expect(all.length).toBeGreaterThan(100)
    const rpmFixture = [...byName].filter(([n]) => n.startsWith('rpm:')).flatMap(([, v]) => v)
    expect(rpmFixture.length).toBeGreaterThan(3)
    const pairs: [string, string][] = GRAMMAR.map(([a, b]) => [a, b])
    // the rpm fixture's EVRs against each other
    for (const a of rpmFixture) for (const b of rpmFixture) pairs.push([a, b])
    // versions of the same package (several suites), then of different ones
    for (let i = 0; i < 2500 && multi.length > 0; i++) {
      const vs = multi[rand(multi.length)]!
      pairs.push([vs[rand(vs.length)]!, vs[rand(vs.length)]!])
    }
    for (let i = 0; i < 1200; i++) pairs.push([all[rand(all.length)]!, all[rand(all.length)]!])
    // tilde/caret/epoch/release variants against their origin, against each other, and against a sibling version
    for (let i = 0; i < 1200; i++) {
      const vs = multi.length > 0 && rand(2) ? multi[rand(multi.length)]! : [all[rand(all.length)]!]
      const v = vs[rand(vs.length)]!
      const w = vs[rand(vs.length)]!
      const va = variants(v, rand)
      const wa = variants(w, rand)
      pairs.push([va[rand(va.length)]!, v], [va[rand(va.length)]!, va[rand(va.length)]!], [va[rand(va.length)]!, wa[rand(wa.length)]!])
    }
    expect(pairs.length).toBeGreaterThan(5000)
    const strings = [...new Set(pairs.flat())]

    const t0 = performance.now()
    const {cmp, parsed} = askRpm(pairs, strings)
    const rpmMs = performance.now() - t0
    expect(cmp.length).toBe(pairs.length)
    expect(parsed.length).toBe(strings.length)

    const wrong = pairs.map(([a, b], i) => ({a, b, rpm: cmp[i], ours: compareRpmVersions(a, b)})).filter((x) => x.rpm !== x.ours)
    expect(wrong.slice(0, 10)).toEqual([])
    const n = (s: string | null) => s ?? '(nil)'
    const badParse = strings
      .map((s, i) => ({s, rpm: parsed[i]!.join(' | '), ours: (({epoch, version, release}) => [n(epoch), n(version), n(release)].join(' | '))(parseRpmEvr(s))}))
      .filter((x) => x.rpm !== x.ours)
    expect(badParse.slice(0, 10)).toEqual([])
    // the corpus exercises every outcome, tilde, caret and the release rule
    expect(cmp.filter((c) => c === 0).length).toBeGreaterThan(200)
    expect(cmp.filter((c) => c === -1).length).toBeGreaterThan(1000)
    expect(cmp.filter((c) => c === 1).length).toBeGreaterThan(1000)
    expect(pairs.filter(([a, b]) => a.includes('^') || b.includes('^')).length).toBeGreaterThan(300)
    expect(pairs.filter(([a, b]) => a.includes('~') || b.includes('~')).length).toBeGreaterThan(300)
    expect(pairs.filter(([a, b]) => (parseRpmEvr(a).release === null) !== (parseRpmEvr(b).release === null)).length).toBeGreaterThan(300)
    expect(rpmMs).toBeLessThan(30_000)
  }, 120_000)

  const part = fc.stringMatching(/^[0-9a-zA-Z][0-9a-zA-Z.+_~^]{0,8}$/)
  const version = fc
    .tuple(fc.option(fc.nat(3)), part, fc.option(fc.stringMatching(/^[0-9a-zA-Z.+~^]{0,5}$/)))
    .map(([e, v, r]) => `${e === null ? '' : `${e}:`}${v}${r === null ? '' : `-${r}`}`)

  it('is reflexive, antisymmetric, transitive, and epoch 0 is no epoch', () => {
    fc.assert(fc.property(version, (a) => compareRpmVersions(a, a) === 0), {numRuns: 1000})
    fc.assert(fc.property(version, version, (a, b) => compareRpmVersions(a, b) === (-compareRpmVersions(b, a) || 0)), {numRuns: 2000})
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareRpmVersions)
        return compareRpmVersions(x!, y!) <= 0 && compareRpmVersions(y!, z!) <= 0 && compareRpmVersions(x!, z!) <= 0
      }),
      {numRuns: 2000},
    )
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        // equality is transitive too (compare each against the others directly, not only after sorting)
        if (compareRpmVersions(a, b) === 0 && compareRpmVersions(b, c) === 0) return compareRpmVersions(a, c) === 0
        if (compareRpmVersions(a, b) < 0 && compareRpmVersions(b, c) <= 0) return compareRpmVersions(a, c) < 0
        return true
      }),
      {numRuns: 2000},
    )
    fc.assert(fc.property(version, (v) => /^\d*:/.test(v) || compareRpmVersions(v, `0:${v}`) === 0), {numRuns: 1000})
  })
})
