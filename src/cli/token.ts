import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config.js'
import { mintToken } from '../platform/auth/tokens.js'

/** Prints a bearer token signed with the configured key (same environment and data directory as `npm start`). */
const USAGE = 'usage: npm run token -- --scopes admin[,people:read…] [--sub NAME] [--ttl 1h|30m|3600] [--person PERSON_ID]'

function seconds(ttl: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(ttl)
  if (!match) throw new ConfigError(`--ttl must look like 3600, 30m, 1h or 7d, got "${ttl}"`)
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd']
  return Number(match[1]) * unit
}

try {
  const { values } = parseArgs({
    options: {
      scopes: { type: 'string' },
      sub: { type: 'string', default: 'admin-cli' },
      ttl: { type: 'string', default: '1h' },
      person: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help || !values.scopes) {
    console.error(USAGE)
    process.exit(values.help ? 0 : 64)
  }
  const config = loadConfig()
  const scopes = values.scopes.split(/[\s,]+/).filter(Boolean)
  const token = mintToken(config.jwt, { subject: values.sub!, scopes, ttlSeconds: seconds(values.ttl!), personId: values.person })
  process.stdout.write(token + '\n')
} catch (error) {
  console.error(`pathway token: ${(error as Error).message}`)
  console.error(USAGE)
  process.exit(64)
}
