import {readFileSync} from 'node:fs'
import path from 'node:path'

import type {CommandOutput} from '../../inventory/kit/probe.js'
import {FIXTURES, loadFixture, partOf} from './fixtures.js'
import {joinParts} from './parts.js'

/** A published capture (test/fixtures/published/README.md names its source), byte for byte. */
export function published(file: string): string {
  return readFileSync(path.join(FIXTURES, 'published', file), 'utf8')
}

const ran = (stdout: string, exitCode = 0): CommandOutput => ({stdout, stderr: '', exitCode, timedOut: false, durationMs: 1, ran: true})

/**
 * The storage probe's outputs on a host with this /proc/mdstat and these disks' smartctl documents (published
 * captures), as its commands print them: mdstat as is, each disk under its `!candidate` and `!disk` lines. LVM and
 * multipath as this machine answered (not installed). `smartText`: the smart part's output instead (e.g. a non-root run's).
 */
export function storageOutputs(mdstat: string | undefined, smart: Record<string, string>, smartText?: string): Record<'storage', CommandOutput> {
  const here = loadFixture('debian-12-root', 'storage')
  const disks = Object.keys(smart)
  return {
    storage: joinParts({
      mdstat: mdstat === undefined ? ran('', 3) : ran(mdstat),
      lvm: partOf(here, 'storage', 'lvm'),
      multipath: partOf(here, 'storage', 'multipath'),
      smart: ran(smartText ?? [...disks.map((d) => `!candidate ${d}\n`), ...disks.map((d) => `!disk ${d}\n${smart[d]}\n`)].join('')),
    }),
  }
}
