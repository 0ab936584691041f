import {openKey} from './opened-keys.js'

/**
 * Where SSH passwords and key passphrases come from: environment variables, or what the operator typed at a
 * prompt (kept in this process's memory only). Never from a file, never logged, never put in the environment
 * of a command this process runs.
 */
export interface SshSecrets {
  /** The password a host's `passwordEnv` names. */
  password(envName: string): string | undefined
  /** The passphrase of an encrypted key file. */
  passphrase(keyFile: string): string | undefined
}

/** Passwords from the variables the hosts file names; every key's passphrase from HATANG_SSH_PASSPHRASE. */
export const envSecrets: SshSecrets = {
  password: (name) => process.env[name],
  passphrase: () => process.env.HATANG_SSH_PASSPHRASE,
}

/** The environment first, then what was typed at the prompt. */
export function withTyped(base: SshSecrets, passwords: ReadonlyMap<string, string>, passphrases: ReadonlyMap<string, string>): SshSecrets {
  return {
    password: (name) => base.password(name) ?? passwords.get(name),
    passphrase: (file) => base.passphrase(file) ?? passphrases.get(file),
  }
}

/** Whether a private key file's text is encrypted (it needs a passphrase to be used). */
export function isEncryptedKey(text: string): boolean {
  const parsed = openKey(text)
  return parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)
}
