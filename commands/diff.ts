import {Args} from '@oclif/core'

import type {RunDiff} from '../src/engine/diff.js'
import {renderDiff} from '../src/cli/views/render-diff.js'
import {StoreCommand, storeFlag} from '../src/cli/store-command.js'
import {StoreError} from '../src/store/store-error.js'
import type {Store} from '../src/store/store.js'
import {diffStored, storedSide} from '../src/runs/diff-stored.js'

export default class Diff extends StoreCommand {
  static override summary = 'What changed between two runs: hosts, hardware, OS, packages and findings.'
  static override description =
    'With no run, compares the last two complete runs; with one, that run with the latest. Hosts that appeared or are gone; per host, ' +
    'hardware (system serials, CPU, memory, disks), OS (distribution, version, kernel) and packages added, removed, upgraded or ' +
    "downgraded (by dpkg's or rpm's version order); and, when both runs were judged, findings new and fixed."
  static override examples = ['<%= config.bin %> diff', '<%= config.bin %> diff 12 15', '<%= config.bin %> diff 12 --json']
  static override args = {
    run_a: Args.string({description: 'the older run (default: the one before the latest)'}),
    run_b: Args.string({description: 'the newer run (default: the latest)'}),
  }
  static override flags = {store: storeFlag}

  async run(): Promise<RunDiff> {
    const {args, flags} = await this.parse(Diff)
    const a = args.run_a === undefined ? undefined : this.runId(args.run_a)
    const b = args.run_b === undefined ? undefined : this.runId(args.run_b)
    const diff = await this.withStore(
      flags.store,
      async (store) => {
        const [from, to] = await this.pick(store, a, b)
        return diffStored(await storedSide(store, await store.completeRun(from)), await storedSide(store, await store.completeRun(to)))
      },
      {create: false},
    )
    if (!this.jsonEnabled()) this.log(renderDiff(diff))
    return diff
  }

  private async pick(store: Store, a: number | undefined, b: number | undefined): Promise<[number, number]> {
    if (a !== undefined && b !== undefined) return [a, b]
    const latest = (await store.listRuns()).map((r) => r.id)
    if (a !== undefined) {
      await store.completeRun(a)
      if (latest[0] === a) throw new StoreError(`run ${a} is the latest complete run: name the run to compare it with`, "'hatang runs list' shows the stored runs")
      return [a, latest[0]!]
    }
    if (latest.length < 2) throw new StoreError(`diff needs two complete runs; ${store.file} has ${latest.length}`, "'hatang runs list' shows the stored runs")
    return [latest[1]!, latest[0]!]
  }

}
