/**
 * Demo step of the feedback module: 360° assessments of the demo people on the demo frameworks
 * (MET-VALUES and MET-COMPETENCY, latest published versions, created by the assessments step), in
 * every status, with answers written through the module's own functions — invitations with
 * tokens, drafts, declines and submissions exactly as raters make them. Three are released with
 * reports that show every case: every group reported, small groups merged into "others", and a
 * group suppressed. Windows are set around the moment of seeding (raters can only answer inside
 * one). Each assessment carries an externalId (DEMO-360-…); one that exists is left alone, so a
 * second run changes nothing.
 */
import type { Db } from '../../db/database.js'
import { inTransaction, type Actor } from '../../platform/changes.js'
import { createAssessment, transitionAssessment } from '../../modules/feedback/assessments.service.js'
import { elementsOf, ratedElements, type ElementRow } from '../../modules/feedback/frameworks.js'
import { inviteRater, type RaterInput } from '../../modules/feedback/invitations.service.js'
import { declineInvitation, saveDraft, submitAnswers } from '../../modules/feedback/questionnaire.service.js'
import { lockAssessment } from '../../modules/feedback/assessments.repository.js'
import type { AssessmentStatus, Relationship } from '../../modules/feedback/tables.js'
import { hashRaterToken } from '../../modules/feedback/tokens.js'
import type { DemoStep } from '../seed-demo.js'
import { createRandom, type Random } from './random.js'

const VALUES = 'MET-VALUES'
const COMPETENCY = 'MET-COMPETENCY'
const DAY = 86_400_000

interface Scenario {
  key: string
  framework: string
  status: AssessmentStatus
  purpose: string
  peers: number
  reports: number
  externals: number
  /** Raters (beyond self) who only save a draft, decline, or do nothing, instead of submitting. */
  drafts?: number
  declines?: number
  pending?: number
  /** Rate only the first n behaviours. */
  subset?: number
}

const SCENARIOS: Scenario[] = [
  { key: 'FULL', framework: VALUES, status: 'released', purpose: 'Promotability Programme: values-based 360° feedback', peers: 4, reports: 3, externals: 2, declines: 1 },
  { key: 'MERGED', framework: COMPETENCY, status: 'released', purpose: 'IMPACT development workshop: multi-rater feedback', peers: 2, reports: 1, externals: 1 },
  { key: 'SUPPRESSED', framework: VALUES, status: 'released', purpose: 'Leadership foundation module: values 360', peers: 2, reports: 0, externals: 0, declines: 1 },
  { key: 'CLOSED', framework: COMPETENCY, status: 'closed', purpose: 'IMPACT development workshop: multi-rater feedback', peers: 3, reports: 3, externals: 0, subset: 12 },
  { key: 'OPEN', framework: VALUES, status: 'open', purpose: 'Promotability Programme: values-based 360° feedback', peers: 4, reports: 2, externals: 1, drafts: 1, declines: 1, pending: 2 },
  { key: 'DRAFT', framework: COMPETENCY, status: 'draft', purpose: 'High Potentials workshop: multi-rater feedback', peers: 3, reports: 0, externals: 0 },
  { key: 'CANCELLED', framework: VALUES, status: 'cancelled', purpose: 'Promotability Programme: values-based 360° feedback', peers: 3, reports: 1, externals: 0 }
]

const COMMENTS = [
  'Always makes time to explain what is happening and why.',
  'Could involve the team earlier when plans change.',
  'Challenges poor behaviour fairly and consistently.',
  'Sometimes focuses on targets at the expense of quality.',
  'Very approachable; people bring problems to them early.',
  'Would benefit from sharing credit more widely.',
  'Learns from mistakes and encourages the rest of us to do the same.',
  'Meetings can run over because decisions are put off.',
  'Strong at working across boundaries with partners.',
  'Gives clear, consistent messages: actions match words.'
]

