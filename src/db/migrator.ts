import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration'

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url))

/** Loads `migrations/NNNN_name.(ts|js)`; the same list whether run from source (tsx) or from dist. */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    const migrations: Record<string, Migration> = {}
    for (const file of files.sort()) {
      const module = (await import(pathToFileURL(join(MIGRATIONS_DIR, file)).href)) as Migration
      migrations[file.replace(/\.(ts|js)$/, '')] = module
    }
    return migrations
  }
}

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new FolderMigrationProvider() })
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  return createMigrator(db).migrateToLatest()
}

export interface SchemaStatus {
  current: boolean
  pending: string[]
  /** Migrations recorded in the database that this build does not know: a newer schema. */
  unknown: string[]
}

export async function schemaStatus(db: Kysely<any>): Promise<SchemaStatus> {
  const known = Object.keys(await new FolderMigrationProvider().getMigrations())
  let applied: string[] = []
  try {
    const rows = await db.selectFrom('kysely_migration').select('name').execute()
    applied = rows.map((r: { name: string }) => r.name)
  } catch {
    applied = []
  }
  const pending = known.filter((n) => !applied.includes(n))
  const unknown = applied.filter((n) => !known.includes(n))
  return { current: pending.length === 0 && unknown.length === 0, pending, unknown }
}
