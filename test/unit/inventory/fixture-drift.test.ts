import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {probes} from '../../../inventory/index.js'
import {probeCommands} from '../../../inventory/kit/probe.js'
import {FIXTURES, fixturePlatforms, loadFixture} from '../../support/fixtures.js'

/**
 * A captured fixture is evidence for the commands that printed it, and only for them: when a probe's commands
 * change, its fixtures must be captured again (by the script, never by hand), or its tests would pass on output
 * the probe no longer asks for.
 */

/**
 * The command that captures one probe again on one platform: the platform's own capture arguments (platform.json
 * "how"), this probe only; or, for a platform a script made (platform.json "script": a virtual machine that exists
 * only while the script runs), that script.
 */
function recapture(platform: string, probe: string): string {
  const recorded = JSON.parse(readFileSync(path.join(FIXTURES, platform, 'platform.json'), 'utf8')) as {how?: string; script?: string}
  if (recorded.script) return `npm run build && sh ${recorded.script}`
  const how = recorded.how ?? `--name ${platform}`
  const args = how.split(/\s+/).filter(Boolean)
  const kept: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--probe') i++
    else kept.push(args[i]!)
  }
  return `npm run build && node dist/scripts/capture-fixtures.js ${[...kept, '--probe', probe].join(' ')}`
}

describe('captured fixtures are of the commands the probes send', () => {
  const captures = fixturePlatforms().map((platform) => ({platform, captured: probes.filter((p) => existsSync(path.join(FIXTURES, platform, `${p.id}.json`)))}))
  for (const {platform, captured} of captures.filter((c) => c.captured.length > 0)) {
    it(platform, () => {
      for (const probe of captured) {
        const recorded = loadFixture(platform, probe.id).outputs
        // its own commands and the shared ones it reads (recorded in its fixture under the name it reads them by)
        const sent = probeCommands(probe)
        const drift = [
          ...Object.entries(sent).filter(([name, command]) => recorded[name]?.command !== command).map(([name]) => `${name} ${name in recorded ? 'changed' : 'was not captured'}`),
          ...Object.keys(recorded).filter((name) => !(name in sent)).map((name) => `${name} is no longer sent`),
        ]
        expect(
          drift,
          `test/fixtures/${platform}/${probe.id}.json predates the ${probe.id} probe's commands (${drift.join(', ')}): capture it again with ` +
            `${recapture(platform, probe.id)} (README "Tests and fixtures" says how each platform is made)`,
        ).toEqual([])
      }
    })
  }
})
