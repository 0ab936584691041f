import type {Static} from '@sinclair/typebox'
import {Type} from '../type-builder.js'

import {Bool, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const CONTAINERS = ['docker', 'podman', 'lxc', 'systemd-nspawn', 'wsl', 'openvz', 'kubernetes', 'other', 'none'] as const
export type Container = (typeof CONTAINERS)[number]

export const VirtualizationSchema = Obj({
  /** guest: runs under a hypervisor; host: can run guests (/dev/kvm, Xen dom0); none: bare metal, no hypervisor. */
  role: StringEnum(['guest', 'host', 'none']),
  /** kvm, qemu, xen, vmware, hyperv, virtualbox, firecracker, amazon, google, parallels, bhyve… ("none" on bare metal). */
  technology: Opt(Str()),
  /** The hypervisor as detected (systemd-detect-virt's name), when it differs from what technology refines it to. */
  hypervisor: Opt(Str()),
  container: StringEnum(CONTAINERS),
  /** The container manager's own name when container is "other" or a variant (lxc-libvirt, rkt, proot…). */
  containerDetail: Opt(Str()),
  /** /dev/kvm exists: this kernel can run KVM guests. */
  kvmAvailable: Opt(Bool()),
  /** How the answer was reached: the sources that spoke. */
  evidence: Type.Array(Str()),
})
export type VirtualizationData = Static<typeof VirtualizationSchema>

export const virtualizationSection = defineSection({
  id: 'virtualization',
  title: 'Virtualization',
  version: 1,
  schema: VirtualizationSchema,
  upgrades: [],
})
