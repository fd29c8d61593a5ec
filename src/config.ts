import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512'
const SYMMETRIC: JwtAlgorithm[] = ['HS256', 'HS384', 'HS512']
const ASYMMETRIC: JwtAlgorithm[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']

export interface JwtConfig {
  /** Key used to verify bearer tokens: the shared secret (HS*) or a PEM public key (RS256, ES256 …). */
  verifyKey: string
  /** Key used to sign tokens this service issues (client credentials, CLI); absent when only an external IdP issues them. */
  signKey?: string
  algorithms: JwtAlgorithm[]
  issuer: string
  audience: string
  /** True when the secret was generated into the data directory on this start (first run). */
  generatedSecret: boolean
}

export interface Config {
  port: number
  host: string
  /** PostgreSQL connection string; absent means the embedded PGlite database under dataDir. */
  databaseUrl?: string
  dataDir: string
  jwt: JwtConfig
  logLevel: string
  /** Requests per minute per client (or per address before authentication). */
  rateLimitPerMinute: number
  /**
   * Where rate-limit counters live on PostgreSQL: `database` (shared by every replica, the
   * default) or `memory` (per process: only for a single replica). PGlite always counts in memory.
   */
  rateLimitStore: 'database' | 'memory'
  /** Connections in this process's PostgreSQL pool (each replica has its own pool). */
  databasePoolSize: number
  /** Proxies to trust for the caller's address (fastify `trustProxy`): hops, or addresses/CIDRs; false when unset. */
  trustProxy: boolean | number | string
  /** Requests per minute per address to each 360° rater-token endpoint (brute force of tokens). */
  raterRateLimitPerMinute: number
  /** Largest JSON body accepted by ordinary endpoints, in bytes. */
  bodyLimit: number
  /** Largest file accepted by an import endpoint, in bytes. */
  importBodyLimit: number
  /** Imports larger than this (bytes) run as background jobs. */
  importJobThreshold: number
  tokenTtlSeconds: number
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`)
  return value
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Reads the secret kept in the data directory, creating it (mode 0600) on first use. */
export function embeddedSecret(dataDir: string): { secret: string; generated: boolean } {
  const file = join(dataDir, 'jwt-secret')
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { secret, generated: true }
}

function jwtConfig(env: Env, dataDir: string, embedded: boolean): JwtConfig {
  const issuer = env.JWT_ISSUER || 'pathway'
  const audience = env.JWT_AUDIENCE || 'pathway-api'
  const algorithms = (env.JWT_ALGORITHMS || '').split(',').map((a) => a.trim()).filter(Boolean) as JwtAlgorithm[]
  for (const a of algorithms) {
    if (![...SYMMETRIC, ...ASYMMETRIC].includes(a)) {
      throw new ConfigError(`JWT_ALGORITHMS has "${a}"; allowed: ${[...SYMMETRIC, ...ASYMMETRIC].join(', ')}`)
    }
  }
  const publicKey = env.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n')
  const privateKey = env.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n')
  if (env.JWT_SECRET && publicKey) throw new ConfigError('set JWT_SECRET or JWT_PUBLIC_KEY, not both')

  if (publicKey) {
    if (!publicKey.includes('BEGIN PUBLIC KEY') && !publicKey.includes('BEGIN CERTIFICATE')) {
      throw new ConfigError('JWT_PUBLIC_KEY must be a PEM public key or certificate')
    }
    const algs = algorithms.length ? algorithms : (['RS256'] as JwtAlgorithm[])
    if (algs.some((a) => SYMMETRIC.includes(a))) {
      // Accepting HS* with a public key is the classic algorithm-confusion hole.
      throw new ConfigError('JWT_ALGORITHMS must name only RS or ES algorithms when JWT_PUBLIC_KEY is set')
    }
    return { verifyKey: publicKey, signKey: privateKey, algorithms: algs, issuer, audience, generatedSecret: false }
  }

  const algs = algorithms.length ? algorithms : (['HS256'] as JwtAlgorithm[])
  if (algs.some((a) => !SYMMETRIC.includes(a))) {
    throw new ConfigError('JWT_ALGORITHMS must name only HS* algorithms when a shared secret is used')
  }
  if (env.JWT_SECRET) {
    if (env.JWT_SECRET.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters')
    return { verifyKey: env.JWT_SECRET, signKey: env.JWT_SECRET, algorithms: algs, issuer, audience, generatedSecret: false }
  }
  if (!embedded) {
    throw new ConfigError('JWT_SECRET or JWT_PUBLIC_KEY is required when DATABASE_URL is set')
  }
  const { secret, generated } = embeddedSecret(dataDir)
  return { verifyKey: secret, signKey: secret, algorithms: algs, issuer, audience, generatedSecret: generated }
}

function rateLimitStore(env: Env): 'database' | 'memory' {
  const value = env.RATE_LIMIT_STORE || 'database'
  if (value !== 'database' && value !== 'memory') throw new ConfigError(`RATE_LIMIT_STORE must be database or memory, got "${value}"`)
  return value
}

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://')
  }
  const dataDir = resolve(env.PATHWAY_DATA_DIR || './data')
  const logLevel = env.LOG_LEVEL || 'info'
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  const host = env.HOST || '0.0.0.0'
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir,
    jwt: jwtConfig(env, dataDir, !databaseUrl),
    logLevel,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1, 1_000_000),
    rateLimitStore: rateLimitStore(env),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    trustProxy: !env.TRUST_PROXY || env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY === 'true' ? true : /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY,
    raterRateLimitPerMinute: integer(env, 'RATER_RATE_LIMIT_PER_MINUTE', 60, 1, 1_000_000),
    bodyLimit: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    importBodyLimit: integer(env, 'IMPORT_BODY_LIMIT_BYTES', 200 * 1_048_576, 1024, 2048 * 1_048_576),
    importJobThreshold: integer(env, 'IMPORT_JOB_THRESHOLD_BYTES', 1_048_576, 0, 2048 * 1_048_576),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 60, 86_400)
  }
}
