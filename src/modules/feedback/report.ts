import { randomInt } from 'node:crypto'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { findAssessment, type AssessmentRow } from './assessments.repository.js'
import { elementsOf, ratedElements } from './frameworks.js'
import { LIVE_INVITATION_STATUSES } from './invitations.service.js'
import type { AssessmentStatus, InvitationStatus, Ratings, Relationship, StoredComment } from './tables.js'

/**
 * The 360° report, computed from what the database holds: responses that name only their rater
 * group. `computeReport` is pure (hand-built data in, figures out); `assessmentReport` loads
 * everything it needs in four queries, whatever the number of raters and behaviours.
 */

/** A column of the report: one rater group, or `others` (small anonymous groups merged). */
export type Bucket = Relationship | 'others'
export type Treatment = 'identified' | 'reported' | 'merged' | 'suppressed'

export interface ReportElementInput {
  id: string
  lineageId: string
  parentId: string | null
  kind: string
  code: string
  title: string
  polarity: 'positive' | 'negative'
  position: number
}

export interface ReportInput {
  assessment: {
    id: string
    subjectId: string
    frameworkId: string
    status: AssessmentStatus
    anonymityThreshold: number
    lineManagerIdentified: boolean
    scale: { min: number; max: number; labels: string[]; notObservedAllowed: boolean }
  }
  /** Every element of the framework version (for the tree above the rated behaviours). */
  elements: ReportElementInput[]
  /** The behaviours rated. */
  ratedIds: string[]
  responses: Array<{ group: Relationship; ratings: Ratings; comments: StoredComment[] }>
  invitations: Array<{ relationship: Relationship; status: InvitationStatus; count: number }>
  /** Shuffles comments; crypto-random by default. Tests pass a seeded one. */
  randomIndex?: (bound: number) => number
  now?: Date
}

export interface GroupCell {
  group: Bucket
  /** Ratings counted for the mean (not-observed answers excluded). */
  count: number
  notObserved: number
  /** Null when the cell is suppressed (an anonymous group with fewer ratings than the threshold) or empty. */
  mean: number | null
  /** distribution[i]: ratings equal to scale.min + i, from scale.min to scale.max. Null when the cell is suppressed. */
  distribution: number[] | null
  suppressed: boolean
}

export interface ElementFigures {
  elementId: string
  lineageId: string
  code: string
  title: string
  kind: string
  polarity: 'positive' | 'negative'
  parentId: string | null
  selfMean: number | null
  /** Mean of every rater but self over the cells shown; null if none is shown. */
  othersMean: number | null
  othersCount: number
  /** selfMean − othersMean. */
  gap: number | null
  /** Negative behaviours: share of others' ratings above the scale minimum (seen at all). Null for positive ones. */
  othersSeenRate: number | null
  groups: GroupCell[]
}

export interface RollupFigures {
  behaviours: number
  selfMean: number | null
  othersMean: number | null
  othersCount: number
  gap: number | null
  othersSeenRate: number | null
  /** distribution: the shown cells' distributions summed (nothing suppressed enters it). */
  groups: Array<{ group: Bucket; mean: number | null; count: number; distribution: number[] }>
}

export interface Rollup {
  elementId: string
  lineageId: string
  code: string
  title: string
  kind: string
  parentId: string | null
  /** Positive behaviours below this element; null if none. */
  positive: RollupFigures | null
  /** Negative behaviours below it, as frequencies; never mixed with the positive ones. */
  negative: RollupFigures | null
}

export interface Highlight {
  elementId: string
  code: string
  title: string
  polarity: 'positive' | 'negative'
  selfMean: number | null
  othersMean: number | null
  gap: number | null
}

export interface AssessmentReport {
  assessmentId: string
  subjectId: string
  frameworkId: string
  status: AssessmentStatus
  generatedAt: string
  scale: { min: number; max: number; labels: string[]; notObservedAllowed: boolean }
  anonymityThreshold: number
  /** |gap| at or above which a behaviour is a blind spot or hidden strength. */
  gapThreshold: number
  rules: string[]
  raterGroups: Array<{ group: Relationship; respondents: number; treatment: Treatment }>
  /** The columns of `groups` in elements and roll-ups, in order. */
  buckets: Bucket[]
  responseRates: Array<{ group: Relationship; invited: number; submitted: number; declined: number; pending: number; rate: number | null }>
  elements: ElementFigures[]
  rollups: Rollup[]
  blindSpots: Highlight[]
  hiddenStrengths: Highlight[]
  topBehaviours: Highlight[]
  bottomBehaviours: Highlight[]
  mostSeenNegativeBehaviours: Highlight[]
  comments: Array<{ elementId: string | null; group: Bucket; text: string }>
  withheldComments: number
}

