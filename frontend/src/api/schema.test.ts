// Drift guard: schema.d.ts is what openapi-typescript makes of the committed openapi.json
// (with package.json's flags). openapi.json itself is checked against the services by
// tests/contract/test_openapi.py.
import { spawnSync } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('the generated API types', () => {
  it('were generated from the committed openapi.json', () => {
    // --check: generate in memory and compare with schema.d.ts; writes nothing.
    const run = spawnSync('npm', ['run', '--silent', 'openapi:types', '--', '--check'], {
      cwd: FRONTEND,
      encoding: 'utf8',
    })
    expect(
      run.status,
      'frontend/src/api/schema.d.ts was not generated from frontend/src/api/openapi.json: ' +
        'run `make openapi` (or `npm run openapi:types` in frontend/) and commit both.\n' +
        `${run.stdout}${run.stderr}`,
    ).toBe(0)
  })
})
