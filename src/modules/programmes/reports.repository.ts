import { sql, type RawBuilder } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { notFound } from '../../platform/problems.js'
import { ENROLMENT_STATUSES, type CohortReport, type EvaluationSummary, type ProgrammeReport, type ProgrammeReportCohort } from './reports.schemas.js'
import type { EnrolmentStatus } from './tables.js'

/** Enrolments holding a place on a cohort: the numerator of fill and the denominator of completion. */
export const PLACE_HOLDING: EnrolmentStatus[] = ['selected', 'attended', 'no_show', 'completed']
/** Enrolments whose person took part: the participants. */
export const PARTICIPATING: EnrolmentStatus[] = ['attended', 'completed']
export const inStatuses = (column: string, statuses: EnrolmentStatus[]) => sql<boolean>`${sql.ref(column)} in (${sql.join(statuses.map((s) => sql.lit(s)))})`

/**
 * A cohort (alias c, with its programme as p) has run when it is running or completed, or anyone
 * attended it, whatever its status says; a cancelled cohort never has.
 */
export const COHORT_RAN = sql<boolean>`(c.status <> 'cancelled' and (c.status in ('running', 'completed')
  or exists (select 1 from enrolments r where r.cohort_id = c.id and ${inStatuses('r.status', PARTICIPATING)})))`
/**
 * Its own cost if recorded, else the programme's cost per event. A cancelled cohort is not assumed
 * to have cost an event: only a cost recorded on it (a cancellation charge) counts.
 */
export const COHORT_COST = sql<number | null>`case when c.cost is not null then c.cost when c.status <> 'cancelled' then p.cost_per_event end`
const COHORT_COST_SOURCE = sql<'cohort' | 'programme' | null>`case when c.cost is not null then 'cohort'
  when c.status <> 'cancelled' and p.cost_per_event is not null then 'programme' end`

const rounded = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals
/** n / d as a fraction to 4 decimals, or null when there is nothing to divide by. */
export const fraction = (n: number, d: number | null) => (d ? rounded(n / d, 4) : null)
const perHead = (cost: number | null, heads: number) => (cost === null || heads === 0 ? null : rounded(cost / heads, 2))

/** Every report reads one snapshot, so its figures agree with each other under concurrent changes. */
export function readSnapshot<T>(db: Db, read: (db: Db) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read)
}

// ---- Enrolments and evaluations -----------------------------------------------------------------

/** What a report covers: one cohort, or every cohort of a programme. */
type CohortScope = { cohortId: string } | { programmeId: string }
const cohortsOfProgramme = (db: Db, programmeId: string) => db.selectFrom('cohorts').select('id').where('programme_id', '=', programmeId)

type StatusCounts = Record<EnrolmentStatus, number>
interface EnrolmentCounts extends StatusCounts {
  attendance_full: number
  attendance_partial: number
  attendance_none: number
}
const ZERO_COUNTS = Object.fromEntries(
  [...ENROLMENT_STATUSES, 'attendance_full', 'attendance_partial', 'attendance_none'].map((k) => [k, 0])
) as unknown as EnrolmentCounts

/** Enrolments of each cohort by status and, for participants, by recorded attendance. */
async function enrolmentCountsByCohort(db: Db, scope: CohortScope): Promise<Map<string, EnrolmentCounts>> {
  const attendance = (level: string) => sql<number>`count(*) filter (where ${inStatuses('e.status', PARTICIPATING)} and e.attendance = ${sql.lit(level)})::int`
  const rows = await db
    .selectFrom('enrolments as e')
    .select('e.cohort_id')
    .select(ENROLMENT_STATUSES.map((s) => sql<number>`count(*) filter (where e.status = ${sql.lit(s)})::int`.as(s)))
    .select([attendance('full').as('attendance_full'), attendance('partial').as('attendance_partial'), attendance('none').as('attendance_none')])
    .where((eb) => ('cohortId' in scope ? eb('e.cohort_id', '=', scope.cohortId) : eb('e.cohort_id', 'in', cohortsOfProgramme(db, scope.programmeId))))
    .groupBy('e.cohort_id')
    .execute()
  return new Map(rows.map((r) => [r.cohort_id, r as unknown as EnrolmentCounts]))
}

