import {ParseError} from './kit/parse-error.js'
import {defineProbe} from './kit/probe.js'
import {failure, lines} from './kit/probe-helpers.js'
import {bootSection, type BootData} from '../src/model/sections/boot.js'

/** The EFI global variable that holds Secure Boot's state: 4 bytes of attributes, then 1 (on) or 0 (off). */
const SECURE_BOOT_VAR = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c'

/**
 * GRUB files that may set a password: the generated grub.cfg (Debian, RHEL), grub2-setpassword's user.cfg, and the
 * /etc/grub.d scripts administrators write it in (40_custom; 01_users on RHEL).
 */
export const GRUB_FILES = ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg', '/boot/grub2/user.cfg', '/etc/grub.d/01_users', '/etc/grub.d/40_custom'] as const

/**
 * One command, bounded: `!cmdline` and the first 4 KiB of /proc/cmdline's line; `!firmware efi|bios`; on EFI `!efivar N`
 * (the value byte), `!efivar denied|absent`, and `!mokutil LINE` when the variable says nothing and mokutil is
 * installed; `!tpm NAME [MAJOR]` per TPM device; per GRUB file that exists, `!grub FILE S P` (how many
 * `set superusers=` and password lines: counts only, never the hash) or `!grub-denied FILE`.
 */
const BOOT_COMMAND = [
  // read by the shell itself (no head process): one line, its size bounded by the kernel (COMMAND_LINE_SIZE, 2-4 KiB
  // on common architectures), kept to its first 4 KiB all the same
  "if [ -r /proc/cmdline ]; then echo '!cmdline'; c=; IFS= read -r c < /proc/cmdline; [ ${#c} -le 4096 ] || c=$(printf '%.4096s' \"$c\"); printf '%s\\n' \"$c\"; fi",
  'if [ -d /sys/firmware/efi ]; then',
  "  echo '!firmware efi'",
  `  v=${SECURE_BOOT_VAR}`,
  '  if [ -r "$v" ]; then echo "!efivar $(od -An -tu1 -j4 -N1 "$v" | tr -d " ")"; elif [ -e "$v" ]; then echo "!efivar denied"; else echo "!efivar absent"; fi',
  '  if [ ! -r "$v" ] && command -v mokutil >/dev/null 2>&1; then echo "!mokutil $(mokutil --sb-state 2>&1 | head -n 1 | head -c 200)"; fi',
  "else echo '!firmware bios'; fi",
  'for d in /sys/class/tpm/tpm*; do [ -e "$d" ] || continue; echo "!tpm ${d##*/} $(head -c 8 "$d/tpm_version_major" 2>/dev/null)"; done',
  `for f in ${GRUB_FILES.join(' ')}; do`,
  '  [ -f "$f" ] || continue',
  '  if [ -r "$f" ]; then',
  "    echo \"!grub $f $(head -c 4000000 \"$f\" | awk '/^[[:space:]]*set[[:space:]]+superusers=/ {s++} /^[[:space:]]*(password|password_pbkdf2)[[:space:]]/ || /^GRUB2_PASSWORD=/ {p++} END {print s+0, p+0}')\"",
  '  else echo "!grub-denied $f"; fi',
  'done',
  'exit 0',
].join('\n')

/** A kernel parameter whose value may be a secret: its value is never kept. */
const SECRET_PARAM = /pass|secret|token|key|cred/i

/** Splits a kernel command line into parameters (double quotes group blanks, as the kernel reads them), hiding secret-looking values. */
export function cmdlineParams(text: string): string[] {
  const params = text.trim().match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
  return params.map((p) => {
    const eq = p.indexOf('=')
    return eq > 0 && SECRET_PARAM.test(p.slice(0, eq)) ? `${p.slice(0, eq)}=(hidden)` : p
  })
}

