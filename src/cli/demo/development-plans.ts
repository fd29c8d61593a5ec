/**
 * The development plans demo (seed 000: delegates draft plans after their feedback and agree them
 * with their line manager; seed 001: the PDR picks options from a menu, the promotability
 * programme works on the gaps found). Runs after the programmes and the 360° demo:
 *
 * - a promotability template, applied to every run of the Promotability Programme for managers
 *   (one plan per participant, its workshops following the participant's enrolment);
 * - a plan for each subject of a released 360° report (when the feedback demo has made them),
 *   with objectives from the report's largest gaps and an activity for the best-suggested
 *   programme, enrolling them on an open cohort where the programmes module's rules allow;
 * - personal plans for a sample of staff, from the menu of options, in every status: draft,
 *   submitted, returned, agreed (with progress), completed, reopened and lapsed.
 *
 * Everything goes through the module's own services, acting as the owner, their line manager or
 * HR. A person who already has the plan is skipped, so a second run changes nothing.
 */
import type { Db } from '../../db/database.js'
import type { Principal } from '../../platform/auth/tokens.js'
import { inTransaction, type Actor } from '../../platform/changes.js'
import { Problem } from '../../platform/problems.js'
import { planCallerOf, type PlanCaller } from '../../modules/development-plans/access.js'
import { createActivity, enrolActivity, updateActivity } from '../../modules/development-plans/activities.service.js'
import { createGapObjectives } from '../../modules/development-plans/gap-objectives.service.js'
import { addProgressNote, createObjective } from '../../modules/development-plans/objectives.service.js'
import { planView } from '../../modules/development-plans/plans.repository.js'
import { createPlan, transitionPlan } from '../../modules/development-plans/plans.service.js'
import { ineligibilityReasons } from '../../modules/programmes/eligibility.js'
import { suggestionsFor } from '../../modules/development-plans/suggestions.service.js'
import { applyTemplate } from '../../modules/development-plans/templates.apply.js'
import { createTemplate } from '../../modules/development-plans/templates.repository.js'
import type { DemoStep } from '../seed-demo.js'
import { createRandom, type Random } from './random.js'

const CURRENT = '2009/10'
const PREVIOUS = '2008/09'
const TEMPLATE_CODE = 'PDR-PROMO-MGR'

const principal = (subject: string, scopes: string[], personId: string | null): Principal => ({ subject, clientId: null, scopes: new Set(scopes), personId, clientGeneration: null })
const asPerson = (id: string) => planCallerOf(principal(`person:${id}`, ['development-plans:own'], id))
const HR = planCallerOf(principal('seed-demo-hr', ['development-plans:write', 'programmes:write'], null))

/** Objectives of the menu of options (seed 001), each with the activities that serve it. */
const MENU: Array<{ title: string; measure: string; source: 'self' | 'manager'; activities: Array<[kind: 'placement' | 'coaching' | 'mentoring' | 'shadowing' | 'self_study' | 'other', title: string]> }> = [
  { title: 'Plan my career and my next move', measure: 'A written career plan discussed at the mid-year review', source: 'self', activities: [['other', 'Attend a Career Management Conference'], ['self_study', 'Use the on-line careers guidance and self-assessment tools']] },
  { title: 'Find out what a managerial role is really like', measure: 'A week shadowing a manager, with a structured debrief', source: 'manager', activities: [['shadowing', 'Internal work experience: shadow a band C manager for a week']] },
  { title: 'Prepare for the promotion process', measure: 'Application and interview preparation complete before the next process', source: 'self', activities: [['mentoring', 'Mentoring through the Active Career Development Programme'], ['self_study', 'OSPRE study support programme']] },
  { title: 'Develop personal impact and assertiveness', measure: 'Feedback from the team at the next PDR shows more confident chairing', source: 'manager', activities: [['coaching', 'Leadership Academy coaching, six sessions']] },
  { title: 'Gain experience in a specialist role', measure: 'A six-week attachment completed and reviewed', source: 'self', activities: [['placement', 'Attachment to a specialist OCU (taster placement)']] },
  { title: 'Lead a community project', measure: 'Project delivered with the Safer Neighbourhoods team', source: 'manager', activities: [['placement', 'Volunteer placement in the community']] }
]

