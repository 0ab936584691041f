import {BaseCommand} from '../../src/cli/base-command.js'
import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../src/engine/checks/pack.js'

export default class PacksList extends BaseCommand {
  static override summary = 'List the built-in check packs.'
  static override examples = ['<%= config.bin %> packs list', '<%= config.bin %> packs list --json']

  async run(): Promise<{pack: string; version: string; checks: number; fleetChecks: number; title: {vi: string; en: string}}[]> {
    await this.parse(PacksList)
    const packs = builtinPackNames().map((n) => loadPack(packFile(n)))
    const rows = packs.map((p) => ({pack: p.pack, version: p.version, checks: p.checks.length, fleetChecks: p.fleet?.length ?? 0, title: p.title}))
    if (!this.jsonEnabled()) {
      for (const r of rows) {
        const count = r.checks > 0 ? `${String(r.checks).padStart(4)} checks      ` : `${String(r.fleetChecks).padStart(4)} fleet checks`
        this.log(`${r.pack.padEnd(20)} ${r.version.padEnd(8)} ${count}  ${r.title.en}`)
      }
    }
    return rows
  }
}
