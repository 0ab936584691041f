/**
 * A command line with the values of secret-looking arguments replaced by `***`: `password=…`, `--passwd …`,
 * `token:…`, `-pSECRET` (mysql), `user:pass@` in URLs. What is kept says that a secret was there, never what it was.
 * A file that holds a secret (`--password-file PATH`) is no secret: a reviewer needs to know where it is. The one
 * masking of every command a host reports (scheduled jobs, sudo rules, authorized_keys options).
 */
export function maskSecretArguments(command: string): string {
  return command
    .replace(/(\w+:\/\/[^\s:/@]+:)[^\s@/]+@/g, '$1***@')
    .replace(
      /((?:^|[\s"'])-{0,2}[\w.-]*(?:password|passwd|passphrase|pass|pwd|secret|token|api[_-]?key|auth)[\w.-]*)([=:]|\s+)(?!\*\*\*)("[^"]*"|'[^']*'|[^\s"']+)/gi,
      (all: string, key: string, sep: string) => (/[-_]file$/i.test(key) ? all : `${key}${sep}***`),
    )
    .replace(/((?:^|\s)-p)(?!\s)(\S+)/g, '$1***')
}
