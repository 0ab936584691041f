import {osProbe} from './os.js'

/** Every probe, in the order their sections appear in a snapshot. One line a probe. */
export const probes = [
  osProbe,
] as const

export type RegisteredProbe = (typeof probes)[number]