const QUESTION_COLUMNS = { relevance: 'relevance', trainer: 'trainer', length: 'length', confidenceToApply: 'confidence_to_apply' } as const
type Question = keyof typeof QUESTION_COLUMNS
const SCORES = [1, 2, 3, 4, 5] as const

/** Means (2 decimals) and the count of each score per question; comments are never read. */
async function evaluationSummary(db: Db, scope: CohortScope): Promise<Static<typeof EvaluationSummary>> {
  const selections: RawBuilder<number | null>[] = [sql<number>`count(*)::int`]
  const aliases = ['count']
  for (const [question, column] of Object.entries(QUESTION_COLUMNS)) {
    selections.push(sql<number | null>`round(avg(${sql.ref(`v.${column}`)}), 2)`)
    aliases.push(`${question}_mean`)
    for (const score of SCORES) {
      selections.push(sql<number>`count(*) filter (where ${sql.ref(`v.${column}`)} = ${sql.lit(score)})::int`)
      aliases.push(`${question}_${score}`)
    }
  }
  const row = (await db
    .selectFrom('evaluations as v')
    .select(selections.map((s, i) => s.as(aliases[i])))
    .where((eb) => ('cohortId' in scope ? eb('v.cohort_id', '=', scope.cohortId) : eb('v.cohort_id', 'in', cohortsOfProgramme(db, scope.programmeId))))
    .executeTakeFirstOrThrow()) as Record<string, number | null>
  const questions = Object.keys(QUESTION_COLUMNS) as Question[]
  return {
    count: row.count ?? 0,
    means: Object.fromEntries(questions.map((q) => [q, row[`${q}_mean`]])) as Record<Question, number | null>,
    distribution: Object.fromEntries(
      questions.map((q) => [q, Object.fromEntries(SCORES.map((s) => [s, row[`${q}_${s}`] ?? 0]))])
    ) as Static<typeof EvaluationSummary>['distribution']
  }
}

/** The figures cohort and programme reports share, from enrolment counts and places offered. */
function deliveryFigures(counts: EnrolmentCounts, capacity: number, fillApplies: boolean) {
  const placesTaken = PLACE_HOLDING.reduce((sum, s) => sum + counts[s], 0)
  const participants = PARTICIPATING.reduce((sum, s) => sum + counts[s], 0)
  return {
    capacity,
    enrolments: Object.fromEntries(ENROLMENT_STATUSES.map((s) => [s, counts[s]])) as StatusCounts,
    placesTaken,
    fillRate: fillApplies ? fraction(placesTaken, capacity) : null,
    waitlist: counts.waitlisted,
    participants,
    completions: counts.completed,
    completionRate: fraction(counts.completed, placesTaken),
    noShows: counts.no_show,
    attendance: { full: counts.attendance_full, partial: counts.attendance_partial, none: counts.attendance_none }
  }
}

function selectCohorts(db: Db) {
  return db
    .selectFrom('cohorts as c')
    .innerJoin('programmes as p', 'p.id', 'c.programme_id')
    .select(['c.id', 'c.programme_id', 'c.title', 'c.stream', 'c.status', 'c.starts_on', 'c.ends_on', 'c.capacity'])
    .select([COHORT_RAN.as('ran'), COHORT_COST.as('cost'), COHORT_COST_SOURCE.as('cost_source')])
}

// ---- Cohort and programme reports ---------------------------------------------------------------

export async function cohortReport(db: Db, cohortId: string): Promise<Static<typeof CohortReport>> {
  const cohort = await selectCohorts(db).where('c.id', '=', cohortId).executeTakeFirst()
  if (!cohort) throw notFound('cohort', cohortId)
  const counts = (await enrolmentCountsByCohort(db, { cohortId })).get(cohortId) ?? ZERO_COUNTS
  const figures = deliveryFigures(counts, cohort.capacity, cohort.status !== 'cancelled')
  return {
    cohortId: cohort.id,
    programmeId: cohort.programme_id,
    title: cohort.title,
    status: cohort.status,
    startsOn: cohort.starts_on,
    endsOn: cohort.ends_on,
    ...figures,
    evaluations: await evaluationSummary(db, { cohortId }),
    cost: cohort.cost,
    costSource: cohort.cost_source,
    costPerParticipant: perHead(cohort.cost, figures.participants),
    costPerCompletion: perHead(cohort.cost, figures.completions)
  }
}