/** Reads `mokutil --sb-state`'s first line. */
function mokutilState(line: string): NonNullable<BootData['secureBoot']> {
  if (/^SecureBoot enabled/i.test(line)) return {enabled: true, source: 'mokutil'}
  if (/^SecureBoot disabled/i.test(line)) return {enabled: false, source: 'mokutil'}
  return {source: 'mokutil', reason: `mokutil: ${line.slice(0, 120)}`}
}

/** Parses the boot command's output (see BOOT_COMMAND). */
export function parseBoot(text: string): BootData {
  let cmdline: string[] | undefined
  let firmware: BootData['firmware'] | undefined
  let efivar: string | undefined
  let mokutil: string | undefined
  const tpm: BootData['tpm'] = {present: false, devices: []}
  const files: BootData['bootloader']['files'] = []
  const all = lines(text)
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!
    let m: RegExpExecArray | null
    if (line === '!cmdline') {
      cmdline = cmdlineParams(all[i + 1] ?? '')
      i++
    } else if ((m = /^!firmware (efi|bios)$/.exec(line))) firmware = m[1] as BootData['firmware']
    else if ((m = /^!efivar (\d+|denied|absent)$/.exec(line))) efivar = m[1]
    else if ((m = /^!mokutil (.*)$/.exec(line))) mokutil = m[1]!.trim()
    else if ((m = /^!tpm (tpm\d+)(?: (\d+))?\s*$/.exec(line))) {
      tpm.present = true
      tpm.devices.push({name: m[1]!, ...(m[2] === undefined ? {} : {version: Number(m[2])})})
    } else if ((m = /^!grub (\/\S+) (\d+) (\d+)$/.exec(line))) files.push({file: m[1]!, readable: true, superusers: m[2] !== '0', password: m[3] !== '0'})
    else if ((m = /^!grub-denied (\/\S+)$/.exec(line))) files.push({file: m[1]!, readable: false})
    else if (line.trim() !== '') throw new ParseError(`not a boot probe line: ${JSON.stringify(line.slice(0, 60))}`, i + 1)
  }
  if (!firmware) throw new ParseError('no "!firmware" line')
  const data: BootData = {...(cmdline ? {cmdline} : {}), firmware, tpm, bootloader: {grub: files.length > 0, files}}
  if (firmware === 'efi') {
    if (efivar === '1' || efivar === '0') data.secureBoot = {enabled: efivar === '1', source: 'efivar'}
    else if (mokutil !== undefined) data.secureBoot = mokutilState(mokutil)
    else data.secureBoot = {reason: efivar === 'denied' ? 'the SecureBoot variable could not be read and mokutil is not installed' : 'no SecureBoot variable (firmware without Secure Boot)'}
  }
  const password = grubPassword(files)
  if (password !== undefined) data.bootloader.password = password
  return data
}

/** GRUB asks for a password when some file sets superusers and some sets a password; unknown when not found in what could be read and a file could not. */
function grubPassword(files: BootData['bootloader']['files']): boolean | undefined {
  if (files.length === 0) return undefined
  if (files.some((f) => f.superusers) && files.some((f) => f.password)) return true
  return files.every((f) => f.readable) ? false : undefined
}

export const bootProbe = defineProbe({
  section: bootSection,
  platforms: ['Linux'],
  commands: {boot: BOOT_COMMAND},
  interpret(out) {
    const fail = failure(out.boot, 'boot')
    if (fail) return fail
    const data = parseBoot(out.boot!.stdout)
    const denied = data.bootloader.files.filter((f) => !f.readable).map((f) => f.file)
    const reasons = [
      ...(data.cmdline ? [] : ['/proc/cmdline unreadable']),
      ...(denied.length && data.bootloader.password === undefined ? [`boot loader password: cannot read ${denied.join(', ')} (needs root)`] : []),
      ...(data.secureBoot && data.secureBoot.enabled === undefined && data.secureBoot.reason?.includes('could not be read') ? [`Secure Boot: ${data.secureBoot.reason}`] : []),
    ]
    return reasons.length ? {status: 'partial', reason: reasons.join('; '), data} : {status: 'ok', data}
  },
})
