import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { descendantIds } from '../../platform/hierarchy.js'
import { notFound } from '../../platform/problems.js'
import type { DIVERSITY_CHARACTERISTICS, DiversityAggregateQuery, DiversityRecord, DiversityRecordInput } from './schemas.js'
import type { DiversityRecordsTable } from './tables.js'

type DiversityRow = Selectable<DiversityRecordsTable>
export type DiversityView = Static<typeof DiversityRecord>

/** Cells with fewer people than this are withheld from aggregates. */
export const SUPPRESSION_THRESHOLD = 5
/**
 * Shown counts are rounded to the nearest multiple of this, so a withheld cell cannot be
 * recovered exactly by subtracting one aggregate from another (all units minus the shown ones).
 */
export const ROUNDING_BASE = 5

export const DIVERSITY_COLUMNS = {
  ethnicity: 'ethnicity',
  ethnicitySelfDefined: 'ethnicity_self_defined',
  sex: 'sex',
  genderIdentitySameAsBirth: 'gender_identity_same_as_birth',
  disability: 'disability',
  sexualOrientation: 'sexual_orientation',
  religionOrBelief: 'religion_or_belief'
} as const satisfies Record<string, keyof DiversityRecordsTable>

const toView = (r: DiversityRow): DiversityView => ({
  personId: r.person_id,
  ethnicity: r.ethnicity as DiversityView['ethnicity'],
  ethnicitySelfDefined: r.ethnicity_self_defined,
  sex: r.sex as DiversityView['sex'],
  genderIdentitySameAsBirth: r.gender_identity_same_as_birth as DiversityView['genderIdentitySameAsBirth'],
  disability: r.disability as DiversityView['disability'],
  sexualOrientation: r.sexual_orientation as DiversityView['sexualOrientation'],
  religionOrBelief: r.religion_or_belief as DiversityView['religionOrBelief'],
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString()
})

export async function findDiversityRecord(db: Db, personId: string): Promise<DiversityView> {
  const person = await db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()
  if (!person) throw notFound('person', personId)
  const row = await db.selectFrom('diversity_records').selectAll().where('person_id', '=', personId).executeTakeFirst()
  if (!row) throw notFound('diversity record for person', personId)
  return toView(row)
}

/**
 * Replaces the record (a person's answers are a whole). Audit and events name only the person:
 * special category data is not copied into the trail or the feed.
 */
export async function putDiversityRecord(
  changes: ChangeSet,
  personId: string,
  input: Static<typeof DiversityRecordInput>,
  expected?: IfMatch
): Promise<{ view: DiversityView; outcome: 'created' | 'updated' | 'unchanged' }> {
  const person = await changes.trx.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()
  if (!person) throw notFound('person', personId)
  const current = await changes.trx.selectFrom('diversity_records').selectAll().where('person_id', '=', personId).forUpdate().executeTakeFirst()
  if (current) assertCurrentVersion(expected, current.version)
  const values = Object.fromEntries(Object.entries(DIVERSITY_COLUMNS).map(([field, column]) => [column, input[field as keyof typeof input] ?? null]))
  // The same answers again change nothing: no new version, audit record or event.
  if (current && Object.entries(values).every(([column, value]) => current[column as keyof DiversityRow] === value)) {
    return { view: toView(current), outcome: 'unchanged' }
  }
  const row = current
    ? await changes.trx
        .updateTable('diversity_records')
        .set({ ...values, version: current.version + 1, updated_at: new Date() })
        .where('person_id', '=', personId)
        .returningAll()
        .executeTakeFirstOrThrow()
    : await changes.trx
        .insertInto('diversity_records')
        .values({ person_id: personId, ...values })
        .returningAll()
        .executeTakeFirstOrThrow()
  const summary = { personId, version: row.version }
  changes.record({
    action: current ? 'diversity-record.updated' : 'diversity-record.created',
    entityType: 'diversity-record',
    entityId: personId,
    before: current ? { personId, version: current.version } : undefined,
    after: summary,
    event: summary
  })
  return { view: toView(row), outcome: current ? 'updated' : 'created' }
}

export async function deleteDiversityRecord(changes: ChangeSet, personId: string, expected?: IfMatch): Promise<void> {
  const current = await changes.trx.selectFrom('diversity_records').selectAll().where('person_id', '=', personId).forUpdate().executeTakeFirst()
  if (!current) throw notFound('diversity record for person', personId)
  assertCurrentVersion(expected, current.version)
  await changes.trx.deleteFrom('diversity_records').where('person_id', '=', personId).execute()
  changes.record({ action: 'diversity-record.deleted', entityType: 'diversity-record', entityId: personId, before: { personId, version: current.version }, event: { personId } })
}

type Characteristic = (typeof DIVERSITY_CHARACTERISTICS)[number]

/**
 * Counts by answer within each group. A count below the threshold is withheld and the others are
 * rounded to the nearest 5; no group totals are returned. Together these stop a withheld cell
 * being recovered by differencing two aggregates.
 */
export async function aggregateDiversity(db: Db, q: Static<typeof DiversityAggregateQuery>) {
  const groupBy = q.groupBy ?? 'orgUnit'
  const column = sql.ref(`d.${DIVERSITY_COLUMNS[q.characteristic as Characteristic]}`)
  const byUnit = groupBy === 'orgUnit' || groupBy === 'orgUnitAndGrade'
  const byGrade = groupBy === 'grade' || groupBy === 'orgUnitAndGrade'
  let query = db
    .selectFrom('people as p')
    .leftJoin('diversity_records as d', 'd.person_id', 'p.id')
    .select([sql<string | null>`${column}`.as('value'), sql<number>`count(*)::int`.as('count')])
  if (byUnit) query = query.select('p.org_unit_id').groupBy('p.org_unit_id')
  if (byGrade) query = query.select('p.grade_id').groupBy('p.grade_id')
  query = query.groupBy(sql`${column}`)
  if (q.status) query = query.where('p.status', '=', q.status)
  if (q.orgUnitId) {
    const unitId = q.orgUnitId
    query = query.where((eb) =>
      eb.or([eb('p.org_unit_id', '=', unitId), eb('p.org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, unitId) as never)])
    )
  }
  const rows = (await query.execute()) as Array<{ value: string | null; count: number; org_unit_id?: string | null; grade_id?: string | null }>
  const cells = rows
    .map((r) => {
      const suppressed = r.count < SUPPRESSION_THRESHOLD
      return {
        ...(byUnit ? { orgUnitId: r.org_unit_id ?? null } : {}),
        ...(byGrade ? { gradeId: r.grade_id ?? null } : {}),
        value: r.value,
        count: suppressed ? null : Math.round(r.count / ROUNDING_BASE) * ROUNDING_BASE,
        suppressed
      }
    })
    .sort((a, b) => `${a.orgUnitId ?? ''}${a.gradeId ?? ''}${a.value ?? ''}`.localeCompare(`${b.orgUnitId ?? ''}${b.gradeId ?? ''}${b.value ?? ''}`))
  return { characteristic: q.characteristic, groupBy, threshold: SUPPRESSION_THRESHOLD, roundedTo: ROUNDING_BASE, cells }
}
