/**
 * The report's figures on hand-built data, against values worked out by hand (in the comments).
 * Pure computation: no database.
 */
import t from 'tap'
import { computeReport, type ReportInput } from '../../../src/modules/feedback/report.js'
import type { Relationship } from '../../../src/modules/feedback/tables.js'

const id = (code: string) => `00000000-0000-4000-8000-${code.padStart(12, '0').replace(/[^0-9]/g, '0').slice(-12)}`
const CODES = ['V1', 'B1', 'B2', 'N1', 'V2', 'B3', 'B4', 'N2']
const ids = Object.fromEntries(CODES.map((c, i) => [c, `00000000-0000-4000-8000-00000000000${i}`]))
const parent: Record<string, string | null> = { V1: null, B1: 'V1', B2: 'V1', N1: 'V1', V2: null, B3: 'V2', B4: 'V2', N2: 'V2' }
const elements: ReportInput['elements'] = CODES.map((code, position) => ({
  id: ids[code],
  lineageId: id(`9${position}`),
  parentId: parent[code] ? ids[parent[code]!] : null,
  kind: code.startsWith('V') ? 'value' : 'behaviour',
  code,
  title: `Title ${code}`,
  polarity: code.startsWith('N') ? 'negative' : 'positive',
  position
}))
const RATED = ['B1', 'B2', 'N1', 'B3', 'B4', 'N2']

type Row = [Relationship, Array<number | null>, string[]?]
const response = ([group, values, comments = []]: Row) => ({
  group,
  ratings: Object.fromEntries(RATED.map((code, i) => [ids[code], values[i]])),
  comments: comments.map((text) => ({ elementId: null, text }))
})

function input(rows: Row[], overrides: Partial<ReportInput['assessment']> = {}, invitations: ReportInput['invitations'] = []): ReportInput {
  return {
    assessment: {
      id: id('1'),
      subjectId: id('2'),
      frameworkId: id('3'),
      status: 'closed',
      anonymityThreshold: 3,
      lineManagerIdentified: true,
      scale: { min: 1, max: 5, labels: [], notObservedAllowed: true },
      ...overrides
    },
    elements,
    ratedIds: RATED.map((c) => ids[c]),
    responses: rows.map(response),
    invitations,
    randomIndex: () => 0,
    now: new Date('2030-01-01T00:00:00Z')
  }
}

//                        B1 B2 N1 B3 B4    N2
const SELF: Row = ['self', [5, 4, 1, 2, 3, 1], ['self comment']]
const MANAGER: Row = ['line_manager', [3, 4, 2, 4, 3, 1]]
const PEERS: Row[] = [
  ['peer', [2, 4, 3, 4, null, 1], ['peer comment']],
  ['peer', [3, 5, 2, 5, null, 2]],
  ['peer', [2, 3, 4, 3, 4, 1]]
]
const REPORTS: Row[] = [
  ['direct_report', [4, 4, 1, 5, 5, 1], ['report comment']],
  ['direct_report', [3, 5, 1, 4, 4, 1]]
]
const OTHER: Row = ['other', [1, 2, 5, 2, 2, 5], ['other comment']]

