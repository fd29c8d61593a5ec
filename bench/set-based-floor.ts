/**
 * How fast could an audited import be? The floor of a set-based design, measured beside COPY:
 * the file's rows COPY'd into a temporary staging table, then the people, their audit records and
 * their change-feed events written by three INSERT … SELECT statements, views built in SQL, in
 * one transaction. No validation, no per-row failures, no counts: what a redesign of platform
 * bulk/ (COPY from the API into staging, set-based upsert) could at best reach.
 *
 *   npx tsx bench/set-based-floor.ts [--people 50000] [--runs 3]
 *
 * PostgreSQL only: a private cluster as `npm run bench` starts, or DATABASE_URL's server.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { adminQuery, startCluster, withDatabase, type Cluster } from './cluster.js'
import { generate } from './generate.js'
import { COPY_COLUMNS, copyPostgres, writeImportFiles } from './imports.js'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const people = arg('people', 50_000)
const runs = arg('runs', 3)
const psql = process.env.PSQL ?? '/usr/lib/postgresql/15/bin/psql'

/** The person as the API shows it (toPerson in src/modules/people/people.repository.ts), in SQL. */
const VIEW = `jsonb_build_object('id', id, 'externalId', external_id, 'givenName', given_name, 'familyName', family_name,
  'preferredName', preferred_name, 'email', email, 'staffType', staff_type, 'gradeId', grade_id, 'orgUnitId', org_unit_id,
  'lineManagerId', line_manager_id, 'status', status, 'startDate', start_date, 'leavingDate', leaving_date, 'version', version,
  'createdAt', to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'updatedAt', to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`

/** One transaction, each step timed by psql; returns seconds per step. */
function setBased(databaseUrl: string, copyFile: string, work: string): Record<string, number> {
  const script = join(work, 'set-based.sql')
  writeFileSync(script, `\\timing on
begin;
select set_config('work_mem', '64MB', true), set_config('jit', 'off', true);
set constraints people_line_manager_id_fkey deferred;
create temp table stage as select ${COPY_COLUMNS} from people with no data;
\\copy stage from '${copyFile}' with (format csv)
create temp table written as with i as (insert into people (${COPY_COLUMNS}) select * from stage returning *) select id, ${VIEW} as view from i;
insert into audit_records (actor, action, entity_type, entity_id, after, request_id) select 'bench', 'person.created', 'person', id, view, 'bench-import' from written;
with n as (select count(*) as total from written),
  c as (update event_counter set last_sequence = last_sequence + (select total from n) where id = 1 returning last_sequence)
insert into events (sequence, type, entity_type, entity_id, actor, request_id, data)
  select (select last_sequence from c) - (select total from n) + row_number() over (), 'person.created', 'person', id, 'bench', 'bench-import', view from written;
commit;
`)
  const out = execFileSync(psql, [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-f', script], { encoding: 'utf8' })
  const times = [...out.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1]) / 1000)
  // Statements in script order after \timing: begin, set_config, set constraints, create, copy, people, audit, events, commit.
  const [, , , create, copy, person, audit, events, commit] = times
  return { staging: create + copy, people: person, audit, events, commit, total: times.reduce((a, b) => a + b, 0) }
}

const work = mkdtempSync(join(tmpdir(), 'pathway-floor-'))
let cluster: Cluster | undefined
const serverUrl = process.env.DATABASE_URL ?? (cluster = await startCluster()).url
const admin = (text: string) => adminQuery(serverUrl, text)
const base = `pathway_floor_${process.pid}`
const made: string[] = []
try {
  await admin(`create database ${base}`)
  made.push(base)
  const database = createDatabase({ databaseUrl: withDatabase(serverUrl, base) })
  const m = await migrateToLatest(database.db)
  if (m.error) throw m.error
  await generate(database.db, 1, () => {}, { structureOnly: true })
  await database.close()
  const files = await writeImportFiles(work, people)
  let n = 0
  const fresh = async () => {
    const name = `${base}_${++n}`
    await admin(`create database ${name} template ${base}`)
    made.push(name)
    return withDatabase(serverUrl, name)
  }
  console.log(`${people} people; seconds (COPY as in npm run bench; set-based steps in one transaction)`)
  console.log('COPY people | COPY every row written | set-based: staging, people, audit, events, commit = total | total ÷ COPY people')
  for (let r = 0; r < runs; r++) {
    const copied = copyPostgres(await fresh(), files)
    const s = setBased(await fresh(), files.copy, work)
    const f = (x: number) => x.toFixed(2)
    console.log(`${f(copied.people)} | ${f(copied.allWrites)} | ${f(s.staging)}, ${f(s.people)}, ${f(s.audit)}, ${f(s.events)}, ${f(s.commit)} = ${f(s.total)} | ${(s.total / copied.people).toFixed(2)}×`)
  }
} finally {
  for (const name of made.reverse()) await admin(`drop database if exists ${name}`).catch(() => {})
  cluster?.stop()
  rmSync(work, { recursive: true, force: true })
}
