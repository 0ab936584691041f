import {accessSection} from './access.js'
import {bootSection} from './boot.js'
import {accountsSection} from './accounts.js'
import {auditSection} from './audit.js'
import {certificatesSection} from './certificates.js'
import {cpuSection} from './cpu.js'
import {disksSection} from './disks.js'
import {encryptionSection} from './encryption.js'
import {filesystemsSection} from './filesystems.js'
import {firewallSection} from './firewall.js'
import {identitySection} from './identity.js'
import {kernelModulesSection} from './kernel-modules.js'
import {loginsSection} from './logins.js'
import {storageSection} from './storage.js'
import {containersSection} from './containers.js'
import {macSection} from './mac.js'
import {malwareSection} from './malware.js'
import {memorySection} from './memory.js'
import {networkSection} from './network.js'
import {osSection} from './os.js'
import {packagesSection} from './packages.js'
import {passwordPolicySection} from './password-policy.js'
import {portsSection} from './ports.js'
import {scheduledSection} from './scheduled.js'
import {servicesSection} from './services.js'
import {sourcesSection} from './sources.js'
import {sshdSection} from './sshd.js'
import {sysctlSection} from './sysctl.js'
import {systemSection} from './system.js'
import {timeSyncSection} from './time-sync.js'
import {updatesSection} from './updates.js'
import {virtualizationSection} from './virtualization.js'

/** Every section a snapshot can hold, in the order they appear in it. One line a section; the snapshot schema is built from it. */
export const sectionCatalog = [
  identitySection,
  osSection,
  systemSection,
  cpuSection,
  memorySection,
  disksSection,
  filesystemsSection,
  virtualizationSection,
  networkSection,
  portsSection,
  packagesSection,
  updatesSection,
  servicesSection,
  accountsSection,
  sshdSection,
  firewallSection,
  timeSyncSection,
  macSection,
  auditSection,
  encryptionSection,
  malwareSection,
  sysctlSection,
  kernelModulesSection,
  certificatesSection,
  accessSection,
  loginsSection,
  passwordPolicySection,
  storageSection,
  containersSection,
  bootSection,
  sourcesSection,
  scheduledSection,
] as const

export type CatalogSection = (typeof sectionCatalog)[number]
export type SectionId = CatalogSection['id']
