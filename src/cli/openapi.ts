import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/database.js'

const FILE = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url))

function sortKeys<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T
}

/** The contract as the code declares it: the app is built (never listening, never querying) and asked. */
export async function generateContract(): Promise<string> {
  const config = loadConfig({ JWT_SECRET: 'x'.repeat(32), PATHWAY_DATA_DIR: '/nonexistent' })
  const database = createDatabase({ pgliteDir: 'memory://' })
  const app = await buildApp({ config, database })
  await app.ready()
  const doc = app.swagger() as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }
  await app.close()
  doc.paths = sortKeys(doc.paths)
  doc.components.schemas = sortKeys(doc.components.schemas)
  return JSON.stringify(doc, null, 2) + '\n'
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const generated = await generateContract()
  if (process.argv.includes('--check')) {
    let committed = ''
    try {
      committed = readFileSync(FILE, 'utf8')
    } catch {
      committed = ''
    }
    if (committed !== generated) {
      console.error('openapi/openapi.json is not what the code generates: run `npm run openapi` and commit the result')
      process.exit(1)
    }
    console.log('openapi/openapi.json is current')
  } else {
    writeFileSync(FILE, generated)
    console.log(`wrote ${FILE}`)
  }
}
