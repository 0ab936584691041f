import {accessProbe} from './access.js'
import {bootProbe} from './boot.js'
import {accountsProbe} from './accounts.js'
import {auditProbe} from './audit.js'
import {certificatesProbe} from './certificates.js'
import {cpuProbe} from './cpu.js'
import {disksProbe} from './disks.js'
import {encryptionProbe} from './encryption.js'
import {filesystemsProbe} from './filesystems.js'
import {firewallProbe} from './firewall.js'
import {identityProbe} from './identity.js'
import {kernelModulesProbe} from './kernel-modules.js'
import {loginsProbe} from './logins.js'
import {storageProbe} from './storage.js'
import {containersProbe} from './containers.js'
import {macProbe} from './mac.js'
import {malwareProbe} from './malware.js'
import {memoryProbe} from './memory.js'
import {networkProbe} from './network.js'
import {osProbe} from './os.js'
import {packagesProbe} from './packages.js'
import {passwordPolicyProbe} from './password-policy.js'
import {portsProbe} from './ports.js'
import {scheduledProbe} from './scheduled.js'
import {servicesProbe} from './services.js'
import {sourcesProbe} from './sources.js'
import {sshdProbe} from './sshd.js'
import {sysctlProbe} from './sysctl.js'
import {systemProbe} from './system.js'
import {timeSyncProbe} from './time-sync.js'
import {updatesProbe} from './updates.js'
import {virtualizationProbe} from './virtualization.js'

/**
 * Every implementation, one line each: per section, one per dialect it can be read in (posix-sh today). Which one
 * reads a target is chosen by the dialects its transport runs (src/collect/collect-host.ts).
 */
export const probes = [
  identityProbe,
  osProbe,
  systemProbe,
  cpuProbe,
  memoryProbe,
  disksProbe,
  filesystemsProbe,
  virtualizationProbe,
  networkProbe,
  portsProbe,
  packagesProbe,
  updatesProbe,
  servicesProbe,
  accountsProbe,
  sshdProbe,
  firewallProbe,
  timeSyncProbe,
  macProbe,
  auditProbe,
  encryptionProbe,
  malwareProbe,
  sysctlProbe,
  kernelModulesProbe,
  certificatesProbe,
  accessProbe,
  loginsProbe,
  passwordPolicyProbe,
  storageProbe,
  containersProbe,
  bootProbe,
  sourcesProbe,
  scheduledProbe,
] as const

