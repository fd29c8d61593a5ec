/**
 * The SQL a module's own query code issues, captured by running it against a Kysely that
 * compiles but does not execute (DummyDriver: every query returns no rows). The reference server
 * then runs exactly those statements, with the same parameters, through its bare pool, so a
 * change to the module's queries moves the reference with it.
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely'
import type { Db } from '../src/db/database.js'
import type { Database } from '../src/db/types.js'

export interface Captured {
  text: string
  params: unknown[]
}

export async function captureQueries(work: (db: Db) => Promise<unknown>): Promise<Captured[]> {
  const captured: Captured[] = []
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler()
    },
    log: (event) => {
      if (event.level === 'query') captured.push({ text: event.query.sql, params: [...event.query.parameters] })
    }
  })
  try {
    await work(db)
  } finally {
    await db.destroy()
  }
  return captured
}