type Outcome = 'draft' | 'submitted' | 'returned' | 'agreed' | 'completed' | 'reopened' | 'lapsed'
const OUTCOMES: ReadonlyArray<readonly [Outcome, number]> = [
  ['draft', 15], ['submitted', 15], ['returned', 6], ['agreed', 34], ['completed', 18], ['reopened', 5], ['lapsed', 7]
]

interface Counts {
  plans: Record<Outcome, number>
  fromReports: number
  fromTemplate: number
  objectives: number
  enrolments: number
  skipped: number
}

/** Runs `work` in its own transaction; a refusal by the rules (a Problem) is reported, not thrown. */
async function attempt<T>(db: Db, actor: Actor, work: Parameters<typeof inTransaction<T>>[2]): Promise<T | Problem> {
  try {
    return await inTransaction(db, actor, work)
  } catch (error) {
    if (error instanceof Problem) return error
    throw error
  }
}

/** Moves a plan by the owner and their line manager to the outcome drawn for it. */
async function moveTo(db: Db, actor: Actor, planId: string, owner: PlanCaller, manager: PlanCaller, outcome: Outcome, r: Random) {
  const move = (caller: PlanCaller, action: 'submit' | 'return' | 'agree' | 'complete' | 'reopen' | 'lapse', comment?: string) =>
    inTransaction(db, actor, (changes) => transitionPlan(changes, caller, planId, { action, ...(comment ? { comment } : {}) }))
  if (outcome === 'draft') return
  if (outcome === 'lapsed') return void (await move(manager, 'lapse', 'Not taken forward before the end of the PDR year'))
  await move(owner, 'submit')
  if (outcome === 'submitted') return
  if (outcome === 'returned') return void (await move(manager, 'return', 'Please make the success measures specific and add a date to each objective'))
  await move(manager, 'agree', r.pick(['Agreed at the PDR meeting', 'Agreed; review at mid-year', 'Good plan, agreed']))
  const plan = await planView(db, planId)
  if (outcome === 'agreed' || outcome === 'completed') {
    const objective = plan.objectives[0]
    if (objective) {
      await inTransaction(db, actor, (changes) => addProgressNote(changes, owner, objective.id, { note: 'Discussed progress at the mid-year review', status: outcome === 'completed' ? 'achieved' : 'in_progress' }))
      const handTracked = objective.activities.find((a) => a.kind !== 'programme')
      if (handTracked && (outcome === 'completed' || r.chance(0.6))) {
        await inTransaction(db, actor, (changes) => updateActivity(changes, owner, handTracked.id, { status: outcome === 'completed' ? 'done' : 'started' }))
      }
    }
  }
  if (outcome === 'completed') await move(owner, 'complete')
  if (outcome === 'reopened') await move(manager, 'reopen', 'Reopened after a move to a new team: objectives to be revised')
}

async function ensureTemplate(db: Db, actor: Actor): Promise<{ id: string } | null> {
  const existing = await db.selectFrom('development_plan_templates').select('id').where('code', '=', TEMPLATE_CODE).executeTakeFirst()
  if (existing) return existing
  const programme = await db.selectFrom('programmes').select(['id']).where('code', '=', 'PD-PROMO-MGR').executeTakeFirst()
  if (!programme) return null
  const coaching = await db.selectFrom('programmes').select('id').where('kind', '=', 'coaching').orderBy('code').executeTakeFirst()
  return inTransaction(db, actor, (changes) =>
    createTemplate(changes, {
      code: TEMPLATE_CODE,
      title: 'Promotability Programme plan (managers)',
      description: 'The Promotability Programme for BME and female managers: master classes on the gaps found by the 360, coaching or mentoring, and a project or placement in the community (seed 001, appendix 1).',
      objectives: [
        {
          title: 'Work on the gaps found by my 360 degree feedback',
          successMeasure: 'Each gap discussed with my line manager, with evidence of progress at the programme review',
          priority: 'high',
          dueInMonths: 9,
          activities: [
            { kind: 'programme', title: 'Promotability master classes', programmeId: programme.id, dueInMonths: 10 },
            coaching ? { kind: 'programme', title: 'Coaching or buddying throughout the programme', programmeId: coaching.id } : { kind: 'coaching', title: 'Coaching or buddying throughout the programme' }
          ]
        },
        {
          title: 'Gain experience where development is experiential',
          successMeasure: 'A posting, project or community placement completed and reviewed',
          priority: 'medium',
          dueInMonths: 12,
          activities: [{ kind: 'placement', title: 'Project or placement in the community' }, { kind: 'other', title: 'Learning and networking events' }]
        }
      ]
    })
  )
}