const GROUPS: readonly Relationship[] = ['self', 'line_manager', 'peer', 'direct_report', 'other']
const HIGHLIGHTS = 5

const round = (n: number) => Math.round(n * 100) / 100
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b))

/** The rule for blind spots and hidden strengths: a gap of a quarter of the scale's range, at least half a point. */
export const gapThresholdOf = (scale: { min: number; max: number }) => Math.max(0.5, round((scale.max - scale.min) / 4))

/**
 * Which column each rater group's responses go to. Self (and the line manager, unless the
 * assessment says otherwise) are identified; every other group is reported on its own when it has
 * at least `threshold` respondents; the smaller ones are pooled into `others`, which is reported
 * when the pool reaches the threshold and suppressed otherwise.
 */
export function bucketsOf(respondents: ReadonlyMap<Relationship, number>, threshold: number, lineManagerIdentified: boolean) {
  const identified = new Set<Relationship>(lineManagerIdentified ? ['self', 'line_manager'] : ['self'])
  const placement = new Map<Relationship, { bucket: Bucket | null; treatment: Treatment }>()
  const small: Relationship[] = []
  for (const group of GROUPS) {
    const n = respondents.get(group) ?? 0
    if (identified.has(group)) placement.set(group, { bucket: group, treatment: 'identified' })
    else if (n >= threshold) placement.set(group, { bucket: group, treatment: 'reported' })
    else if (n > 0) small.push(group)
    else placement.set(group, { bucket: null, treatment: 'suppressed' })
  }
  const pooled = small.reduce((s, g) => s + (respondents.get(g) ?? 0), 0)
  for (const group of small) placement.set(group, pooled >= threshold ? { bucket: 'others', treatment: 'merged' } : { bucket: null, treatment: 'suppressed' })
  const buckets: Bucket[] = []
  for (const group of GROUPS) {
    const bucket = placement.get(group)!.bucket
    if (bucket && (respondents.get(group) ?? 0) > 0 && !buckets.includes(bucket)) buckets.push(bucket)
  }
  if (buckets.includes('others')) buckets.push(...buckets.splice(buckets.indexOf('others'), 1))
  return { placement, buckets, identified }
}

/**
 * The ratings of one behaviour in one column, tallied in one pass: enough for the mean, the
 * distribution, the seen rate and, added together, the roll-ups (ratings are whole scale points,
 * so sums are exact and the order they are added in does not matter).
 */
interface Tally {
  n: number
  sum: number
  /** Ratings above the scale minimum. */
  seen: number
  /** counts[v - min]: ratings of value v. */
  counts: number[]
}

const tallyOf = (steps: number): Tally => ({ n: 0, sum: 0, seen: 0, counts: new Array<number>(steps).fill(0) })
const meanOf = (t: Tally) => (t.n ? round(t.sum / t.n) : null)
const seenRateOf = (t: Tally) => (t.n ? round(t.seen / t.n) : null)
/** Adds `t` into `into`, with its counts when `into` keeps them (a tally of 0 steps does not). */
function addTo(into: Tally, t: Tally) {
  into.n += t.n
  into.sum += t.sum
  into.seen += t.seen
  for (let i = 0; i < into.counts.length; i++) into.counts[i] += t.counts[i]
}

