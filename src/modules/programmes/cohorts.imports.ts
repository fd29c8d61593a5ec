import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import type { ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import type { FieldError } from '../../platform/problems.js'
import { recomputeCohortAttendance } from './attendance.js'
import { assertCohortHolds, cohortDefaults, cohortErrors, toCohort, type CohortRow } from './cohorts.repository.js'
import { CohortImportRow, CohortSessionImportRow } from './cohorts.schemas.js'
import { COHORT_TRANSITIONS, fillNewPlaces, moveCohort } from './cohorts.service.js'
import { failed, joinList, listCell, sameValues } from '../../platform/bulk/rows.js'
import { rowErrorsOf } from './programmes.imports.js'
import { PROGRAMME_COLUMNS, type ProgrammeRecord } from './programmes.repository.js'
import { PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'
import { sessionErrors, toSession } from './sessions.repository.js'
import type { CohortStatus, ProgrammeStatus } from './tables.js'
import { allowedMoves } from './transitions.js'

type CohortRowIn = Static<typeof CohortImportRow>
type SessionRowIn = Static<typeof CohortSessionImportRow>

/** The statuses a cohort may be created in, by its programme's status (history of a retired one included). */
const CREATABLE: Record<ProgrammeStatus, readonly CohortStatus[]> = {
  draft: ['planned', 'cancelled'],
  pilot: ['planned', 'open', 'closed', 'running', 'completed', 'cancelled'],
  active: ['planned', 'open', 'closed', 'running', 'completed', 'cancelled'],
  retired: ['completed', 'cancelled']
}

async function programmesOf(trx: Trx, rows: CohortRowIn[]) {
  const externalIds = [...new Set(rows.map((r) => r.programmeExternalId).filter((x): x is string => !!x))]
  const codes = [...new Set(rows.map((r) => r.programmeCode).filter((x): x is string => !!x))]
  const found =
    externalIds.length || codes.length
      ? await trx
          .selectFrom('programmes')
          .select(PROGRAMME_COLUMNS)
          .where((eb) => eb.or([...(externalIds.length ? [eb('external_id', 'in', externalIds)] : []), ...(codes.length ? [eb('code', 'in', codes)] : [])]))
          .execute()
      : []
  return {
    byExternalId: new Map(found.filter((p) => p.external_id).map((p) => [p.external_id!, p])),
    byCode: new Map(found.map((p) => [p.code, p]))
  }
}

function programmeOf(row: CohortRowIn, programmes: Awaited<ReturnType<typeof programmesOf>>): ProgrammeRecord | FieldError {
  if (row.programmeExternalId) {
    return programmes.byExternalId.get(row.programmeExternalId) ?? { in: 'row', pointer: '/programmeExternalId', detail: `no programme with externalId ${row.programmeExternalId}` }
  }
  if (row.programmeCode) return programmes.byCode.get(row.programmeCode) ?? { in: 'row', pointer: '/programmeCode', detail: `no programme with code ${row.programmeCode}` }
  return { in: 'row', pointer: '/programmeExternalId', detail: 'is required (or programmeCode)' }
}

/**
 * Cohorts upserted by externalId, naming their programme by externalId or code. A row is the whole
 * cohort; capacity and cost left out come from the programme. Status: see CohortImportRow.
 */
export const cohortImport: ImportSpec<CohortRowIn> = {
  resource: 'cohorts',
  operationName: 'Cohorts',
  tag: 'programmes',
  writeScope: PROGRAMMES_WRITE,
  readScope: PROGRAMMES_READ,
  rowSchema: CohortImportRow,
  columns: [
    'externalId', 'programmeExternalId', 'programmeCode', 'title', 'stream', 'startsOn', 'endsOn', 'venue', 'capacity', 'cost',
    'facilitators', 'nominationsCloseOn', 'status'
  ],
  async upsertBatch(batch, { trx, changes }) {
    const programmes = await programmesOf(trx, batch.map((b) => b.row))
    const existing = new Map(
      (await trx.selectFrom('cohorts').selectAll().where('external_id', 'in', batch.map((b) => b.row.externalId)).orderBy('id').forNoKeyUpdate().execute()).map((c) => [c.external_id!, c])
    )
    const results: RowResult[] = []
    for (const { row } of batch) {
      const programme = programmeOf(row, programmes)
      if (!('id' in programme)) {
        results.push(failed([programme]))
        continue
      }
      const errors = cohortErrors({ starts_on: row.startsOn, ends_on: row.endsOn, nominations_close_on: row.nominationsCloseOn ?? null }, 'row')
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const current = existing.get(row.externalId)
      try {
        results.push(current ? await updateFromRow(row, current, programme) : await createFromRow(row, programme))
      } catch (error) {
        const rowErrors = rowErrorsOf(error, '/status')
        if (!rowErrors) throw error
        results.push(failed(rowErrors))
      }
    }
    return results

    // Every refusal below is raised before the row writes anything.
    async function createFromRow(row: CohortRowIn, programme: ProgrammeRecord): Promise<RowResult> {
      const status = (row.status ?? 'planned') as CohortStatus
      if (!CREATABLE[programme.status].includes(status)) {
        return failed([{ in: 'row', pointer: '/status', detail: `a cohort of a ${programme.status} programme cannot be created ${status}; it may be ${CREATABLE[programme.status].join(', ')}` }])
      }
      const defaults = cohortDefaults(programme, { title: row.title, startsOn: row.startsOn, capacity: row.capacity, cost: row.cost }, 'row')
      const created = await trx
        .insertInto('cohorts')
        .values({ external_id: row.externalId, programme_id: programme.id, ...columnsOf(row, defaults), status })
        .returningAll()
        .executeTakeFirstOrThrow()
      changes.record({ action: 'cohort.created', entityType: 'cohort', entityId: created.id, after: toCohort(created) })
      return { outcome: 'created' }
    }

    async function updateFromRow(row: CohortRowIn, current: CohortRow, programme: ProgrammeRecord): Promise<RowResult> {
      if (programme.id !== current.programme_id) {
        return failed([{ in: 'row', pointer: row.programmeExternalId ? '/programmeExternalId' : '/programmeCode', detail: 'a cohort cannot move to another programme' }])
      }
      const desired = columnsOf(row, cohortDefaults(programme, { title: row.title, startsOn: row.startsOn, capacity: row.capacity, cost: row.cost }, 'row'))
      const to = (row.status ?? current.status) as CohortStatus
      const fieldsChanged = !sameValues(current, desired)
      if (!fieldsChanged && to === current.status) return { outcome: 'unchanged' }
      if (to !== current.status && !allowedMoves(COHORT_TRANSITIONS, current.status).includes(to)) {
        const open = allowedMoves(COHORT_TRANSITIONS, current.status)
        return failed([{ in: 'row', pointer: '/status', detail: `a cohort cannot move from ${current.status} to ${to}; ${open.length ? `from ${current.status} it may move to ${open.join(', ')}` : `${current.status} is final`}` }])
      }
      if (fieldsChanged) await assertCohortHolds(trx, current, desired, 'row')
      // An import is HR work: enrolments cancelled with the cohort are moves by the importing principal.
      if (to !== current.status) await moveCohort(changes, current, to, 'changed by import', changes.actor.subject)
      if (fieldsChanged) {
        const before = await trx.selectFrom('cohorts').selectAll().where('id', '=', current.id).executeTakeFirstOrThrow()
        const written = await trx
          .updateTable('cohorts')
          .set({ ...desired, version: sql`version + 1`, updated_at: new Date() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow()
        changes.record({ action: 'cohort.updated', entityType: 'cohort', entityId: current.id, before: toCohort(before), after: toCohort(written) })
        await fillNewPlaces(changes, before, written)
      }
      return { outcome: 'updated' }
    }
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('cohorts as c')
      .innerJoin('programmes as p', 'p.id', 'c.programme_id')
      .selectAll('c')
      .select(['p.external_id as programme_external_id', 'p.code as programme_code'])
      .orderBy('c.id')
      .limit(limit)
    if (after) q = q.where('c.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        // One way to name the programme, so the row imports back as it is.
        programmeExternalId: r.programme_external_id,
        programmeCode: r.programme_external_id ? null : r.programme_code,
        title: r.title,
        stream: r.stream,
        startsOn: r.starts_on,
        endsOn: r.ends_on,
        venue: r.venue,
        capacity: r.capacity,
        cost: r.cost,
        facilitators: joinList(r.facilitators),
        nominationsCloseOn: r.nominations_close_on,
        status: r.status
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

function columnsOf(row: CohortRowIn, defaults: { title: string; capacity: number; cost: number | null }) {
  return {
    title: defaults.title,
    stream: row.stream ?? null,
    starts_on: row.startsOn,
    ends_on: row.endsOn,
    venue: row.venue ?? null,
    capacity: defaults.capacity,
    cost: defaults.cost,
    facilitators: listCell(row.facilitators),
    nominations_close_on: row.nominationsCloseOn ?? null
  }
}

/**
 * Agenda sessions upserted by externalId, naming their cohort by externalId; a whole row each.
 * Times fall within the cohort's dates; a session stays with its cohort.
 */
export const cohortSessionImport: ImportSpec<SessionRowIn> = {
  resource: 'cohort-sessions',
  operationName: 'CohortSessions',
  tag: 'programmes',
  writeScope: PROGRAMMES_WRITE,
  readScope: PROGRAMMES_READ,
  rowSchema: CohortSessionImportRow,
  columns: ['externalId', 'cohortExternalId', 'startsAt', 'endsAt', 'title', 'purpose', 'method'],
  async upsertBatch(batch, { trx, changes }) {
    const cohortIds = [...new Set(batch.map((b) => b.row.cohortExternalId))]
    const cohorts = new Map(
      (await trx.selectFrom('cohorts').select(['id', 'external_id', 'starts_on', 'ends_on', 'status']).where('external_id', 'in', cohortIds).orderBy('id').forNoKeyUpdate().execute()).map(
        (c) => [c.external_id!, c]
      )
    )
    const existing = new Map(
      (await trx.selectFrom('cohort_sessions').selectAll().where('external_id', 'in', batch.map((b) => b.row.externalId)).forUpdate().execute()).map((s) => [s.external_id!, s])
    )
    const grown = new Set<string>()
    const results: RowResult[] = []
    for (const { row } of batch) {
      const cohort = cohorts.get(row.cohortExternalId)
      if (!cohort) {
        results.push(failed([{ in: 'row', pointer: '/cohortExternalId', detail: `no cohort with externalId ${row.cohortExternalId}` }]))
        continue
      }
      if (cohort.status === 'cancelled') {
        results.push(failed([{ in: 'row', pointer: '/cohortExternalId', detail: 'the cohort is cancelled: its agenda no longer changes' }]))
        continue
      }
      const current = existing.get(row.externalId)
      if (current && current.cohort_id !== cohort.id) {
        results.push(failed([{ in: 'row', pointer: '/cohortExternalId', detail: 'a session cannot move to another cohort' }]))
        continue
      }
      const startsAt = new Date(row.startsAt)
      const endsAt = new Date(row.endsAt)
      const errors = sessionErrors(cohort, startsAt, endsAt, 'row')
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const desired = { starts_at: startsAt, ends_at: endsAt, title: row.title, purpose: row.purpose ?? null, method: row.method ?? null }
      if (!current) {
        const created = await trx.insertInto('cohort_sessions').values({ external_id: row.externalId, cohort_id: cohort.id, ...desired }).returningAll().executeTakeFirstOrThrow()
        changes.record({ action: 'cohort-session.created', entityType: 'cohort-session', entityId: created.id, after: toSession(created) })
        grown.add(cohort.id)
        results.push({ outcome: 'created' })
        continue
      }
      if (sameValues({ ...current, starts_at: new Date(current.starts_at), ends_at: new Date(current.ends_at) }, desired)) {
        results.push({ outcome: 'unchanged' })
        continue
      }
      const written = await trx
        .updateTable('cohort_sessions')
        .set({ ...desired, version: current.version + 1, updated_at: new Date() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      changes.record({ action: 'cohort-session.updated', entityType: 'cohort-session', entityId: current.id, before: toSession(current), after: toSession(written) })
      results.push({ outcome: 'updated' })
    }
    for (const cohortId of grown) await recomputeCohortAttendance(changes, cohortId)
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('cohort_sessions as s')
      .innerJoin('cohorts as c', 'c.id', 's.cohort_id')
      .selectAll('s')
      .select('c.external_id as cohort_external_id')
      .orderBy('s.id')
      .limit(limit)
    if (after) q = q.where('s.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        cohortExternalId: r.cohort_external_id!,
        startsAt: new Date(r.starts_at).toISOString(),
        endsAt: new Date(r.ends_at).toISOString(),
        title: r.title,
        purpose: r.purpose,
        method: r.method
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