export async function programmeReport(db: Db, programmeId: string): Promise<Static<typeof ProgrammeReport>> {
  const programme = await db
    .selectFrom('programmes')
    .select(['id', 'code', 'title', 'cost_per_person'])
    .where('id', '=', programmeId)
    .executeTakeFirst()
  if (!programme) throw notFound('programme', programmeId)
  const cohorts = await selectCohorts(db).where('c.programme_id', '=', programmeId).orderBy('c.starts_on').orderBy('c.id').execute()
  const countsByCohort = await enrolmentCountsByCohort(db, { programmeId })
  const evaluationCounts = new Map(
    (
      await db
        .selectFrom('evaluations as v')
        .select(['v.cohort_id', sql<number>`count(*)::int`.as('count')])
        .where('v.cohort_id', 'in', cohortsOfProgramme(db, programmeId))
        .groupBy('v.cohort_id')
        .execute()
    ).map((r) => [r.cohort_id, r.count])
  )
  const { distinctParticipants } = await db
    .selectFrom('enrolments as e')
    .select(sql<number>`count(distinct e.person_id)::int`.as('distinctParticipants'))
    .where('e.cohort_id', 'in', cohortsOfProgramme(db, programmeId))
    .where(inStatuses('e.status', PARTICIPATING))
    .executeTakeFirstOrThrow()

  // Totals add up the per-cohort aggregates: one pass over the programme's cohorts, not its enrolments.
  // Capacity and places taken leave cancelled cohorts out; every other count covers all cohorts.
  const totals = { ...ZERO_COUNTS }
  let capacity = 0
  let placesTaken = 0
  let spent: number | null = null
  let planned: number | null = null
  const rows: Array<Static<typeof ProgrammeReportCohort>> = []
  for (const c of cohorts) {
    const counts = countsByCohort.get(c.id) ?? ZERO_COUNTS
    for (const key of Object.keys(totals) as Array<keyof EnrolmentCounts>) totals[key] += counts[key]
    const f = deliveryFigures(counts, c.capacity, c.status !== 'cancelled')
    if (c.status !== 'cancelled') {
      capacity += c.capacity
      placesTaken += f.placesTaken
    }
    if (c.cost !== null && (c.ran || c.status === 'cancelled')) spent = (spent ?? 0) + c.cost
    if (c.cost !== null && !c.ran && c.status !== 'cancelled') planned = (planned ?? 0) + c.cost
    rows.push({
      cohortId: c.id,
      title: c.title,
      stream: c.stream,
      status: c.status,
      startsOn: c.starts_on,
      capacity: c.capacity,
      placesTaken: f.placesTaken,
      fillRate: f.fillRate,
      waitlist: f.waitlist,
      participants: f.participants,
      completions: f.completions,
      completionRate: f.completionRate,
      noShows: f.noShows,
      evaluationCount: evaluationCounts.get(c.id) ?? 0,
      ran: c.ran,
      cost: c.cost,
      costPerParticipant: perHead(c.cost, f.participants),
      costPerCompletion: perHead(c.cost, f.completions)
    })
  }
  const figures = deliveryFigures(totals, capacity, true)
  const perParticipant = perHead(spent, figures.participants)
  return {
    programmeId: programme.id,
    code: programme.code,
    title: programme.title,
    cohortCounts: {
      total: cohorts.length,
      ran: cohorts.filter((c) => c.ran).length,
      planned: cohorts.filter((c) => !c.ran && c.status !== 'cancelled').length,
      cancelled: cohorts.filter((c) => c.status === 'cancelled').length
    },
    ...figures,
    placesTaken,
    fillRate: fraction(placesTaken, capacity),
    evaluations: await evaluationSummary(db, { programmeId }),
    distinctParticipants,
    cost: {
      spent: spent === null ? null : rounded(spent, 2),
      planned: planned === null ? null : rounded(planned, 2),
      perParticipant,
      perCompletion: perHead(spent, figures.completions),
      perPersonTarget: programme.cost_per_person,
      perPersonVariance: perParticipant !== null && programme.cost_per_person !== null ? rounded(perParticipant - programme.cost_per_person, 2) : null
    },
    cohorts: rows
  }
}
