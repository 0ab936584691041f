import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

const ProcessSchema = Obj({name: Str(), pid: NonNegInt()})

const SocketSchema = Obj({
  protocol: StringEnum(['tcp', 'udp'] as const),
  family: StringEnum(['ipv4', 'ipv6'] as const),
  /** Local address without brackets: 0.0.0.0, ::, 127.0.0.1, ::1, fe80::1 … */
  address: Str(),
  port: NonNegInt({maximum: 65535}),
  /** Interface the socket is bound to (SO_BINDTODEVICE or an IPv6 zone), as ss prints after `%`. */
  interface: Opt(Str()),
  /** True for an IPv6 wildcard socket that also accepts IPv4 (ss prints `*`), false for IPV6_V6ONLY (`[::]`). */
  dualStack: Opt(Bool()),
  /**
   * Processes holding the socket. Empty: none visible although we could see every process (a kernel socket,
   * or one of another PID namespace). Absent: unknown (not root, or read from /proc without ss).
   */
  processes: Opt(Arr(ProcessSchema)),
})

export const PortsSchema = Obj({
  /** Every listening TCP socket and every unconnected UDP socket, one entry per address+port (no merging). */
  listening: Arr(SocketSchema),
  /** ss, or the kernel's /proc/net tables when ss is missing. */
  source: StringEnum(['ss', 'proc'] as const),
})
export type PortsData = Static<typeof PortsSchema>
export type ListeningSocket = Static<typeof SocketSchema>

export const portsSection = defineSection({
  id: 'ports',
  title: 'Listening ports',
  version: 1,
  schema: PortsSchema,
  upgrades: [],
})
