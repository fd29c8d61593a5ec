/**
 * Import through the API against COPY of the same rows: N people as CSV and as NDJSON, first
 * load into an organisation with no people, then the same file again (nothing changes), with
 * the API process's peak resident memory.
 */
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { GRADES, gradeId, md5uuid, orgLayout, orgUnitId, scaleOf } from './generate.js'
import { memoryOf, startApi, type Server } from './servers.js'

const GIVEN = ['Amina', 'Ben', 'Chen', 'Dev', 'Ewa', 'Femi', 'Grace', 'Hugo', 'Isla', 'Jamal', 'Kate', 'Liam', 'Maya', 'Noah', 'Olu', 'Priya']
const FAMILY = ['Smith', 'Jones', 'Taylor', 'Brown', 'Okafor', 'Patel', 'Khan', 'Nowak', 'Murphy', "O'Brien", 'Hughes', 'Shah', 'Mensah', 'Campbell', 'Singh', 'Lewis']

export interface ImportFiles {
  people: number
  csv: string
  ndjson: string
  /** The same rows as the people table takes them (ids resolved), for COPY. */
  copy: string
  /** The audit record and the event the import writes for each of them, for COPY. */
  auditCopy: string
  eventsCopy: string
}

/** Row i of the import file; rows are written in a scattered order, so half the line managers come after their reports. */
function personRow(i: number, teams: number, firstTeam: number) {
  const officer = i % 10 < 6
  const grade = officer ? (['PC', 'PC', 'PC', 'PS', 'INSP'] as const)[i % 5] : i % 10 < 9 ? 'BAND_D' : 'PCSO'
  return {
    externalId: `P${String(i).padStart(7, '0')}`,
    givenName: GIVEN[i % GIVEN.length],
    familyName: `${FAMILY[(i * 7) % FAMILY.length]}${i % 1000}`,
    email: `p${i}@met.example.org`,
    staffType: officer ? 'officer' : i % 10 < 9 ? 'staff' : 'pcso',
    grade,
    unit: firstTeam + (i % teams),
    manager: i === 1 ? null : Math.floor((i - 2) / 8) + 1,
    status: i % 25 === 0 ? 'left' : 'active',
    startDate: new Date(Date.UTC(2000, 0, 1) + ((i * 37) % 8000) * 86_400_000).toISOString().slice(0, 10)
  }
}

