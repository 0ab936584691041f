import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {probes} from '../../inventory/index.js'
import type {AnyProbe, CommandOutput, ProbeContext} from '../../inventory/kit/probe.js'
import {splitParts} from '../../inventory/kit/command-parts.js'

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures')

export interface ProbeFixture {
  platform: string
  probe: string
  uid: number | null
  os: string | null
  outputs: Record<string, CommandOutput & {command: string}>
  /** What the capture kept of the files the probe asked for by hash (inventory/kit/content.ts), by SHA-256. */
  contents?: Record<string, string>
}

/** Platforms captured by scripts/capture-fixtures.ts. */
export function fixturePlatforms(): string[] {
  if (!existsSync(FIXTURES)) return []
  return readdirSync(FIXTURES, {withFileTypes: true})
    .filter((d) => d.isDirectory() && existsSync(path.join(FIXTURES, d.name, 'platform.json')))
    .map((d) => d.name)
    .sort()
}

/** Every captured fixture of a probe, one per platform that has it. */
export function probeFixtures(probe: string): ProbeFixture[] {
  return fixturePlatforms()
    .filter((p) => existsSync(path.join(FIXTURES, p, `${probe}.json`)))
    .map((p) => loadFixture(p, probe))
}

export function loadFixture(platform: string, probe: string): ProbeFixture {
  const raw = JSON.parse(readFileSync(path.join(FIXTURES, platform, `${probe}.json`), 'utf8')) as Omit<ProbeFixture, 'platform'>
  return {platform, ...raw}
}

export function contextOf(f: ProbeFixture): ProbeContext {
  const kind = (probes as readonly AnyProbe[]).find((p) => p.id === f.probe)?.contents?.kind
  const contents = f.contents && kind ? new Map(Object.entries(f.contents).map(([sha, digest]) => [sha, kind.load(digest)])) : undefined
  return {uid: f.uid, privileged: f.uid === 0, os: f.os ?? 'Linux', ...(contents ? {contents} : {})}
}

/** The stdout of one command of a fixture; throws when the capture lacks it, so a test cannot pass on nothing. */
export function stdoutOf(f: ProbeFixture, command: string): string {
  const o = f.outputs[command]
  if (!o || !o.ran) throw new Error(`fixture ${f.platform}/${f.probe} has no output for ${command}`)
  return o.stdout
}

/** The output of one part of a command sent as parts (inventory/kit/command-parts.ts); throws when the capture lacks it. */
export function partOf(f: ProbeFixture, command: string, part: string): CommandOutput {
  const o = splitParts(f.outputs[command], [part])[part]
  if (!o || !o.ran) throw new Error(`fixture ${f.platform}/${f.probe} has no output for ${command}/${part}`)
  return o
}