export const developmentPlansDemo: DemoStep = {
  module: 'development-plans',
  async run(db, _plan, { actor, seed, log }) {
    const random = createRandom(seed).fork('development-plans')
    const counts: Counts = { plans: { draft: 0, submitted: 0, returned: 0, agreed: 0, completed: 0, reopened: 0, lapsed: 0 }, fromReports: 0, fromTemplate: 0, objectives: 0, enrolments: 0, skipped: 0 }
    // Any personal plan of the period, lapsed or not: the demo wrote it on an earlier run.
    const hasPlan = async (ownerId: string, period: string) =>
      !!(await db.selectFrom('development_plans').select('id').where('owner_id', '=', ownerId).where('period', '=', period).where('template_id', 'is', null).executeTakeFirst())

    // 1. The promotability template, for every run of the programme with participants.
    const template = await ensureTemplate(db, actor)
    if (template) {
      const cohorts = await db
        .selectFrom('cohorts as c')
        .innerJoin('programmes as p', 'p.id', 'c.programme_id')
        .select(['c.id', 'c.external_id'])
        .where('p.code', '=', 'PD-PROMO-MGR')
        .where('c.status', '<>', 'cancelled')
        .orderBy('c.external_id')
        .execute()
      for (const cohort of cohorts) {
        const result = await inTransaction(db, actor, (changes) => applyTemplate(changes, HR, template.id, { cohortId: cohort.id }))
        counts.fromTemplate += result.created
      }
      log(`development plans: ${counts.fromTemplate} plans from the promotability template`)
    }

    // 2. Plans from released 360° reports (the feedback demo's), with their gaps and a suggested programme.
    const subjects = await db
      .selectFrom('feedback_assessments as a')
      .innerJoin('people as p', 'p.id', 'a.subject_id')
      .select(['a.id as assessment_id', 'p.id', 'p.external_id', 'p.line_manager_id'])
      .where('a.status', '=', 'released')
      .where('p.status', '=', 'active')
      .where('p.line_manager_id', 'is not', null)
      .orderBy('p.external_id')
      .orderBy('a.id')
      .execute()
    const seen = new Set<string>()
    for (const s of subjects) {
      if (seen.has(s.id) || seen.size >= 40) continue
      seen.add(s.id)
      if (await hasPlan(s.id, CURRENT)) {
        counts.skipped++
        continue
      }
      const r = random.fork(`report-${s.external_id}`)
      const owner = asPerson(s.id)
      const plan = await inTransaction(db, actor, (changes) => createPlan(changes, owner, { ownerId: s.id, period: CURRENT, title: `PDR ${CURRENT}: development from my 360 feedback` }))
      const ids = await inTransaction(db, actor, (changes) => createGapObjectives(changes, owner, plan.id, { assessmentId: s.assessment_id, count: 3, dueOn: '2010-01-31' }))
      if (ids.length === 0) {
        await inTransaction(db, actor, (changes) => createObjective(changes, owner, plan.id, { title: MENU[0].title, successMeasure: MENU[0].measure, source: 'self' }))
      }
      counts.objectives += Math.max(ids.length, 1)
      const objectiveId = ids[0] ?? (await planView(db, plan.id)).objectives[0].id
      const suggestion = (await suggestionsFor(db, HR, s.assessment_id, 5)).suggestions[0]
      if (suggestion) {
        const activity = await inTransaction(db, actor, (changes) => createActivity(changes, owner, objectiveId, { kind: 'programme', programmeId: suggestion.programmeId }))
        const cohort = suggestion.openCohorts[0]
        if (cohort) {
          const enrolled = await attempt(db, actor, (changes) => enrolActivity(changes, HR, activity.id, { cohortId: cohort.id, note: 'Suggested by the 360 feedback gaps' }))
          if (!(enrolled instanceof Problem)) counts.enrolments++
        }
      } else {
        await inTransaction(db, actor, (changes) => createActivity(changes, owner, objectiveId, { kind: 'coaching', title: 'Leadership Academy coaching on the gaps found' }))
      }
      const outcome = r.weighted(OUTCOMES.filter(([o]) => o !== 'completed' && o !== 'lapsed'))
      await moveTo(db, actor, plan.id, owner, asPerson(s.line_manager_id!), outcome, r)
      counts.plans[outcome]++
      counts.fromReports++
    }

    // 3. Personal plans from the menu of options for a sample of staff with a line manager.
    const openCohorts = await db
      .selectFrom('cohorts as c')
      .innerJoin('programmes as p', 'p.id', 'c.programme_id')
      .select(['c.id', 'p.id as programme_id', 'p.eligible_level_min', 'p.eligible_level_max', 'p.eligible_staff_types'])
      .where('c.status', '=', 'open')
      .where('p.status', 'in', ['pilot', 'active'])
      .orderBy('c.starts_on')
      .orderBy('c.external_id')
      .execute()
    const staff = await db
      .selectFrom('people')
      .leftJoin('grades', 'grades.id', 'people.grade_id')
      .select(['people.id', 'people.external_id', 'people.line_manager_id', 'people.staff_type', 'grades.level'])
      .where('people.status', '=', 'active')
      .where('people.line_manager_id', 'is not', null)
      .where('people.external_id', 'is not', null)
      .orderBy('people.external_id')
      .execute()
    const sample = staff.filter((p) => !seen.has(p.id) && random.fork(`pick-${p.external_id}`).chance(0.08)).slice(0, 150)
    for (const [index, person] of sample.entries()) {
      const r = random.fork(`plan-${person.external_id}`)
      // Every outcome at least once, however small the organisation; then by weight.
      const outcome = index < OUTCOMES.length ? OUTCOMES[index][0] : r.weighted(OUTCOMES)
      const period = outcome === 'completed' || outcome === 'lapsed' ? PREVIOUS : CURRENT
      if (await hasPlan(person.id, period)) {
        counts.skipped++
        continue
      }
      const owner = asPerson(person.id)
      const plan = await inTransaction(db, actor, (changes) => createPlan(changes, owner, { ownerId: person.id, period }))
      const chosen = new Set<number>()
      const n = r.int(1, 3)
      while (chosen.size < n) chosen.add(r.int(0, MENU.length - 1))
      for (const i of [...chosen].sort()) {
        const option = MENU[i]
        const dueOn = period === CURRENT ? r.pick(['2009-09-30', '2009-12-31', '2010-03-31']) : r.pick(['2008-12-31', '2009-03-31'])
        await inTransaction(db, actor, (changes) =>
          createObjective(changes, owner, plan.id, {
            title: option.title,
            successMeasure: option.measure,
            dueOn,
            priority: r.pick(['high', 'medium', 'low']),
            source: option.source,
            activities: option.activities.map(([kind, title]) => ({ kind, title }))
          })
        )
        counts.objectives++
      }
      // Half the plans that go ahead this year name a programme with an open run the person may join.
      const cohort = period === CURRENT && r.chance(0.5) ? openCohorts.find((c) => ineligibilityReasons(c, person).length === 0 && r.chance(0.5)) : undefined
      const activity = cohort
        ? await inTransaction(db, actor, async (changes) => {
            const objective = (await planView(changes.trx, plan.id)).objectives[0]
            return createActivity(changes, owner, objective.id, { kind: 'programme', programmeId: cohort.programme_id })
          })
        : undefined
      await moveTo(db, actor, plan.id, owner, asPerson(person.line_manager_id!), outcome, r)
      // Enrolling is progress, so it may follow the agreement; the programmes module's rules decide.
      if (activity && cohort && outcome !== 'lapsed') {
        const enrolled = await attempt(db, actor, (changes) => enrolActivity(changes, HR, activity.id, { cohortId: cohort.id, note: 'From the PDR development plan' }))
        if (!(enrolled instanceof Problem)) counts.enrolments++
      }
      counts.plans[outcome]++
    }

    const byStatus = await db.selectFrom('development_plans').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').orderBy('status').execute()
    return [
      `plans written now: ${Object.values(counts.plans).reduce((a, b) => a + b, 0) + counts.fromTemplate} (from 360 reports ${counts.fromReports}, from the promotability template ${counts.fromTemplate}; ${counts.skipped} people already had theirs)`,
      `written now by outcome: ${OUTCOMES.map(([o]) => `${o} ${counts.plans[o]}`).join(', ')}`,
      `objectives written ${counts.objectives}; enrolments made through plan activities ${counts.enrolments}`,
      `plans in the database by status: ${byStatus.map((r) => `${r.status} ${Number(r.n)}`).join(', ')}`
    ]
  }
}
