import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

const SECRET = 's'.repeat(40)

t.test('defaults: port 3000, embedded database under ./data, HS256', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pathway-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({ PATHWAY_DATA_DIR: dir, JWT_SECRET: SECRET })
  t.equal(config.port, 3000)
  t.equal(config.databaseUrl, undefined)
  t.same(config.jwt.algorithms, ['HS256'])
  t.equal(config.jwt.issuer, 'pathway')
  t.equal(config.jwt.audience, 'pathway-api')
})

t.test('a fresh embedded install generates its secret once, mode 0600, and reuses it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pathway-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = loadConfig({ PATHWAY_DATA_DIR: dir })
  t.equal(first.jwt.generatedSecret, true)
  const file = join(dir, 'jwt-secret')
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.ok(readFileSync(file, 'utf8').trim().length >= 48)
  const second = loadConfig({ PATHWAY_DATA_DIR: dir })
  t.equal(second.jwt.generatedSecret, false)
  t.equal(second.jwt.verifyKey, first.jwt.verifyKey)
})

t.test('bad values are refused with a message naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty', JWT_SECRET: SECRET }, /PORT must be a whole number/],
    [{ PORT: '70000', JWT_SECRET: SECRET }, /PORT must be between/],
    [{ LOG_LEVEL: 'loud', JWT_SECRET: SECRET }, /LOG_LEVEL must be one of/],
    [{ DATABASE_URL: 'mysql://x', JWT_SECRET: SECRET }, /DATABASE_URL must start with postgres/],
    [{ DATABASE_URL: 'postgres://localhost/x' }, /JWT_SECRET or JWT_PUBLIC_KEY is required/],
    [{ JWT_SECRET: 'short' }, /at least 32 characters/],
    [{ JWT_SECRET: SECRET, JWT_ALGORITHMS: 'none' }, /JWT_ALGORITHMS has "none"/],
    [{ JWT_SECRET: SECRET, JWT_ALGORITHMS: 'RS256' }, /only HS\* algorithms/],
    [{ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----', JWT_ALGORITHMS: 'HS256' }, /only RS or ES algorithms/],
    [{ JWT_PUBLIC_KEY: 'not a pem' }, /must be a PEM public key/],
    [{ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, /not both/],
    [{ JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' }, /RATE_LIMIT_PER_MINUTE must be between/]
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig({ PATHWAY_DATA_DIR: '/nonexistent', ...env }), { name: 'ConfigError', message }, JSON.stringify(env))
  }
  t.ok(new ConfigError('x') instanceof Error)
})
