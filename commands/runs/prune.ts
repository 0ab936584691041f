import {Flags} from '@oclif/core'

import {StoreCommand, storeFlag} from '../../src/cli/store-command.js'

export default class RunsPrune extends StoreCommand {
  static override summary = 'Delete old runs: keep the newest N complete runs, drop older ones and every interrupted one.'
  static override description = "Hosts' last-seen times are kept: a host stays known (and can be reported stale) after the runs that saw it are gone."
  static override examples = ['<%= config.bin %> runs prune --keep 30']
  static override flags = {
    keep: Flags.integer({required: true, min: 0, summary: 'How many of the newest complete runs to keep.'}),
    store: storeFlag,
  }

  async run(): Promise<{deleted: number[]; kept: number[]}> {
    const {flags} = await this.parse(RunsPrune)
    const result = await this.withStore(
      flags.store,
      async (store) => {
        const deleted = await store.prune(flags.keep)
        return {deleted, kept: (await store.listRuns()).map((r) => r.id)}
      },
      {create: false},
    )
    if (!this.jsonEnabled()) {
      this.log(result.deleted.length === 0 ? `nothing to delete (${result.kept.length} runs kept)` : `deleted ${result.deleted.length} runs (${result.deleted.join(', ')}); kept ${result.kept.length}`)
    }
    return result
  }
}
