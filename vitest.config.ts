import {availableParallelism} from 'node:os'

import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most tests wait on real processes (sshd, PostgreSQL, Chromium, ansible-playbook) more than they compute: two
    // files at once even on two cores (vitest's default there is one), 16 min instead of 21.5 on this machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
  },
})
