import {type Static} from '@sinclair/typebox'

import {Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const CpuSchema = Obj({
  /** Model name as the CPU reports it (e.g. "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"). */
  model: Opt(Str()),
  /** Intel, AMD, Hygon, Centaur, ARM… (CPUID vendor strings mapped to the maker's name). */
  vendor: Opt(Str()),
  sockets: Opt(NonNegInt({minimum: 1})),
  /** Physical cores, all sockets. */
  cores: Opt(NonNegInt({minimum: 1})),
  /** Logical processors configured (as `nproc --all`). */
  threads: NonNegInt({minimum: 1}),
  /** Current clock, the mean over the logical CPUs, MHz. */
  mhz: Opt(NonNegInt()),
  /** Highest clock the CPU can run at, MHz (cpufreq), when known. */
  maxMhz: Opt(NonNegInt()),
  /** Hardware virtualization extension: vmx (Intel VT-x), svm (AMD-V), or none. */
  virtualizationExtension: Opt(StringEnum(['vmx', 'svm', 'none'])),
  /** AES instructions (aes on x86 and ARM). */
  aes: Opt(Bool()),
  /** The x86 "hypervisor" flag: running under a hypervisor. Unknown on other architectures. */
  hypervisorFlag: Opt(Bool()),
})
export type CpuData = Static<typeof CpuSchema>

export const cpuSection = defineSection({
  id: 'cpu',
  title: 'Processors',
  version: 1,
  schema: CpuSchema,
  upgrades: [],
})
