import { sql, type RawBuilder } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { notFound, Problem } from '../../platform/problems.js'
import { COHORT_COST, COHORT_RAN, fraction, inStatuses, PARTICIPATING } from './reports.repository.js'
import type { ProgrammeRollout, RolloutQuery, RolloutYear } from './reports.schemas.js'

type YearStart = 'april' | 'january'
const MAX_YEARS = 50

/** The year a date falls in: calendar, or the UK financial year (April–March) named by the year it starts in. */
export function yearOf(date: string, yearStart: YearStart): number {
  const year = Number(date.slice(0, 4))
  return yearStart === 'april' && Number(date.slice(5, 7)) < 4 ? year - 1 : year
}

/** The same rule in SQL: moving a date back three months puts 1 April on 1 January. */
const yearOfSql = (column: string, yearStart: YearStart): RawBuilder<number> =>
  yearStart === 'april'
    ? sql<number>`extract(year from ${sql.ref(column)} - interval '3 months')::int`
    : sql<number>`extract(year from ${sql.ref(column)})::int`

function yearBounds(year: number, yearStart: YearStart) {
  return yearStart === 'april'
    ? { label: `${year}-${String((year + 1) % 100).padStart(2, '0')}`, startsOn: `${year}-04-01`, endsOn: `${year + 1}-03-31` }
    : { label: String(year), startsOn: `${year}-01-01`, endsOn: `${year}-12-31` }
}

/**
 * Participants, completions, cohorts and cost per year against the targets. The pilot, when the
 * programme has a pilot size, is the year before the rollout starts; the rollout is `target_years`
 * years of `annual_target` from the year `rollout_starts_on` falls in (without it, from the first
 * cohort's year, or the year after when that was the pilot).
 */
