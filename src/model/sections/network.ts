import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

const AddressSchema = Obj({
  address: Str(),
  prefixLength: NonNegInt({maximum: 128}),
  /** global, host, link, site, or a number when the kernel uses another one. */
  scope: Opt(Str()),
})

const InterfaceSchema = Obj({
  name: Str(),
  /** Link type as iproute2 names it: loopback, ether, none (tun), sit, gre, ipip, infiniband… */
  kind: Str(),
  /** Hardware address; absent for links without one and for the all-zero address of loopback. */
  mac: Opt(Str()),
  /** up when the link is administratively up and has carrier (operstate up, or unknown with LOWER_UP). */
  state: StringEnum(['up', 'down'] as const),
  /** The kernel's operstate, lowercase: up, down, unknown, dormant, lowerlayerdown… */
  operState: Opt(Str()),
  mtu: Opt(NonNegInt()),
  /** Link speed in Mbit/s; absent when the driver does not know it (down link, virtual NIC). */
  speedMbps: Opt(NonNegInt()),
  /** False for virtual interfaces (no backing device in /sys/class/net/NAME/device). */
  physical: Opt(Bool()),
  ipv4: Arr(AddressSchema),
  ipv6: Arr(AddressSchema),
})

const RouteSchema = Obj({
  family: StringEnum(['ipv4', 'ipv6'] as const),
  /** Absent for a route straight onto a link (point-to-point). */
  gateway: Opt(Str()),
  interface: Opt(Str()),
  metric: Opt(NonNegInt()),
})

export const NetworkSchema = Obj({
  interfaces: Arr(InterfaceSchema),
  /** Default routes of the main table, IPv4 and IPv6. */
  defaultRoutes: Arr(RouteSchema),
  /** From /etc/resolv.conf; absent when it cannot be read. */
  dns: Opt(
    Obj({
      servers: Arr(Str()),
      search: Arr(Str()),
      /** True when resolv.conf points at systemd-resolved's local stub (127.0.0.53 / 127.0.0.54). */
      systemdResolvedStub: Bool(),
      /** The servers systemd-resolved forwards to (/run/systemd/resolve/resolv.conf), when it runs. */
      upstreamServers: Opt(Arr(Str())),
      upstreamSearch: Opt(Arr(Str())),
    }),
  ),
  /** Where interfaces and routes came from: iproute2, or /sys and /proc when `ip` is missing. */
  source: StringEnum(['ip', 'sysfs'] as const),
})
export type NetworkData = Static<typeof NetworkSchema>
export type NetworkInterface = Static<typeof InterfaceSchema>
export type NetworkAddress = Static<typeof AddressSchema>
export type DefaultRoute = Static<typeof RouteSchema>

export const networkSection = defineSection({
  id: 'network',
  title: 'Network',
  version: 1,
  schema: NetworkSchema,
  upgrades: [],
})