t.test('full report: groups shown, small groups merged into others, one cell suppressed', async (t) => {
  const report = computeReport(
    input([SELF, MANAGER, ...PEERS, ...REPORTS, OTHER], {}, [
      { relationship: 'peer', status: 'submitted', count: 3 },
      { relationship: 'peer', status: 'declined', count: 1 },
      { relationship: 'peer', status: 'invited', count: 1 },
      { relationship: 'self', status: 'submitted', count: 1 },
      { relationship: 'line_manager', status: 'submitted', count: 1 },
      { relationship: 'direct_report', status: 'submitted', count: 2 },
      { relationship: 'other', status: 'submitted', count: 1 }
    ])
  )
  t.same(report.buckets, ['self', 'line_manager', 'peer', 'others'])
  t.same(report.raterGroups, [
    { group: 'self', respondents: 1, treatment: 'identified' },
    { group: 'line_manager', respondents: 1, treatment: 'identified' },
    { group: 'peer', respondents: 3, treatment: 'reported' },
    { group: 'direct_report', respondents: 2, treatment: 'merged' },
    { group: 'other', respondents: 1, treatment: 'merged' }
  ])
  t.same(report.responseRates.find((r) => r.group === 'peer'), { group: 'peer', invited: 5, submitted: 3, declined: 1, pending: 1, rate: 0.6 })
  t.equal(report.gapThreshold, 1, 'a quarter of the 1–5 range')
  const el = (code: string) => report.elements.find((e) => e.code === code)!
  const cell = (code: string, group: string) => el(code).groups.find((g) => g.group === group)!

  // B1: self 5; LM 3; peers 2,3,2 → 2.33; others (DR 4,3 + other 1) → 2.67;
  // othersMean over 3,2,3,2,4,3,1 = 18/7 = 2.57; gap 5 − 2.57 = 2.43.
  t.match(el('B1'), { selfMean: 5, othersMean: 2.57, othersCount: 7, gap: 2.43, othersSeenRate: null, lineageId: elements[1].lineageId, parentId: ids.V1, kind: 'behaviour' })
  t.match(cell('B1', 'peer'), { count: 3, notObserved: 0, mean: 2.33, suppressed: false })
  // Distributions: one count per scale point, 1 to 5. Peers rated B1 2, 3, 2; others 4, 3 (reports) and 1.
  t.same(cell('B1', 'peer').distribution, [0, 2, 1, 0, 0])
  t.same(cell('B1', 'others').distribution, [1, 0, 1, 1, 0])
  t.same(cell('B1', 'self').distribution, [0, 0, 0, 0, 1])
  t.same(cell('B1', 'line_manager').distribution, [0, 0, 1, 0, 0])
  t.match(cell('B1', 'others'), { count: 3, mean: 2.67 })
  t.match(cell('B1', 'line_manager'), { count: 1, mean: 3, suppressed: false })
  // B2: othersMean over 4,4,5,3,4,5,2 = 27/7 = 3.86; gap 4 − 3.86 = 0.14.
  t.match(el('B2'), { selfMean: 4, othersMean: 3.86, gap: 0.14 })
  // B4: two peers said not observed, one rated 4: under the threshold, the peer cell is withheld
  // and left out of othersMean: LM 3 + others 5,4,2 = 14/4 = 3.5; gap 3 − 3.5 = −0.5.
  t.match(cell('B4', 'peer'), { count: 1, notObserved: 2, mean: null, distribution: null, suppressed: true })
  t.match(el('B4'), { selfMean: 3, othersMean: 3.5, othersCount: 4, gap: -0.5 })
  // N1 (negative): others 2,3,2,4,1,1,5 → 18/7 = 2.57; 5 of 7 above "never" → 0.71.
  t.match(el('N1'), { polarity: 'negative', selfMean: 1, othersMean: 2.57, gap: -1.57, othersSeenRate: 0.71 })
  // N2: others 1,1,2,1,1,1,5 → 12/7 = 1.71; 2 of 7 seen → 0.29.
  t.match(el('N2'), { othersMean: 1.71, othersSeenRate: 0.29 })

  // Roll-ups: positive and negative apart. V1 positive = B1, B2:
  // self 5,4 → 4.5; others 3,4 | 2,3,2,4,5,3 | 4,3,1,4,5,2 = 45/14 = 3.21; gap 1.29.
  const v1 = report.rollups.find((r) => r.code === 'V1')!
  t.match(v1.positive, { behaviours: 2, selfMean: 4.5, othersMean: 3.21, othersCount: 14, gap: 1.29, othersSeenRate: null })
  // Distributions (1 to 5) summed over B1 and B2: self 5, 4; LM 3, 4; peers 2, 3, 2 | 4, 5, 3;
  // others (reports and other) 4, 3, 1 | 4, 5, 2.
  t.same(v1.positive!.groups, [
    { group: 'self', mean: 4.5, count: 2, distribution: [0, 0, 0, 1, 1] },
    { group: 'line_manager', mean: 3.5, count: 2, distribution: [0, 0, 1, 1, 0] },
    { group: 'peer', mean: 3.17, count: 6, distribution: [0, 2, 2, 1, 1] },
    { group: 'others', mean: 3.17, count: 6, distribution: [1, 1, 1, 2, 1] }
  ])
  t.match(v1.negative, { behaviours: 1, selfMean: 1, othersMean: 2.57, othersSeenRate: 0.71 })
  // V2 positive = B3, B4 (the suppressed peer cell of B4 stays out): others 4,3 | 4,5,3 | 5,4,2,5,4,2 = 41/11 = 3.73.
  const v2 = report.rollups.find((r) => r.code === 'V2')!
  t.match(v2.positive, { selfMean: 2.5, othersMean: 3.73, othersCount: 11, gap: -1.23 })
  // Peers on V2: B3 4, 5, 3 (B4's withheld cell adds nothing to the bars either).
  t.match(v2.positive!.groups.find((g) => g.group === 'peer'), { mean: 4, count: 3, distribution: [0, 0, 1, 1, 1] })

  // Blind spots: B1 (gap 2.43), N1 (others see it 1.57 more often). Hidden strength: B3 (−1.86).
  t.same(report.blindSpots.map((h) => h.code), ['B1', 'N1'])
  t.same(report.hiddenStrengths.map((h) => [h.code, h.gap]), [['B3', -1.86]])
  // Positives by othersMean: B2 3.86, B3 3.86, B4 3.5, B1 2.57.
  t.same(report.topBehaviours.map((h) => h.code), ['B2', 'B3'])
  t.same(report.bottomBehaviours.map((h) => h.code), ['B1', 'B4'])
  t.same(report.mostSeenNegativeBehaviours.map((h) => h.code), ['N1', 'N2'])

  t.same(
    report.comments.map((c) => [c.group, c.text]).sort(),
    [['others', 'other comment'], ['others', 'report comment'], ['peer', 'peer comment'], ['self', 'self comment']]
  )
  t.equal(report.withheldComments, 0)
  t.ok(report.elements.every((e) => JSON.stringify(e.groups.map((g) => g.group)) === JSON.stringify(report.buckets)), 'the merged groups have no column of their own')
  t.notOk(report.comments.some((c) => c.group === 'direct_report' || c.group === 'other'), 'nor a comment label')
})