async function latestPublished(db: Db, code: string) {
  const row = await db.selectFrom('frameworks').select('id').where('code', '=', code).where('status', '=', 'published').orderBy('version_number', 'desc').executeTakeFirst()
  if (!row) throw new Error(`the feedback demo needs framework ${code} published (the assessments demo step creates it)`)
  return row.id
}

/** Managers with a line manager of their own, most direct reports first, in a stable order. */
async function candidateSubjects(db: Db) {
  return db
    .selectFrom('people as p')
    .innerJoin('people as r', 'r.line_manager_id', 'p.id')
    .select(['p.id', 'p.line_manager_id', db.fn.countAll<number>().as('reports')])
    .where('p.status', '=', 'active')
    .where('r.status', '=', 'active')
    .where('p.line_manager_id', 'is not', null)
    .groupBy(['p.id', 'p.line_manager_id', 'p.external_id'])
    .orderBy(db.fn.countAll(), 'desc')
    .orderBy('p.external_id')
    .limit(40)
    .execute()
}

interface Profile {
  level: Map<string, number>
  selfBias: Map<string, number>
}

/** What the raters broadly agree on, and where self-perception differs (blind spots, hidden strengths). */
function profileOf(random: Random, rated: ElementRow[]): Profile {
  const level = new Map<string, number>()
  const selfBias = new Map<string, number>()
  for (const e of rated) {
    level.set(e.id, e.polarity === 'negative' ? 1 + random.next() * 1.8 : 2.4 + random.next() * 2.2)
    selfBias.set(e.id, random.chance(0.12) ? 1.6 : random.chance(0.1) ? -1.6 : 0.3)
  }
  return { level, selfBias }
}

function answersOf(random: Random, rated: ElementRow[], profile: Profile, relationship: Relationship) {
  const ratings = rated.map((e) => {
    if (relationship !== 'self' && random.chance(0.07)) return { elementId: e.id, value: null }
    const bias = relationship === 'self' ? (e.polarity === 'negative' ? -Math.abs(profile.selfBias.get(e.id)!) / 2 : profile.selfBias.get(e.id)!) : 0
    const value = Math.round(profile.level.get(e.id)! + bias + (random.next() - 0.5) * 1.6)
    return { elementId: e.id, value: Math.min(5, Math.max(1, value)) }
  })
  const comments = random.chance(0.6) ? [{ elementId: random.chance(0.5) ? random.pick(rated).id : null, text: random.pick(COMMENTS) }] : []
  return { ratings, comments }
}

