import {type Static} from '@sinclair/typebox'

import {Obj, Opt, Str} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

export const SystemSchema = Obj({
  /** DMI system manufacturer (sys_vendor): Dell Inc., HPE, QEMU… */
  vendor: Opt(Str()),
  /** DMI product name. */
  model: Opt(Str()),
  version: Opt(Str()),
  serial: Opt(Str()),
  sku: Opt(Str()),
  family: Opt(Str()),
  /** SMBIOS chassis type by name: Desktop, Notebook, Rack Mount Chassis, Other… */
  chassisType: Opt(Str()),
  chassisVendor: Opt(Str()),
  boardVendor: Opt(Str()),
  boardModel: Opt(Str()),
  boardVersion: Opt(Str()),
  boardSerial: Opt(Str()),
  biosVendor: Opt(Str()),
  biosVersion: Opt(Str()),
  /** YYYY-MM-DD. */
  biosDate: Opt(Str({format: 'date'})),
})
export type SystemData = Static<typeof SystemSchema>

export const systemSection = defineSection({
  id: 'system',
  title: 'System (DMI)',
  version: 1,
  schema: SystemSchema,
  upgrades: [],
})
