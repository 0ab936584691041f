import {RegexCache} from '../engine/checks/assertion.js'
import type {Pack} from '../engine/checks/pack.js'
import type {HostResults} from '../engine/checks/run-checks.js'
import {checkHost, type CheckedHost} from '../engine/evaluate-run.js'
import {fleetReads, type FleetReads} from '../engine/fleet/fleet-reads.js'
import {isCollected} from '../model/host-status.js'
import {isInstalled, type PackageItem} from '../model/sections/packages.js'
import type {Snapshot} from '../model/snapshot.js'
import {hostFacts, reportedPackage, type HostFacts} from './build-results.js'
import {reviewLimitsOf, type ReviewLimits} from './host-review.js'
import {comparedPackage, keptSections, keptSnapshot} from './kept-snapshot.js'
import type {SmartHistoryReader} from './smart-history.js'
import {StringPool} from './string-pool.js'

/** A package as the report shows it and as the diff compares it, one frozen pair for the hosts that have the same. */
type KeptPackage = Readonly<{reported: Readonly<ReturnType<typeof reportedPackage>>; compared: Readonly<ReturnType<typeof comparedPackage>>}>

/** What a run keeps of one host once its snapshot is stored: enough to judge the run, diff it and report it. */
export interface KeptHost extends CheckedHost {
  /** What the fleet checks and the diff read of the snapshot (keptSnapshot). */
  snapshot: Snapshot
  /** Its per-host check results, waivers not yet applied (checkHost of the whole snapshot). */
  checked: HostResults
  /** What its report shows (hostFacts of the whole snapshot). */
  facts: HostFacts
}

/**
 * Takes each host of a run as its snapshot comes (audit): judges its per-host checks and reads what the report shows
 * of it from the whole snapshot, then keeps only that and the part of the snapshot the fleet checks and the diff
 * read, its strings shared across hosts (StringPool). The whole snapshot can then go: memory grows by a few tens of
 * KB a host, not by a whole snapshot and the output it was parsed from.
 */
export class HostKeeper {
  /** Shared with the fleet checks of the run (evaluateChecked): compiled patterns, nothing that changes a verdict. */
  readonly regexes = new RegexCache()
  private readonly pool = new StringPool()
  /**
   * The kept records of each package item seen: hosts that sent the same dpkg list share its items (dpkgItemsOf), so
   * a fleet built from one image looks each package up once, not once a host (~970 keys built and looked up a host).
   */
  private readonly keptItems = new WeakMap<PackageItem, KeptPackage>()
  private readonly reads: FleetReads
  private readonly sections: ReadonlySet<string>
  private readonly limits: ReviewLimits

  /** `history`: reads each host's earlier disk readings from the store, for the checks that judge a trend (readsHistory). */
  constructor(
    private readonly packs: readonly Pack[],
    private readonly history?: SmartHistoryReader,
  ) {
    this.reads = fleetReads(packs)
    this.sections = keptSections(this.reads)
    this.limits = reviewLimitsOf(packs)
  }

  /** What is kept of a host (see the class); its trend checks judged against its earlier readings, read first. */
  async keep(s: Snapshot): Promise<KeptHost> {
    const history = this.history && isCollected(s.host.status) ? await this.history.of(s) : undefined
    // most of what is kept of a host: its packages, each one pair of records for the hosts that have the same
    const packages = (s.sections.packages.data?.items ?? []).filter(isInstalled).map((p) => {
      let kept = this.keptItems.get(p)
      if (kept === undefined) {
        kept = this.pool.record('package', [p.name, p.version, p.architecture, p.manager, p.status], ([name, version, architecture, manager, status]) => {
          const pooled = {...p, name: name!, version, architecture, manager: manager as typeof p.manager, status: status!}
          return {reported: Object.freeze(reportedPackage(pooled)), compared: Object.freeze(comparedPackage(pooled))}
        })
        this.keptItems.set(p, kept)
      }
      return kept
    })
    const facts = hostFacts(s, this.limits, packages.map((p) => p.reported))
    return {
      snapshot: keptSnapshot(s, this.reads, this.sections, packages.map((p) => p.compared), this.pool),
      checked: this.pool.copy(checkHost(s, this.packs, this.regexes, history)),
      facts: {...this.pool.copy({...facts, packages: undefined}), packages: {...facts.packages, managers: this.pool.copy(facts.packages.managers)}},
    }
  }
}