export const feedbackDemo: DemoStep = {
  module: 'feedback',
  async run(db, _plan, { actor, seed, log }) {
    const random = createRandom(seed).fork('feedback')
    const frameworks: Record<string, string> = { [VALUES]: await latestPublished(db, VALUES), [COMPETENCY]: await latestPublished(db, COMPETENCY) }
    const subjects = await candidateSubjects(db)
    const everyone = (await db.selectFrom('people').select('id').where('status', '=', 'active').orderBy('external_id').execute()).map((p) => p.id)
    const tally: Record<string, number> = {}
    let created = 0
    let unchanged = 0
    let invitations = 0
    let responses = 0
    for (const [n, scenario] of SCENARIOS.entries()) {
      const externalId = `DEMO-360-${String(n + 1).padStart(2, '0')}-${scenario.key}`
      // Every scenario draws from its own stream, so a skipped one does not shift the others.
      const r = random.fork(externalId)
      tally[scenario.status] = (tally[scenario.status] ?? 0) + 1
      if (await db.selectFrom('feedback_assessments').select('id').where('external_id', '=', externalId).executeTakeFirst()) {
        unchanged++
        continue
      }
      const subject = subjects[n % Math.max(1, subjects.length)]
      if (!subject) throw new Error('the feedback demo needs managers with direct reports')
      const reports = (await db.selectFrom('people').select('id').where('line_manager_id', '=', subject.id).where('status', '=', 'active').orderBy('external_id').execute()).map((p) => p.id)
      const taken = new Set([subject.id, subject.line_manager_id!, ...reports])
      const peers: string[] = []
      while (peers.length < scenario.peers && taken.size < everyone.length) {
        const id = r.pick(everyone)
        if (!taken.has(id)) {
          taken.add(id)
          peers.push(id)
        }
      }
      const all = await elementsOf(db, frameworks[scenario.framework])
      const behaviours = ratedElements(all, [])
      const rated = scenario.subset ? behaviours.slice(0, scenario.subset) : behaviours
      const now = Date.now()
      const raters: RaterInput[] = [
        { relationship: 'self' },
        { relationship: 'line_manager', personId: subject.line_manager_id },
        ...reports.slice(0, scenario.reports).map((personId) => ({ relationship: 'direct_report' as const, personId })),
        ...peers.map((personId) => ({ relationship: 'peer' as const, personId })),
        ...Array.from({ length: scenario.externals }, (_, i) => ({
          relationship: 'other' as const,
          externalName: `Partner ${n + 1}-${i + 1}`,
          externalEmail: `partner${n + 1}.${i + 1}@partners.example.org`
        }))
      ]
      const { id, tokens } = await inTransaction(db, actor, async (changes) => {
        const assessment = await createAssessment(changes, {
          externalId,
          subjectId: subject.id,
          frameworkId: frameworks[scenario.framework],
          elementIds: scenario.subset ? rated.map((e) => e.id) : [],
          purpose: scenario.purpose,
          opensAt: new Date(now - 7 * DAY).toISOString(),
          closesAt: new Date(now + 21 * DAY).toISOString(),
          scale: { min: 1, max: 5, labels: ['Rarely', 'Sometimes', 'Often', 'Usually', 'Always'], notObservedAllowed: true }
        })
        const row = await lockAssessment(changes.trx, assessment.id)
        const issued = []
        for (const rater of raters) issued.push(await inviteRater(changes, row, rater))
        if (scenario.status !== 'draft') await transitionAssessment(changes, assessment.id, 'open', 'demo data', undefined)
        return { id: assessment.id, tokens: issued.map((i) => ({ relationship: i.relationship, hash: hashRaterToken(i.token) })) }
      })
      created++
      invitations += tokens.length
      if (scenario.status !== 'draft') {
        const profile = profileOf(r, rated)
        // Self answers; of the others, the last ones draft, decline or wait as the scenario says.
        const drafts = scenario.drafts ?? 0
        const declines = scenario.declines ?? 0
        const pending = scenario.pending ?? 0
        const others = tokens.slice(1)
        const answering = others.length - drafts - declines - pending
        for (const [i, token] of [tokens[0], ...others].entries()) {
          const place = i - 1
          const answers = answersOf(r, rated, profile, token.relationship)
          if (i === 0 || place < answering) {
            await submitAnswers(db, 'seed-demo', token.hash, answers)
            responses++
          } else if (place < answering + drafts) {
            await saveDraft(db, 'seed-demo', token.hash, { ratings: answers.ratings.slice(0, Math.ceil(answers.ratings.length / 2)), comments: [] })
          } else if (place < answering + drafts + declines) {
            await declineInvitation(db, 'seed-demo', token.hash, 'I have not worked closely enough with them to comment')
          }
        }
      }
      const path: AssessmentStatus[] = scenario.status === 'released' ? ['closed', 'released'] : scenario.status === 'closed' ? ['closed'] : scenario.status === 'cancelled' ? ['cancelled'] : []
      for (const to of path) await inTransaction(db, actor, (changes) => transitionAssessment(changes, id, to, 'demo data', undefined))
      log(`360° ${externalId}: ${scenario.status}, ${tokens.length} raters`)
    }
    const byStatus = Object.entries(tally).map(([s, k]) => `${s} ${k}`).join(', ')
    return [
      `assessments       ${created} created, ${unchanged} unchanged (${byStatus})`,
      `invitations       ${invitations} created, ${responses} responses submitted`
    ]
  }
}