t.test('a distribution counts ratings by position from the scale minimum, whatever the scale', async (t) => {
  // A 0–3 scale. B1: self 2; peers 0, 3, 3. B2: self not observed; peers 1, 1, 0.
  // N1: peers 7 (off the scale: in the mean, in no bar), 0, 0.
  const rows: Row[] = [
    ['self', [2, null, 0, 0, 0, 0]],
    ['peer', [0, 1, 7, 1, 1, 1]],
    ['peer', [3, 1, 0, 1, 1, 1]],
    ['peer', [3, 0, 0, 1, null, 1]]
  ]
  const report = computeReport(input(rows, { scale: { min: 0, max: 3, labels: [], notObservedAllowed: true } }))
  const cell = (code: string, group: string) => report.elements.find((e) => e.code === code)!.groups.find((g) => g.group === group)!
  t.same(cell('B1', 'peer').distribution, [1, 0, 0, 2], 'distribution[i] counts the ratings equal to min + i')
  t.same(cell('B1', 'self').distribution, [0, 0, 1, 0])
  t.same(cell('B2', 'peer').distribution, [1, 2, 0, 0])
  // An identified cell with nothing rated: no mean, but shown, so an all-zero distribution (not null).
  t.match(cell('B2', 'self'), { count: 0, notObserved: 1, mean: null, distribution: [0, 0, 0, 0], suppressed: false })
  // 7 + 0 + 0 = 7/3 = 2.33 in the mean; only the two zeros have a bar.
  t.match(cell('N1', 'peer'), { count: 3, mean: 2.33, distribution: [2, 0, 0, 0] })
  // B4: two peers rated it, one did not observe it: under the threshold of 3, withheld.
  t.match(cell('B4', 'peer'), { count: 2, notObserved: 1, mean: null, distribution: null, suppressed: true })
  for (const e of report.elements) {
    for (const g of e.groups) {
      if (g.distribution) t.equal(g.distribution.length, 4, `${e.code} ${g.group}: one count per scale point`)
    }
  }
})

