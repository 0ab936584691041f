import {Args} from '@oclif/core'

import type {Scores} from '../../src/engine/scores.js'
import {renderRun} from '../../src/cli/views/render-runs.js'
import {StoreCommand, storeFlag} from '../../src/cli/store-command.js'
import {StoreError} from '../../src/store/store-error.js'
import type {RunHost, RunRecord} from '../../src/store/store.js'
import type {DamagedSnapshot} from '../../src/store/unreadable-snapshot.js'

export default class RunsShow extends StoreCommand {
  static override summary = "Show one run: who and when, every host's status, check counts and score; stored snapshots that cannot be read."
  static override examples = ['<%= config.bin %> runs show 12', '<%= config.bin %> runs show 12 --json']
  static override args = {id: Args.string({required: true, description: 'the run id (see runs list)'})}
  static override flags = {store: storeFlag}

  async run(): Promise<{run: RunRecord; hosts: RunHost[]; scores?: Scores; damaged?: DamagedSnapshot[]}> {
    const {args, flags} = await this.parse(RunsShow)
    const id = this.runId(args.id)
    const shown = await this.withStore(
      flags.store,
      async (store) => {
        const run = await store.run(id)
        if (!run) throw new StoreError(`no run ${id} in ${store.file}`, "'hatang runs list --all' shows the stored runs")
        const scores = await store.scores(id)
        const damaged = await store.damagedSnapshots(id)
        return {run, hosts: await store.hosts(id), ...(scores ? {scores} : {}), ...(damaged.length > 0 ? {damaged} : {})}
      },
      {create: false},
    )
    if (!this.jsonEnabled()) this.log(renderRun(shown.run, shown.hosts, shown.damaged))
    return shown
  }
}
