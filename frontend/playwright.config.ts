// Browser tests: Debian's Chromium (never a downloaded browser) against a running
// platform at BASE_URL (tests/web/run_tests.py starts one; `make test T=tests/web`).
import { defineConfig } from '@playwright/test'

const artifacts = process.env.WEB_ARTIFACTS ?? '../.rentezy/test-artifacts/web'

export default defineConfig({
  testDir: './e2e',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: `${artifacts}/results`,
  reporter: [
    ['list'],
    ['junit', { outputFile: process.env.PLAYWRIGHT_JUNIT ?? `${artifacts}/playwright.xml` }],
  ],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:8000',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking'],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
})
