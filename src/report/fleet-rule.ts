import type {FleetFinding} from '../engine/fleet/types.js'
import type {Labels} from './locale.js'

type Judged = Pick<FleetFinding, 'rule' | 'reference'>

/** What a fleet finding was judged against, in the reader's language: "against the reference web1", "against the majority". */
export function fleetRuleText(f: Judged, labels: Labels): string | undefined {
  if (f.rule === 'majority') return labels['sync.rule.majority']
  if (f.rule !== 'reference') return undefined
  if (!f.reference) return labels['sync.rule.host']?.replace(' %s', '').replace('%s', '')
  return labels[`sync.rule.${f.reference.kind}`]?.replace('%s', f.reference.name)
}

/** The label of the value judged right: the reference's, or the majority's. */
export function fleetExpectedLabel(f: Judged, labels: Labels): string {
  return (f.rule === 'reference' ? labels['sync.expected'] : undefined) ?? labels['sync.majority']!
}
