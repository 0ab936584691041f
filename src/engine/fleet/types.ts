import type {Severity} from '../../model/severity.js'
import type {Why} from '../../model/why.js'
import type {AppliedWaiver} from '../checks/run-checks.js'

/**
 * One fleet-synchronization finding: a property compared across the hosts of a scope (an inventory
 * group, a role, or the whole fleet). Everything a report needs to say "most hosts have X; these have Y".
 */
export interface FleetFinding {
  /** The fleet check's pack and id, e.g. fleet-sync / sync.kernel. */
  pack: string
  check: string
  severity: Severity
  /** Which hosts were compared: the hosts of a group, of a role, or every host. */
  scope: {kind: 'group' | 'role' | 'fleet'; name: string}
  /** What was compared, e.g. "kernel", "package openssl", "sshd passwordAuthentication". */
  subject: string
  /** pass: all compared hosts agree; fail: outliers exist; unknown: too few hosts had the data; waived: see waiver. */
  status: 'pass' | 'fail' | 'unknown' | 'waived'
  /**
   * What the hosts were judged against (compare checks): the group's declared `reference` (a host of it, or a
   * standard file), or, where it declares none, the `majority`. Absent on checks that judge by a rule of their own
   * (unique values, a bound, reached).
   */
  rule?: 'reference' | 'majority'
  /** The reference, when rule is reference: a host of the group or a standard (named, or by its file). */
  reference?: {kind: 'host' | 'standard'; name: string}
  /**
   * The value judged right, with the hosts that have it: the value most hosts share (ties broken by the value's text)
   * under the majority rule; the reference's value under the reference rule.
   */
  majority?: {value: string; hosts: string[]}
  /** Hosts whose value differs from the one judged right, each once with its value. For duplicate identities: every host sharing one, with the values it shares. */
  outliers: {host: string; value: string}[]
  /** Hosts of the scope whose data was unavailable, with the probe's reason. */
  unknown: {host: string; reason: string}[]
  /** One line for the reader, in English (titles come from the pack in both languages). */
  reason?: string
  /** The reason in machine form (templates/reasons/fleet.yaml), rendered in the reader's language. */
  why?: Why
  /** Set when status is waived: the waiver, and what the status was without it. */
  waiver?: AppliedWaiver
  /** Remarks for the reader, e.g. that a waiver for this finding has expired. */
  note?: string
}