export async function programmeRollout(db: Db, programmeId: string, q: Static<typeof RolloutQuery>): Promise<Static<typeof ProgrammeRollout>> {
  const yearStart: YearStart = q.yearStart ?? 'april'
  const programme = await db
    .selectFrom('programmes')
    .select(['id', 'annual_target', 'pilot_size', 'target_years', 'rollout_starts_on'])
    .where('id', '=', programmeId)
    .executeTakeFirst()
  if (!programme) throw notFound('programme', programmeId)

  const cohortYear = yearOfSql('c.starts_on', yearStart)
  const cohortYears = await db
    .selectFrom('cohorts as c')
    .innerJoin('programmes as p', 'p.id', 'c.programme_id')
    .select([
      cohortYear.as('year'),
      sql<number>`count(*) filter (where ${COHORT_RAN})::int`.as('cohorts_run'),
      sql<number>`count(*) filter (where not ${COHORT_RAN} and c.status <> 'cancelled')::int`.as('cohorts_planned'),
      sql<number | null>`sum(${COHORT_COST}) filter (where ${COHORT_RAN} or c.status = 'cancelled')`.as('cost_spent')
    ])
    .where('c.programme_id', '=', programmeId)
    .groupBy(cohortYear)
    .execute()
  const participation = await db
    .selectFrom('enrolments as e')
    .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
    .select([
      cohortYear.as('year'),
      sql<number>`count(distinct e.person_id)::int`.as('participants'),
      sql<number>`count(distinct e.person_id) filter (where e.status = 'completed')::int`.as('completions')
    ])
    .where('c.programme_id', '=', programmeId)
    .where(inStatuses('e.status', PARTICIPATING))
    .groupBy(cohortYear)
    .execute()

  const hasPilot = (programme.pilot_size ?? 0) > 0
  const heldYears = cohortYears.filter((y) => y.cohorts_run + y.cohorts_planned > 0).map((y) => y.year)
  const firstCohortYear = heldYears.length ? Math.min(...heldYears) : null
  const lastCohortYear = heldYears.length ? Math.max(...heldYears) : null
  const firstRolloutYear = programme.rollout_starts_on
    ? yearOf(programme.rollout_starts_on, yearStart)
    : firstCohortYear === null ? null : firstCohortYear + (hasPilot ? 1 : 0)
  const pilotYear = hasPilot && firstRolloutYear !== null ? firstRolloutYear - 1 : null
  const lastRolloutYear = firstRolloutYear !== null && programme.target_years !== null ? firstRolloutYear + programme.target_years - 1 : null
  const rolloutTarget = programme.annual_target !== null && programme.target_years !== null ? programme.annual_target * programme.target_years : null

  const defaultFrom = pilotYear ?? firstRolloutYear ?? firstCohortYear ?? new Date().getUTCFullYear()
  const from = q.from ?? (q.to !== undefined ? Math.min(defaultFrom, q.to) : defaultFrom)
  const to = q.to ?? Math.max(from, lastRolloutYear ?? from, lastCohortYear ?? from)
  if (to < from) throw new Problem(400, 'validation', 'to must not be before from', { errors: [{ in: 'query', pointer: '/to', detail: 'must not be before from' }] })
  if (to - from >= MAX_YEARS) {
    throw new Problem(400, 'validation', `at most ${MAX_YEARS} years at a time`, { errors: [{ in: 'query', pointer: '/to', detail: `must be less than ${MAX_YEARS} years after from` }] })
  }

  // People counted once across the rollout: how many took part for the first time in each year since it started.
  const newcomers =
    firstRolloutYear === null
      ? []
      : await db
          .selectFrom(
            db
              .selectFrom('enrolments as e')
              .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
              .select(['e.person_id', sql<number>`min(${cohortYear})`.as('first_year')])
              .where('c.programme_id', '=', programmeId)
              .where(inStatuses('e.status', PARTICIPATING))
              .where(cohortYear, '>=', firstRolloutYear)
              .groupBy('e.person_id')
              .as('f')
          )
          .select(['f.first_year', sql<number>`count(*)::int`.as('people')])
          .groupBy('f.first_year')
          .execute()

  const cohortsBy = new Map(cohortYears.map((y) => [y.year, y]))
  const participationBy = new Map(participation.map((y) => [y.year, y]))
  const years: Array<Static<typeof RolloutYear>> = []
  for (let year = from; year <= to; year++) {
    const held = cohortsBy.get(year)
    const took = participationBy.get(year)
    const phase =
      year === pilotYear ? 'pilot'
      : firstRolloutYear === null || year < firstRolloutYear ? 'before'
      : lastRolloutYear !== null && year > lastRolloutYear ? 'after'
      : 'rollout'
    const target = phase === 'pilot' ? programme.pilot_size : phase === 'rollout' ? programme.annual_target : null
    const participants = took?.participants ?? 0
    const inRollout = firstRolloutYear !== null && year >= firstRolloutYear
    const cumulativeParticipants = inRollout ? newcomers.filter((n) => n.first_year <= year).reduce((sum, n) => sum + n.people, 0) : null
    const rolloutYearsSoFar = inRollout ? Math.min(year - firstRolloutYear + 1, programme.target_years ?? Infinity) : 0
    years.push({
      year,
      ...yearBounds(year, yearStart),
      phase,
      target,
      participants,
      completions: took?.completions ?? 0,
      againstTarget: target === null ? null : fraction(participants, target),
      cohortsRun: held?.cohorts_run ?? 0,
      cohortsPlanned: held?.cohorts_planned ?? 0,
      costSpent: held?.cost_spent ?? (held && held.cohorts_run > 0 ? null : 0),
      cumulativeParticipants,
      cumulativeTarget: inRollout && programme.annual_target !== null ? programme.annual_target * rolloutYearsSoFar : null,
      cumulativeProgress: cumulativeParticipants === null ? null : fraction(cumulativeParticipants, rolloutTarget)
    })
  }
  return {
    programmeId: programme.id,
    yearStart,
    from,
    to,
    annualTarget: programme.annual_target,
    pilotSize: programme.pilot_size,
    targetYears: programme.target_years,
    rolloutStartsOn: programme.rollout_starts_on,
    pilotYear,
    firstRolloutYear,
    rolloutTarget,
    years
  }
}