t.test('groups still under the threshold when merged are suppressed everywhere', async (t) => {
  const twoPeers: Row[] = [['peer', [1, 1, 5, 1, 1, 5], ['from a small group']], ['peer', [1, 1, 5, 1, 1, 5]]]
  const report = computeReport(input([SELF, MANAGER, ...twoPeers]))
  t.same(report.buckets, ['self', 'line_manager'])
  t.same(report.raterGroups.find((g) => g.group === 'peer'), { group: 'peer', respondents: 2, treatment: 'suppressed' })
  const b1 = report.elements.find((e) => e.code === 'B1')!
  t.match(b1, { selfMean: 5, othersMean: 3, othersCount: 1, gap: 2 }, 'othersMean is the line manager’s alone')
  t.same(b1.groups.map((g) => g.group), ['self', 'line_manager'])
  t.equal(report.withheldComments, 1)
  t.same(report.comments.map((c) => c.text), ['self comment'])
  t.notMatch(JSON.stringify(report), /small group/)
})

t.test('a line manager not identified is one more anonymous rater', async (t) => {
  const twoPeers: Row[] = [PEERS[0], PEERS[1]]
  const merged = computeReport(input([SELF, MANAGER, ...twoPeers], { lineManagerIdentified: false }))
  t.same(merged.buckets, ['self', 'others'])
  t.same(merged.raterGroups.map((g) => [g.group, g.treatment]), [['self', 'identified'], ['line_manager', 'merged'], ['peer', 'merged']])
  // B1 others: 3 (LM), 2, 3 → 2.67.
  t.match(merged.elements.find((e) => e.code === 'B1'), { othersMean: 2.67, othersCount: 3 })
  const alone = computeReport(input([SELF, MANAGER, ...PEERS], { lineManagerIdentified: false }))
  t.same(alone.buckets, ['self', 'peer'], 'a lone unidentified manager is suppressed, not shown')
  t.same(alone.raterGroups.find((g) => g.group === 'line_manager')?.treatment, 'suppressed')
})

t.test('comments are shuffled, not kept in submission order', async (t) => {
  const rows: Row[] = Array.from({ length: 8 }, (_, i) => ['peer', [3, 3, 1, 3, 3, 1], [`comment ${i}`]] as Row)
  const inOrder = rows.map((r) => r[2]![0])
  let step = 0
  const shuffled = computeReport({ ...input(rows), randomIndex: (bound) => (step++ * 7) % bound }).comments.map((c) => c.text)
  t.same([...shuffled].sort(), [...inOrder].sort())
  t.notSame(shuffled, inOrder)
  const byCrypto = new Set(Array.from({ length: 5 }, () => JSON.stringify(computeReport({ ...input(rows), randomIndex: undefined }).comments.map((c) => c.text))))
  t.ok(byCrypto.size > 1, 'a new order on each computation')
})

t.test('an empty assessment reports nothing, without failing', async (t) => {
  const report = computeReport(input([]))
  t.same(report.buckets, [])
  t.same(report.elements.map((e) => [e.code, e.selfMean, e.othersMean, e.gap]), RATED.map((c) => [c, null, null, null]))
  t.same(report.blindSpots, [])
  t.same(report.topBehaviours, [])
  t.same(report.rollups.map((r) => [r.code, r.positive?.othersMean ?? null]), [['V1', null], ['V2', null]])
})
