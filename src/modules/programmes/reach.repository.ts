import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { notFound } from '../../platform/problems.js'
import { ROUNDING_BASE, SUPPRESSION_THRESHOLD } from '../people/diversity.repository.js'
import { fraction, inStatuses, PARTICIPATING } from './reports.repository.js'
import type { ProgrammeReach } from './reports.schemas.js'
import type { TargetGroup } from './tables.js'
import { TARGET_GROUPS, targetGroupCondition } from './target-groups.js'

type GroupCounts = { size: number } & Record<TargetGroup, number>

/** Below the threshold a count is withheld; above it, it is shown rounded to the nearest 5. */
function disclose(count: number): { count: number | null; suppressed: boolean } {
  const suppressed = count < SUPPRESSION_THRESHOLD
  return { count: suppressed ? null : Math.round(count / ROUNDING_BASE) * ROUNDING_BASE, suppressed }
}

const peopleWithRecords = (db: Db) =>
  db.selectFrom('people as p').leftJoin('grades as g', 'g.id', 'p.grade_id').leftJoin('diversity_records as d', 'd.person_id', 'p.id')

/** How many people of a population there are, and how many of them are in each target group. */
async function countByTargetGroup(population: ReturnType<typeof peopleWithRecords>): Promise<GroupCounts> {
  const counts = await population
    .select(sql<number>`count(*)::int`.as('size'))
    .select(TARGET_GROUPS.map((g) => sql<number>`count(*) filter (where ${targetGroupCondition(g, 'd')})::int`.as(g)))
    .executeTakeFirstOrThrow()
  return counts as unknown as GroupCounts
}

/**
 * Reach of a programme into each target group, for three populations: participants (attended or
 * completed any cohort), nominated (any enrolment, whatever became of it) and eligible (active
 * people the programme's grade range and staff types admit, the rule of `ineligibilityReasons`).
 *
 * What is disclosed, and why nothing withheld can be worked out from it:
 * - every count, population sizes included, is withheld under 5 and otherwise rounded to the
 *   nearest 5, so subtracting one shown figure from another (eligible minus participants, nominated
 *   minus participants, a population minus a group) is uncertain by up to ±4 and never pins down a
 *   small cell;
 * - shares are computed from the rounded counts, never the exact ones, so share × size gives back
 *   only the rounded count; a withheld count has no share;
 * - there is no "not in the group" or "not known" cell, and no total across groups (the groups
 *   overlap and are not a partition), so no cell is the remainder of others.
 * The exact number of participants is in the programme report (not special category data); with it,
 * size minus a rounded group count is still uncertain by ±2, and says nothing about anyone in a
 * withheld group.
 */
export async function programmeReach(db: Db, programmeId: string): Promise<Static<typeof ProgrammeReach>> {
  const programme = await db
    .selectFrom('programmes')
    .select(['id', 'target_groups', 'eligible_level_min', 'eligible_level_max', 'eligible_staff_types'])
    .where('id', '=', programmeId)
    .executeTakeFirst()
  if (!programme) throw notFound('programme', programmeId)

  const enrolled = (participatingOnly: boolean) =>
    db
      .selectFrom('enrolments as e')
      .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
      .select('e.person_id')
      .where('c.programme_id', '=', programmeId)
      .$if(participatingOnly, (qb) => qb.where(inStatuses('e.status', PARTICIPATING)))

  const { eligible_level_min: min, eligible_level_max: max, eligible_staff_types: staffTypes } = programme
  const participants = await countByTargetGroup(peopleWithRecords(db).where('p.id', 'in', enrolled(true)))
  const nominated = await countByTargetGroup(peopleWithRecords(db).where('p.id', 'in', enrolled(false)))
  // A grade range leaves out people with no grade: their level compares as null.
  const eligible = await countByTargetGroup(
    peopleWithRecords(db)
      .where('p.status', '=', 'active')
      .$if(min !== null, (qb) => qb.where('g.level', '>=', min!))
      .$if(max !== null, (qb) => qb.where('g.level', '<=', max!))
      .$if(staffTypes.length > 0, (qb) => qb.where('p.staff_type', 'in', staffTypes))
  )

  const sizes = { participants: disclose(participants.size), nominated: disclose(nominated.size), eligible: disclose(eligible.size) }
  const cell = (counts: GroupCounts, group: TargetGroup, size: { count: number | null }) => {
    const shown = disclose(counts[group])
    return { ...shown, share: shown.count === null || size.count === null ? null : fraction(shown.count, size.count) }
  }
  return {
    programmeId: programme.id,
    threshold: SUPPRESSION_THRESHOLD,
    roundedTo: ROUNDING_BASE,
    populations: sizes,
    groups: TARGET_GROUPS.map((group) => {
      const participantsCell = cell(participants, group, sizes.participants)
      const eligibleCell = cell(eligible, group, sizes.eligible)
      return {
        group,
        targeted: programme.target_groups.includes(group),
        participants: participantsCell,
        nominated: cell(nominated, group, sizes.nominated),
        eligible: eligibleCell,
        shareDifference:
          participantsCell.share === null || eligibleCell.share === null ? null : Math.round((participantsCell.share - eligibleCell.share) * 10_000) / 10_000
      }
    })
  }
}