export function computeReport(input: ReportInput): AssessmentReport {
  const { assessment } = input
  const { scale, anonymityThreshold: threshold } = assessment
  const respondents = new Map<Relationship, number>()
  for (const r of input.responses) respondents.set(r.group, (respondents.get(r.group) ?? 0) + 1)
  const { placement, buckets, identified } = bucketsOf(respondents, threshold, assessment.lineManagerIdentified)
  const isIdentified = (b: Bucket) => b !== 'others' && identified.has(b)
  const column = new Map<Bucket, number>(buckets.map((b, i) => [b, i]))
  const selfColumn = column.get('self') ?? -1
  const steps = scale.max - scale.min + 1

  const byId = new Map(input.elements.map((e) => [e.id, e]))
  const order = treeOrder(input.elements)
  const rated = input.ratedIds.map((id) => byId.get(id)).filter((e): e is ReportElementInput => e !== undefined)
  rated.sort((a, b) => order.get(a.id)! - order.get(b.id)!)

  // One pass over every answer: tallies[element][column], and the not-observed answers.
  const tallies = rated.map(() => buckets.map(() => tallyOf(steps)))
  const notObserved = rated.map(() => new Array<number>(buckets.length).fill(0))
  for (const r of input.responses) {
    const bucket = placement.get(r.group)?.bucket
    if (!bucket) continue
    const c = column.get(bucket)!
    for (let i = 0; i < rated.length; i++) {
      const v = r.ratings[rated[i].id]
      if (v === null) notObserved[i][c]++
      else if (typeof v === 'number') {
        const t = tallies[i][c]
        t.n++
        t.sum += v
        if (v > scale.min) t.seen++
        // A value off the scale is counted in the mean but has no bar of the distribution, as before.
        if (Number.isInteger(v) && v >= scale.min && v <= scale.max) t.counts[v - scale.min]++
      }
    }
  }

  /** shown[element][column]: the tally when the cell is shown, null when suppressed. */
  const shown: Array<Array<Tally | null>> = []
  const elements: ElementFigures[] = rated.map((e, i) => {
    const cells = tallies[i].map((t, c) => (!isIdentified(buckets[c]) && t.n < threshold ? null : t))
    shown.push(cells)
    const groups: GroupCell[] = buckets.map((bucket, c) => {
      const t = tallies[i][c]
      const suppressed = cells[c] === null
      return {
        group: bucket,
        count: t.n,
        notObserved: notObserved[i][c],
        mean: suppressed ? null : meanOf(t),
        distribution: suppressed ? null : t.counts,
        suppressed
      }
    })
    const others = tallyOf(0)
    cells.forEach((t, c) => t && c !== selfColumn && addTo(others, t))
    const selfMean = selfColumn >= 0 && cells[selfColumn] ? meanOf(cells[selfColumn]!) : null
    const othersMean = meanOf(others)
    return {
      elementId: e.id,
      lineageId: e.lineageId,
      code: e.code,
      title: e.title,
      kind: e.kind,
      polarity: e.polarity,
      parentId: e.parentId,
      selfMean,
      othersMean,
      othersCount: others.n,
      gap: diff(selfMean, othersMean),
      othersSeenRate: e.polarity === 'negative' ? seenRateOf(others) : null,
      groups
    }
  })

  const rollups = rollupsOf(input.elements, rated, shown, buckets, selfColumn, order, steps)
  const gapThreshold = gapThresholdOf(scale)
  const highlight = (f: ElementFigures): Highlight => ({
    elementId: f.elementId, code: f.code, title: f.title, polarity: f.polarity, selfMean: f.selfMean, othersMean: f.othersMean, gap: f.gap
  })
  // For a negative behaviour a blind spot is being seen more often by others than by oneself.
  const selfOver = (f: ElementFigures) => (f.gap === null ? 0 : f.polarity === 'positive' ? f.gap : -f.gap)
  const bySize = (a: ElementFigures, b: ElementFigures) => Math.abs(b.gap ?? 0) - Math.abs(a.gap ?? 0) || a.code.localeCompare(b.code)
  const positives = elements.filter((f) => f.polarity === 'positive' && f.othersMean !== null)
  const ranked = [...positives].sort((a, b) => b.othersMean! - a.othersMean! || a.code.localeCompare(b.code))
  const topCount = Math.min(HIGHLIGHTS, Math.ceil(ranked.length / 2))
  const bottomCount = Math.min(HIGHLIGHTS, Math.floor(ranked.length / 2))

  const { comments, withheld } = commentsOf(input, placement)
  return {
    assessmentId: assessment.id,
    subjectId: assessment.subjectId,
    frameworkId: assessment.frameworkId,
    status: assessment.status,
    generatedAt: (input.now ?? new Date()).toISOString(),
    scale,
    anonymityThreshold: threshold,
    gapThreshold,
    rules: reportRules(threshold, gapThreshold, scale.min),
    raterGroups: GROUPS.filter((g) => (respondents.get(g) ?? 0) > 0).map((g) => ({ group: g, respondents: respondents.get(g)!, treatment: placement.get(g)!.treatment })),
    buckets,
    responseRates: responseRatesOf(input.invitations),
    elements,
    rollups,
    blindSpots: elements.filter((f) => selfOver(f) >= gapThreshold).sort(bySize).map(highlight),
    hiddenStrengths: elements.filter((f) => -selfOver(f) >= gapThreshold).sort(bySize).map(highlight),
    topBehaviours: ranked.slice(0, topCount).map(highlight),
    bottomBehaviours: ranked.slice(ranked.length - bottomCount).reverse().map(highlight),
    mostSeenNegativeBehaviours: elements
      .filter((f) => f.polarity === 'negative' && f.othersMean !== null)
      .sort((a, b) => b.othersMean! - a.othersMean! || a.code.localeCompare(b.code))
      .slice(0, HIGHLIGHTS)
      .map(highlight),
    comments,
    withheldComments: withheld
  }
}