const csvCell = (v: string | null) => (v === null ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

export async function writeImportFiles(dir: string, people: number): Promise<ImportFiles> {
  const org = orgLayout(scaleOf(1))
  const files = {
    people, csv: join(dir, `people-${people}.csv`), ndjson: join(dir, `people-${people}.ndjson`), copy: join(dir, `people-${people}.copy.csv`),
    auditCopy: join(dir, `audit-${people}.copy.csv`), eventsCopy: join(dir, `events-${people}.copy.csv`)
  }
  const csv = createWriteStream(files.csv)
  const nd = createWriteStream(files.ndjson)
  const copy = createWriteStream(files.copy)
  const auditCopy = createWriteStream(files.auditCopy)
  const eventsCopy = createWriteStream(files.eventsCopy)
  const at = new Date().toISOString()
  const write = async (stream: ReturnType<typeof createWriteStream>, text: string) => {
    if (!stream.write(text)) await once(stream, 'drain')
  }
  await write(csv, 'externalId,givenName,familyName,email,staffType,gradeExternalId,orgUnitExternalId,lineManagerExternalId,status,startDate\n')
  for (let p = 0; p < people; p++) {
    const i = 1 + ((p * 7919) % people)
    const r = personRow(i, org.teams, org.firstTeam)
    const manager = r.manager === null ? null : `P${String(r.manager).padStart(7, '0')}`
    const row = {
      externalId: r.externalId, givenName: r.givenName, familyName: r.familyName, email: r.email, staffType: r.staffType,
      gradeExternalId: `G-${r.grade}`, orgUnitExternalId: `OU${r.unit}`, lineManagerExternalId: manager, status: r.status, startDate: r.startDate
    }
    await write(csv, Object.values(row).map((v) => csvCell(v)).join(',') + '\n')
    await write(nd, JSON.stringify(row) + '\n')
    const id = md5uuid(`person-${i}`)
    const lineManagerId = r.manager === null ? null : md5uuid(`person-${r.manager}`)
    await write(copy, [id, r.externalId, r.givenName, r.familyName, r.email, r.staffType, gradeId(r.grade), orgUnitId(r.unit),
      lineManagerId, r.status, r.startDate].map((v) => csvCell(v)).join(',') + '\n')
    // What the import writes besides the person: its audit record and its event, with the same view.
    const view = JSON.stringify({
      id, externalId: r.externalId, givenName: r.givenName, familyName: r.familyName, preferredName: null, email: r.email, staffType: r.staffType,
      gradeId: gradeId(r.grade), orgUnitId: orgUnitId(r.unit), lineManagerId, status: r.status, startDate: r.startDate, leavingDate: null,
      version: 1, createdAt: at, updatedAt: at
    })
    await write(auditCopy, ['bench', 'person.created', 'person', id, view, 'bench-import'].map((v) => csvCell(v)).join(',') + '\n')
    await write(eventsCopy, [String(10_000_000 + p), 'person.created', 'person', id, 'bench', 'bench-import', view].map((v) => csvCell(v)).join(',') + '\n')
  }
  await Promise.all([csv, nd, copy, auditCopy, eventsCopy].map((s) => new Promise((resolve) => s.end(resolve))))
  void GRADES
  return files
}

export const COPY_COLUMNS = 'id, external_id, given_name, family_name, email, staff_type, grade_id, org_unit_id, line_manager_id, status, start_date'
const AUDIT_COLUMNS = 'actor, action, entity_type, entity_id, after, request_id'
const EVENT_COLUMNS = 'sequence, type, entity_type, entity_id, actor, request_id, data'

/** Seconds for COPY of the people alone (the floor) and of every row the import writes (people, audit records, events). */
export interface CopyTimes {
  people: number
  allWrites: number
}

/** COPY through psql's \copy (client-side, as an integrator's loader would), people first, then their audit records and events. */
export function copyPostgres(databaseUrl: string, files: ImportFiles): CopyTimes {
  const psql = process.env.PSQL ?? '/usr/lib/postgresql/15/bin/psql'
  const copy = (table: string, columns: string, file: string) => {
    const started = process.hrtime.bigint()
    execFileSync(psql, [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy ${table} (${columns}) from '${file}' with (format csv)`], { stdio: ['ignore', 'ignore', 'inherit'] })
    return Number(process.hrtime.bigint() - started) / 1e9
  }
  const people = copy('people', COPY_COLUMNS, files.copy)
  return { people, allWrites: people + copy('audit_records', AUDIT_COLUMNS, files.auditCopy) + copy('events', EVENT_COLUMNS, files.eventsCopy) }
}

export async function copyPglite(dir: string, files: ImportFiles): Promise<CopyTimes> {
  const { createPGlite } = await import('../src/db/database.js')
  const db = await createPGlite(dir)
  try {
    const copy = async (table: string, columns: string, file: string) => {
      const blob = new Blob([readFileSync(file)])
      const started = process.hrtime.bigint()
      await db.query(`copy ${table} (${columns}) from '/dev/blob' with (format csv)`, [], { blob })
      return Number(process.hrtime.bigint() - started) / 1e9
    }
    const people = await copy('people', COPY_COLUMNS, files.copy)
    return { people, allWrites: people + (await copy('audit_records', AUDIT_COLUMNS, files.auditCopy)) + (await copy('events', EVENT_COLUMNS, files.eventsCopy)) }
  } finally {
    await db.close()
  }
}

export interface ImportRun {
  seconds: number
  counts: Record<string, number>
  state: string
  /** Highest VmRSS sampled every 50 ms during the import, and the process's VmHWM afterwards (MB). */
  peakRssMb: number
  hwmMb: number
  rowsPerSecond: number
}

/** Posts the file as an HR system would (a job, polled until it ends) and samples the API's memory meanwhile. */
export async function importThroughApi(api: Server, token: string, file: string, contentType: string): Promise<ImportRun> {
  const body = readFileSync(file)
  let peak = 0
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryOf(api.pid).rssMb)
  }, 50)
  const headers = { authorization: `Bearer ${token}` }
  const started = process.hrtime.bigint()
  try {
    const res = await fetch(`${api.url}/v1/people/import`, { method: 'POST', headers: { ...headers, 'content-type': contentType, prefer: 'respond-async' }, body })
    if (res.status !== 202) throw new Error(`import answered ${res.status}: ${(await res.text()).slice(0, 500)}`)
    const location = res.headers.get('location')!
    for (;;) {
      await new Promise((r) => setTimeout(r, 50))
      const job = (await (await fetch(api.url + location, { headers })).json()) as { state: string; result: { counts: Record<string, number> } | null; error: string | null }
      if (job.state === 'succeeded' || job.state === 'failed') {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9
        if (job.state === 'failed') throw new Error(`import job failed: ${job.error ?? JSON.stringify(job.result).slice(0, 1000)}`)
        const mem = memoryOf(api.pid)
        peak = Math.max(peak, mem.rssMb)
        return { seconds, counts: job.result!.counts, state: job.state, peakRssMb: peak, hwmMb: mem.hwmMb, rowsPerSecond: job.result!.counts.read / seconds }
      }
    }
  } finally {
    clearInterval(sampler)
  }
}

export interface ImportMeasurement {
  people: number
  format: 'csv' | 'ndjson'
  bytes: number
  first: ImportRun
  again: ImportRun
}

/** First load into a fresh copy of the base database, then the same file again, on one fresh API process. */
export async function measureImport(
  files: ImportFiles,
  format: 'csv' | 'ndjson',
  token: string,
  fresh: () => Promise<{ databaseUrl?: string; dataDir: string }>,
  log: (line: string) => void
): Promise<ImportMeasurement> {
  const target = await fresh()
  const api = await startApi(target)
  try {
    const file = format === 'csv' ? files.csv : files.ndjson
    const type = format === 'csv' ? 'text/csv' : 'application/x-ndjson'
    const first = await importThroughApi(api, token, file, type)
    log(`    ${format} ${files.people} first load: ${first.seconds.toFixed(2)} s, peak RSS ${first.peakRssMb.toFixed(0)} MB`)
    const again = await importThroughApi(api, token, file, type)
    log(`    ${format} ${files.people} re-import: ${again.seconds.toFixed(2)} s, peak RSS ${again.peakRssMb.toFixed(0)} MB`)
    return { people: files.people, format, bytes: statSync(file).size, first, again }
  } finally {
    await api.stop()
  }
}
