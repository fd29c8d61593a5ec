import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { DeferredReferences, type Pointed } from '../../platform/bulk/deferred-references.js'
import { externalIdIn, failed, idsByExternalId, sameValues } from '../../platform/bulk/rows.js'
import type { ImportContext, ImportRow, ImportSpec, RowFailure, RowResult } from '../../platform/bulk/spec.js'
import type { FieldError } from '../../platform/problems.js'
import { toGrade } from './grades.repository.js'
import { toOrgUnit } from './org-units.repository.js'
import { toPerson } from './people.repository.js'
import { GradeImportRow, OrgUnitImportRow, PersonImportRow } from './schemas.js'
import { PEOPLE_READ, PEOPLE_WRITE } from './scopes.js'
import type { OrgUnitKind, StaffType } from './tables.js'

const missingRef = (pointer: string, what: string, value: string): FieldError => ({ in: 'row', pointer, detail: `no ${what} with externalId ${value}` })

// ---- Grades --------------------------------------------------------------------------------------

type GradeRowIn = Static<typeof GradeImportRow>

export const gradeImport: ImportSpec<GradeRowIn> = {
  resource: 'grades',
  operationName: 'Grades',
  tag: 'people',
  writeScope: PEOPLE_WRITE,
  readScope: PEOPLE_READ,
  rowSchema: GradeImportRow,
  columns: ['externalId', 'code', 'name', 'staffType', 'level'],
  async upsertBatch(batch, { trx, changes }) {
    const existing = new Map(
      (await trx.selectFrom('grades').selectAll().where('external_id', 'in', batch.map((b) => b.row.externalId)).execute()).map((r) => [r.external_id!, r])
    )
    const results: RowResult[] = []
    for (const { row } of batch) {
      const desired = { code: row.code, name: row.name, staff_type: row.staffType as StaffType, level: row.level }
      const current = existing.get(row.externalId)
      if (current && sameValues(current, desired)) {
        results.push({ outcome: 'unchanged' })
      } else if (current) {
        const updated = await trx.updateTable('grades').set({ ...desired, version: current.version + 1, updated_at: new Date() }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow()
        changes.record({ action: 'grade.updated', entityType: 'grade', entityId: current.id, before: toGrade(current), after: toGrade(updated) })
        results.push({ outcome: 'updated' })
      } else {
        const created = await trx.insertInto('grades').values({ external_id: row.externalId, ...desired }).returningAll().executeTakeFirstOrThrow()
        changes.record({ action: 'grade.created', entityType: 'grade', entityId: created.id, after: toGrade(created) })
        results.push({ outcome: 'created' })
      }
    }
    return results
  },
  async exportPage(db, after, limit) {
    let q = db.selectFrom('grades').selectAll().orderBy('id').limit(limit)
    if (after) q = q.where('id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({ externalId: r.external_id!, code: r.code, name: r.name, staffType: r.staff_type, level: r.level })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

// ---- Org units and people: rows that point at other rows of the same file -----------------------------

/**
 * The shared shape of an import whose rows point at rows of the same kind (a unit's parent, a
 * person's line manager): resolve what exists, reserve an id for what comes later in the file
 * (see DeferredReferences), then refuse pointers nobody took and look for loops once every row is in.
 */
interface SelfReferencingImport<Row, Current> {
  entity: string
  deferred: DeferredReferences
  table: 'org_units' | 'people'
  column: 'parent_id' | 'line_manager_id'
  targetOf(row: Row): string | null | undefined
  /** Resolves the row's other references and returns the column values, or the row's errors. */
  valuesOf(row: Row, context: ImportContext, batch: ImportRow<Row>[]): Promise<Record<string, unknown> | FieldError[]>
  view(row: Current): unknown
}

async function upsertSelfReferencing<Row extends { externalId: string }, Current extends { id: string; external_id: string | null; version: number }>(
  spec: SelfReferencingImport<Row, Current>,
  batch: ImportRow<Row>[],
  context: ImportContext
): Promise<RowResult[]> {
  const { trx, changes } = context
  // The batch's rows and the rows they point at, in one read.
  const named = batch.map((b) => spec.targetOf(b.row)).filter((t): t is string => !!t)
  const found = (await trx.selectFrom(spec.table).selectAll().where(externalIdIn([...new Set([...batch.map((b) => b.row.externalId), ...named])])).execute()) as unknown as Current[]
  const targets = new Map(found.map((r) => [r.external_id!, r.id]))
  const inBatch = new Set(batch.map((b) => b.row.externalId))
  const existing = new Map(found.filter((r) => inBatch.has(r.external_id!)).map((r) => [r.external_id!, r]))
  // Targets not written yet (later in the file, or never): their ids are reserved now. New rows
  // of this batch take the id reserved for them, if an earlier row named them.
  const unresolved = [...new Set(named.filter((t) => !targets.has(t)))]
  const reserved = await spec.deferred.reserve(context, unresolved, batch.filter((b) => !existing.has(b.row.externalId)).map((b) => b.row.externalId))
  const results: RowResult[] = []
  const pointed: Pointed[] = []
  const pointer = spec.column === 'parent_id' ? '/parentExternalId' : '/lineManagerExternalId'

  const written = (line: number, current: (Current & Record<string, unknown>) | undefined, row: Current) => {
    const outcome = current ? 'updated' : 'created'
    const target = ((row as Record<string, unknown>)[spec.column] as string | null) ?? null
    if (!current || current[spec.column] !== target) pointed.push({ line, id: row.id, outcome, target })
    changes.record({
      action: `${spec.entity}.${outcome}`,
      entityType: spec.entity,
      entityId: row.id,
      before: current ? spec.view(current) : undefined,
      after: spec.view(row)
    })
  }
  // New rows are inserted together after the loop: one statement per batch, not one per row.
  const inserts: Array<{ line: number; externalId: string; values: Record<string, unknown> }> = []

  for (const item of batch) {
    const { row, line } = item
    const values = await spec.valuesOf(row, context, batch)
    if (Array.isArray(values)) {
      results.push(failed(values))
      continue
    }
    const target = spec.targetOf(row) ?? null
    if (target === row.externalId) {
      results.push(failed([{ in: 'row', pointer, detail: 'a row cannot point at itself' }]))
      continue
    }
    const desired = { ...values, [spec.column]: target ? (targets.get(target) ?? reserved.get(target)!) : null }
    const current = existing.get(row.externalId) as (Current & Record<string, unknown>) | undefined
    if (current && sameValues(current, desired)) {
      results.push({ outcome: 'unchanged' })
      continue
    }
    if (!current) {
      const id = reserved.get(row.externalId)
      inserts.push({ line, externalId: row.externalId, values: { ...(id ? { id } : {}), external_id: row.externalId, ...desired } })
      results.push({ outcome: 'created' })
      continue
    }
    const updated = (await trx
      .updateTable(spec.table)
      .set({ ...desired, version: current.version + 1, updated_at: new Date() } as never)
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow()) as unknown as Current
    results.push({ outcome: 'updated' })
    written(line, current, updated)
  }
  if (inserts.length) {
    // The rows as one JSON parameter, typed by the table's own row type: a parameter per value
    // (thirteen per person) cost more to build and bind than the rows themselves.
    const columns = [...new Set(inserts.flatMap((i) => Object.keys(i.values)))].filter((c) => c !== 'id')
    const { rows } = (await sql`
      insert into ${sql.table(spec.table)} (id, ${sql.join(columns.map((c) => sql.ref(c)))})
      select coalesce(r.id, gen_random_uuid()), ${sql.join(columns.map((c) => sql.ref(`r.${c}`)))}
      from jsonb_populate_recordset(null::${sql.table(spec.table)}, ${JSON.stringify(inserts.map((i) => i.values))}::jsonb) r
      returning *`.execute(trx)) as unknown as { rows: Current[] }
    // Matched by externalId (unique within a batch), not by the order RETURNING happens to use.
    const byExternalId = new Map(rows.map((r) => [r.external_id!, r]))
    for (const i of inserts) written(i.line, undefined, byExternalId.get(i.externalId)!)
  }
  await spec.deferred.pointed(context, pointed)
  return results
}

async function finishSelfReferencing<Row, Current extends { id: string }>(spec: SelfReferencingImport<Row, Current>, context: ImportContext): Promise<RowFailure[]> {
  const pointer = spec.column === 'parent_id' ? '/parentExternalId' : '/lineManagerExternalId'
  const what = spec.column === 'parent_id' ? 'org unit' : 'person'
  const failures: RowFailure[] = (await spec.deferred.missing(context)).map((m) => ({ line: m.line, counted: m.outcome, errors: [missingRef(pointer, what, m.target)] }))
  const loopDetail = spec.column === 'parent_id' ? 'the unit would sit below itself' : 'the line manager chain loops back to this person'
  for (const loop of await spec.deferred.loops(context)) failures.push({ line: loop.line, counted: loop.outcome, errors: [{ in: 'row', pointer, detail: loopDetail }] })
  return failures
}

type OrgUnitRowIn = Static<typeof OrgUnitImportRow>

const orgUnitImportSpec: SelfReferencingImport<OrgUnitRowIn, Parameters<typeof toOrgUnit>[0]> = {
  entity: 'org-unit',
  deferred: new DeferredReferences({ table: 'org_units', column: 'parent_id' }),
  table: 'org_units',
  column: 'parent_id',
  targetOf: (row) => row.parentExternalId,
  async valuesOf(row) {
    return { name: row.name, kind: row.kind as OrgUnitKind, status: row.status ?? 'active' }
  },
  view: toOrgUnit
}

export const orgUnitImport: ImportSpec<OrgUnitRowIn> = {
  resource: 'org-units',
  operationName: 'OrgUnits',
  tag: 'people',
  writeScope: PEOPLE_WRITE,
  readScope: PEOPLE_READ,
  rowSchema: OrgUnitImportRow,
  columns: ['externalId', 'name', 'kind', 'parentExternalId', 'status'],
  prepare: (context) => orgUnitImportSpec.deferred.prepare(context),
  upsertBatch: (batch, context) => upsertSelfReferencing(orgUnitImportSpec, batch, context),
  finish: (context) => finishSelfReferencing(orgUnitImportSpec, context),
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('org_units as u')
      .leftJoin('org_units as parent', 'parent.id', 'u.parent_id')
      .select(['u.id', 'u.external_id', 'u.name', 'u.kind', 'u.status', 'parent.external_id as parent_external_id'])
      .orderBy('u.id')
      .limit(limit)
    if (after) q = q.where('u.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({ externalId: r.external_id!, name: r.name, kind: r.kind, parentExternalId: r.parent_external_id, status: r.status })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

type PersonRowIn = Static<typeof PersonImportRow>

interface GradeLookup {
  byExternalId: Map<string, string>
  byCode: Map<string, string>
}

async function gradeLookup(context: ImportContext): Promise<GradeLookup> {
  let lookup = context.scratch.get('grades') as GradeLookup | undefined
  if (!lookup) {
    // Grades are few (dozens); one read per import.
    const grades = await context.trx.selectFrom('grades').select(['id', 'external_id', 'code']).execute()
    lookup = {
      byExternalId: new Map(grades.filter((g) => g.external_id).map((g) => [g.external_id!, g.id])),
      byCode: new Map(grades.map((g) => [g.code, g.id]))
    }
    context.scratch.set('grades', lookup)
  }
  return lookup
}

const personImportSpec: SelfReferencingImport<PersonRowIn, Parameters<typeof toPerson>[0]> = {
  entity: 'person',
  deferred: new DeferredReferences({ table: 'people', column: 'line_manager_id' }),
  table: 'people',
  column: 'line_manager_id',
  targetOf: (row) => row.lineManagerExternalId,
  async valuesOf(row, context, batch) {
    const grades = await gradeLookup(context)
    let units = context.scratch.get('batchUnits') as { batch: unknown; ids: Map<string, string> } | undefined
    if (!units || units.batch !== batch) {
      units = { batch, ids: await idsByExternalId(context.trx, 'org_units', batch.map((b) => b.row.orgUnitExternalId)) }
      context.scratch.set('batchUnits', units)
    }
    const errors: FieldError[] = []
    let gradeId: string | null = null
    if (row.gradeExternalId) {
      gradeId = grades.byExternalId.get(row.gradeExternalId) ?? null
      if (!gradeId) errors.push(missingRef('/gradeExternalId', 'grade', row.gradeExternalId))
    } else if (row.gradeCode) {
      gradeId = grades.byCode.get(row.gradeCode) ?? null
      if (!gradeId) errors.push({ in: 'row', pointer: '/gradeCode', detail: `no grade with code ${row.gradeCode}` })
    }
    let orgUnitId: string | null = null
    if (row.orgUnitExternalId) {
      orgUnitId = units.ids.get(row.orgUnitExternalId) ?? null
      if (!orgUnitId) errors.push(missingRef('/orgUnitExternalId', 'org unit', row.orgUnitExternalId))
    }
    if (errors.length) return errors
    return {
      given_name: row.givenName,
      family_name: row.familyName,
      preferred_name: row.preferredName ?? null,
      email: row.email ?? null,
      staff_type: row.staffType as StaffType,
      grade_id: gradeId,
      org_unit_id: orgUnitId,
      status: row.status ?? 'active',
      start_date: row.startDate ?? null,
      leaving_date: row.leavingDate ?? null
    }
  },
  view: toPerson
}

export const personImport: ImportSpec<PersonRowIn> = {
  resource: 'people',
  operationName: 'People',
  tag: 'people',
  writeScope: PEOPLE_WRITE,
  readScope: PEOPLE_READ,
  rowSchema: PersonImportRow,
  columns: [
    'externalId', 'givenName', 'familyName', 'preferredName', 'email', 'staffType', 'gradeExternalId', 'gradeCode',
    'orgUnitExternalId', 'lineManagerExternalId', 'status', 'startDate', 'leavingDate'
  ],
  prepare: (context) => personImportSpec.deferred.prepare(context),
  upsertBatch: (batch, context) => upsertSelfReferencing(personImportSpec, batch, context),
  finish: (context) => finishSelfReferencing(personImportSpec, context),
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('people as p')
      .leftJoin('grades as g', 'g.id', 'p.grade_id')
      .leftJoin('org_units as u', 'u.id', 'p.org_unit_id')
      .leftJoin('people as m', 'm.id', 'p.line_manager_id')
      .select([
        'p.id', 'p.external_id', 'p.given_name', 'p.family_name', 'p.preferred_name', 'p.email', 'p.staff_type', 'p.status',
        'p.start_date', 'p.leaving_date', 'g.external_id as grade_external_id', 'g.code as grade_code',
        'u.external_id as org_unit_external_id', 'm.external_id as line_manager_external_id'
      ])
      .orderBy('p.id')
      .limit(limit)
    if (after) q = q.where('p.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        givenName: r.given_name,
        familyName: r.family_name,
        preferredName: r.preferred_name,
        email: r.email,
        staffType: r.staff_type,
        // One way to name the grade, so the row imports back as it is.
        gradeExternalId: r.grade_external_id,
        gradeCode: r.grade_external_id ? null : r.grade_code,
        orgUnitExternalId: r.org_unit_external_id,
        lineManagerExternalId: r.line_manager_external_id,
        status: r.status,
        startDate: r.start_date,
        leavingDate: r.leaving_date
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}