/** Depth-first position of every element: parents before children, siblings by position then code. */
function treeOrder(elements: readonly ReportElementInput[]): Map<string, number> {
  const children = new Map<string | null, ReportElementInput[]>()
  const ids = new Set(elements.map((e) => e.id))
  for (const e of elements) {
    const parent = e.parentId && ids.has(e.parentId) ? e.parentId : null
    const list = children.get(parent)
    if (list) list.push(e)
    else children.set(parent, [e])
  }
  const order = new Map<string, number>()
  const walk = (parent: string | null) => {
    for (const e of (children.get(parent) ?? []).sort((a, b) => a.position - b.position || a.code.localeCompare(b.code))) {
      order.set(e.id, order.size)
      walk(e.id)
    }
  }
  walk(null)
  return order
}

/** Each element above the rated behaviours, with its descendants' shown ratings pooled, positive and negative apart. */
function rollupsOf(
  all: readonly ReportElementInput[],
  rated: readonly ReportElementInput[],
  shown: ReadonlyArray<ReadonlyArray<Tally | null>>,
  buckets: readonly Bucket[],
  selfColumn: number,
  order: Map<string, number>,
  steps: number
): Rollup[] {
  const byId = new Map(all.map((e) => [e.id, e]))
  /** Indexes (into `rated`) of the behaviours below each element. */
  const below = new Map<string, number[]>()
  rated.forEach((b, i) => {
    for (let p = b.parentId ? byId.get(b.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) {
      const list = below.get(p.id)
      if (list) list.push(i)
      else below.set(p.id, [i])
    }
  })
  const figures = (behaviours: number[]): RollupFigures | null => {
    if (behaviours.length === 0) return null
    const pooled = buckets.map(() => tallyOf(steps))
    for (const i of behaviours) shown[i].forEach((t, c) => t && addTo(pooled[c], t))
    const others = tallyOf(0)
    pooled.forEach((t, c) => c !== selfColumn && addTo(others, t))
    const selfMean = selfColumn >= 0 ? meanOf(pooled[selfColumn]) : null
    const othersMean = meanOf(others)
    return {
      behaviours: behaviours.length,
      selfMean,
      othersMean,
      othersCount: others.n,
      gap: diff(selfMean, othersMean),
      othersSeenRate: rated[behaviours[0]].polarity === 'negative' ? seenRateOf(others) : null,
      groups: buckets.map((b, c) => ({ group: b, mean: meanOf(pooled[c]), count: pooled[c].n, distribution: pooled[c].counts }))
    }
  }
  return all
    .filter((e) => below.has(e.id))
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .map((e) => {
      const behaviours = below.get(e.id)!
      return {
        elementId: e.id,
        lineageId: e.lineageId,
        code: e.code,
        title: e.title,
        kind: e.kind,
        parentId: e.parentId,
        positive: figures(behaviours.filter((i) => rated[i].polarity === 'positive')),
        negative: figures(behaviours.filter((i) => rated[i].polarity === 'negative'))
      }
    })
}

/**
 * Comments of the groups that are shown, labelled with their column (never a rater), in random
 * order; the comments of suppressed groups are withheld and only counted.
 */
function commentsOf(input: ReportInput, placement: Map<Relationship, { bucket: Bucket | null }>) {
  const comments: AssessmentReport['comments'] = []
  let withheld = 0
  for (const r of input.responses) {
    const bucket = placement.get(r.group)?.bucket
    for (const c of r.comments) {
      if (bucket) comments.push({ elementId: c.elementId, group: bucket, text: c.text })
      else withheld++
    }
  }
  const pick = input.randomIndex ?? ((bound: number) => randomInt(bound))
  for (let i = comments.length - 1; i > 0; i--) {
    const j = pick(i + 1)
    ;[comments[i], comments[j]] = [comments[j], comments[i]]
  }
  return { comments, withheld }
}

function responseRatesOf(invitations: ReportInput['invitations']) {
  return GROUPS.map((group) => {
    const of = (status: InvitationStatus) => invitations.filter((i) => i.relationship === group && i.status === status).reduce((s, i) => s + i.count, 0)
    const submitted = of('submitted')
    const declined = of('declined')
    const pending = of('invited')
    const invited = submitted + declined + pending
    return { group, invited, submitted, declined, pending, rate: invited ? round(submitted / invited) : null }
  }).filter((r) => r.invited > 0)
}

function reportRules(threshold: number, gapThreshold: number, min: number): string[] {
  return [
    `Self and, unless the assessment says otherwise, the line manager (only when exactly one line manager invitation is live, i.e. invited or submitted; otherwise that group is treated like the others) are shown as such; any other rater group is shown on its own only with at least ${threshold} respondents.`,
    `Smaller groups are merged into "others", shown when the merged group reaches ${threshold} respondents and suppressed (left out of every figure, comments withheld) otherwise.`,
    `Within a shown anonymous group, a behaviour's mean and distribution are given only when at least ${threshold} of its raters rated it; "not observed" answers are counted apart and never enter a mean.`,
    'othersMean pools every rater but self over the cells shown; gap = selfMean − othersMean. A roll-up pools the shown cells of the behaviours below it: its means, counts and distributions never include a suppressed cell.',
    `Blind spot: a positive behaviour with gap ≥ ${gapThreshold}, or a negative behaviour others see at least ${gapThreshold} more often than self reports. Hidden strength: the reverse (gap ≤ −${gapThreshold} for a positive behaviour; self reports a negative behaviour at least ${gapThreshold} more often than others see it).`,
    `Negative behaviours are rated by how often they are seen (${min} = never); their means are frequencies, never averaged with positive behaviours, and othersSeenRate is the share of others' ratings above ${min}.`,
    'Top and bottom behaviours rank positive behaviours by othersMean (at most 5 each, never overlapping); comments carry no rater and come in a new random order on every request.'
  ]
}

/**
 * Loads an assessment's report data (four queries; three when the caller passes the assessment
 * row it has already read, e.g. for the access check) and computes it.
 */
export async function assessmentReport(db: Db | Trx, assessment: string | AssessmentRow): Promise<AssessmentReport> {
  const a = typeof assessment === 'string' ? await findAssessment(db, assessment) : assessment
  const [elements, responses, invitations] = await Promise.all([
    elementsOf(db, a.framework_id),
    db.selectFrom('feedback_responses').select(['rater_group', 'ratings', 'comments']).where('assessment_id', '=', a.id).execute(),
    db
      .selectFrom('feedback_invitations')
      .select(['relationship', 'status', db.fn.countAll<number>().as('count')])
      .where('assessment_id', '=', a.id)
      .groupBy(['relationship', 'status'])
      .execute()
  ])
  const counts = invitations.map((i) => ({ relationship: i.relationship, status: i.status, count: Number(i.count) }))
  // The line manager is named only when there is one: with two (data from before the one-manager
  // rule), naming the group would show each one's answers to anyone who knows both.
  const liveManagers = counts.filter((i) => i.relationship === 'line_manager' && (LIVE_INVITATION_STATUSES as readonly string[]).includes(i.status)).reduce((s, i) => s + i.count, 0)
  return computeReport({
    assessment: {
      id: a.id,
      subjectId: a.subject_id,
      frameworkId: a.framework_id,
      status: a.status,
      anonymityThreshold: a.anonymity_threshold,
      lineManagerIdentified: a.line_manager_identified && liveManagers === 1,
      scale: { min: a.scale_min, max: a.scale_max, labels: a.scale_labels, notObservedAllowed: a.not_observed_allowed }
    },
    elements: elements.map((e) => ({ id: e.id, lineageId: e.lineage_id, parentId: e.parent_id, kind: e.kind, code: e.code, title: e.title, polarity: e.polarity, position: e.position })),
    ratedIds: ratedElements(elements, a.element_ids).map((e) => e.id),
    responses: responses.map((r) => ({ group: r.rater_group, ratings: r.ratings, comments: r.comments })),
    invitations: counts
  })
}
