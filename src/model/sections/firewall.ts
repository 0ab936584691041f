import {type Static} from '@sinclair/typebox'

import {Arr, Bool, Int, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

const Policy = StringEnum(['accept', 'drop', 'reject'] as const)
export type PolicyName = 'accept' | 'drop' | 'reject'

const NftChain = Obj({
  name: Str(),
  /** Base chains only: filter, nat, route. */
  type: Opt(Str()),
  hook: Opt(Str()),
  priority: Opt(Str()),
  policy: Opt(Str()),
  rules: NonNegInt(),
})
const NftTable = Obj({family: Str(), name: Str(), chains: Arr(NftChain)})

const IptablesChain = Obj({name: Str(), policy: Opt(Str()), rules: NonNegInt()})
const IptablesView = Obj({
  /** iptables or ip6tables */
  command: Str(),
  version: Opt(Str()),
  variant: Opt(StringEnum(['nf_tables', 'legacy'] as const)),
  /** False when the kernel side is not loaded: nothing to list, and listing would load it. */
  loaded: Bool(),
  chains: Arr(IptablesChain),
})

const NF_TABLES_STATES = ['loaded', 'not-loaded', 'unknown'] as const

const KernelTables = Obj({
  /** Legacy IPv4 tables the kernel holds (/proc/net/ip_tables_names): [] when the file is absent (ip_tables not loaded); absent when unreadable. */
  ipTables: Opt(Arr(Str())),
  /** The same for IPv6 (/proc/net/ip6_tables_names). */
  ip6Tables: Opt(Arr(Str())),
  /** nf_tables: `loaded` (in /proc/modules), `not-loaded` (a module of this kernel that is not loaded: it holds no rules), `unknown` (built in, or no module list). */
  nfTables: StringEnum(NF_TABLES_STATES),
})

export const FirewallSchema = Obj({
  /**
   * Something filters traffic: a drop/reject policy or a rule in a filter chain, or ufw/firewalld on. Absent when
   * what was read cannot tell (no tool listed the rules and the kernel may hold some): never false without evidence.
   */
  active: Opt(Bool()),
  /** What was read: `nft list ruleset`, `iptables -S`, `ip6tables -S`, `/proc/net/ip_tables_names`, `/proc/modules`, `ufw status`… */
  read: Opt(Arr(Str())),
  /** What the kernel says of its tables, read without any firewall tool. */
  kernel: Opt(KernelTables),
  /** What manages the rules: firewalld, ufw, nftables, iptables-nft, iptables-legacy, or none. */
  backend: Opt(StringEnum(['firewalld', 'ufw', 'nftables', 'iptables-nft', 'iptables-legacy', 'none'] as const)),
  /** What happens to inbound traffic no rule accepts. */
  inputPolicy: Opt(Policy),
  /** Front-end tools found: nft, iptables, ufw, firewalld. */
  tools: Arr(Str()),
  nftables: Opt(Obj({loaded: Bool(), tables: Arr(NftTable)})),
  iptables: Opt(Arr(IptablesView)),
  ufw: Opt(
    Obj({
      /** ENABLED= of /etc/ufw/ufw.conf */
      enabled: Opt(Bool()),
      /** From `ufw status` (root), or false when ufw.conf says it is disabled. */
      active: Opt(Bool()),
      defaultInput: Opt(Policy),
      defaultOutput: Opt(Policy),
      defaultForward: Opt(Policy),
      ipv6: Opt(Bool()),
      rules: Opt(NonNegInt()),
    }),
  ),
  firewalld: Opt(Obj({running: Bool(), defaultZone: Opt(Str())})),
  /** Exit code of an iptables listing that failed for another reason than privileges. */
  errors: Opt(Arr(Obj({command: Str(), exitCode: Int()}))),
})
export type FirewallData = Static<typeof FirewallSchema>
export type NftTableData = Static<typeof NftTable>
export type IptablesViewData = Static<typeof IptablesView>
export type KernelTablesData = Static<typeof KernelTables>

export const firewallSection = defineSection({
  id: 'firewall',
  title: 'Firewall',
  version: 1,
  schema: FirewallSchema,
  upgrades: [],
})
