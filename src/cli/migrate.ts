import { loadConfig } from '../config.js'
import { createDatabase, databaseOptions } from '../db/database.js'
import { migrateToLatest } from '../db/migrator.js'

const config = loadConfig()
const database = createDatabase(databaseOptions(config))
const { error, results } = await migrateToLatest(database.db)
for (const r of results ?? []) console.log(`${r.status.padEnd(8)} ${r.migrationName}`)
if (!results?.length && !error) console.log('the schema is current')
await database.close()
if (error) {
  console.error('migration failed:', (error as Error).message)
  process.exit(1)
}
