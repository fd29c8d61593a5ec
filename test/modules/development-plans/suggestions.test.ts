/**
 * Suggestions and objectives from a released 360° report, against a case worked by hand.
 *
 * Framework (2016, copied as 2024 with the same lineages): value V1 with behaviours B1, B2 and the
 * negative B3; value V2 with B4 and B5. Scale 1–5. The assessment rates the 2024 copy; three peers
 * (a reported group) and the subject (self, never counted in others' means) respond.
 *
 *   behaviour  peers    others' mean  need
 *   B1 (+)     2 2 3    2.33          (5 − 2.33) / 4 = 0.6675
 *   B2 (+)     4 4 4    4             (5 − 4) / 4    = 0.25
 *   B3 (−)     3 4 5    4             (4 − 1) / 4    = 0.75   (how often it is seen)
 *   B4 (+)     3 3 3    3             (5 − 3) / 4    = 0.5
 *   B5 (+)     5 5 5    5             0
 *   V1: (0.6675 + 0.25 + 0.75) / 3 = 0.5558;  V2: (0.5 + 0) / 2 = 0.25
 *
 * Largest 3 gaps: B3 0.75, B1 0.6675, B4 0.5. Programmes (all active unless said):
 *   P1 → 2016 V1             covers B3, B1   score 1.4175
 *   P2 → 2024 B4             covers B4       score 0.5
 *   P3 → 2016 B1, 2016 B4    covers B1, B4   score 1.1675
 *   P4 → 2016 B1, but grade level 5+ only (the subject is level 3): left out
 *   P5 → 2016 B5, 2016 B2    covers none of the 3 (B2 is 4th): left out; with top=5 it scores 0.25
 *   P6 → 2016 V1, a draft: left out
 * Ranking: P1, P3, P2. With top=5 (B2 joins at 0.25; B5 has no need): P1 1.6675, P3 1.1675, P2 0.5, P5 0.25.
 */
import t from 'tap'
import { sql } from 'kysely'
import { up as removeStoredGapFigures } from '../../../migrations/0012_objective_gap_figures.js'
import { analyseGaps, behaviourNeed, largestGaps } from '../../../src/modules/development-plans/gaps.js'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildPlansApp, HR, READER } from './factories.js'

/** Reads 360° reports (and plans): sees the figures, as the feedback module lets it read the report. */
const ASSESSOR = { scopes: ['development-plans:read', 'assessments:read'], sub: 'assessor' }
/** HR who may draft any plan and read 360° reports. */
const HR_ASSESSOR = { scopes: ['development-plans:write', 'assessments:read'], sub: 'hr-assessor' }

t.test('the gap rule, as a function', async (t) => {
  t.equal(behaviourNeed('positive', 2.33, 1, 5), 0.6675)
  t.equal(behaviourNeed('negative', 4, 1, 5), 0.75)
  t.equal(behaviourNeed('negative', 1, 1, 5), 0, 'a negative behaviour never seen has no need')
  t.equal(behaviourNeed('positive', 5, 1, 5), 0)
  t.equal(behaviourNeed('positive', null, 1, 5), null, 'a suppressed mean gives no need')
  const tree = [
    { id: 'c', lineageId: 'lc', parentId: null, kind: 'competency', code: 'C', title: 'C', polarity: 'positive' as const },
    { id: 'x', lineageId: 'lx', parentId: 'c', kind: 'behaviour', code: 'X', title: 'X', polarity: 'positive' as const },
    { id: 'y', lineageId: 'ly', parentId: 'c', kind: 'behaviour', code: 'Y', title: 'Y', polarity: 'negative' as const },
    { id: 'z', lineageId: 'lz', parentId: 'c', kind: 'behaviour', code: 'Z', title: 'Z', polarity: 'positive' as const }
  ]
  const means = new Map([
    ['x', { othersMean: 3, selfMean: 5 }],
    ['y', { othersMean: 2, selfMean: 1 }],
    ['z', { othersMean: null, selfMean: 4 }]
  ])
  const analysis = analyseGaps(tree, means, { min: 1, max: 5 })
  t.same(analysis.behaviours.map((g) => [g.code, g.need]), [['X', 0.5], ['Y', 0.25]], 'suppressed Z has no need')
  t.same(analysis.areas.map((g) => [g.code, g.need]), [['C', 0.375]])
  t.same(largestGaps(analysis, 1).map((g) => g.code), ['X'])
})

const api = await buildPlansApp()
t.teardown(() => api.close())

const TREE: Array<[string, string | null, string, 'positive' | 'negative']> = [
  ['V1', null, 'value', 'positive'],
  ['B1', 'V1', 'behaviour', 'positive'],
  ['B2', 'V1', 'behaviour', 'positive'],
  ['B3', 'V1', 'behaviour', 'negative'],
  ['V2', null, 'value', 'positive'],
  ['B4', 'V2', 'behaviour', 'positive'],
  ['B5', 'V2', 'behaviour', 'positive']
]
const v2016 = await api.framework(TREE)
const v2024 = await api.framework(TREE, v2016.lineages)
const e16 = (code: string) => v2016.elements.get(code)!.id
const e24 = (code: string) => v2024.elements.get(code)!.id

const { manager, owner, colleague } = await api.team()
const grade = await api.grade({ level: 3, staffType: 'officer' })
await api.patch(`/v1/people/${owner.id}`, { gradeId: grade.id, staffType: 'officer' })

const peers = [[2, 4, 3, 3, 5], [2, 4, 4, 3, 5], [3, 4, 5, 3, 5]]
const ratings = (values: number[]) => Object.fromEntries(['B1', 'B2', 'B3', 'B4', 'B5'].map((code, i) => [e24(code), values[i]]))
const assessmentId = await api.assessmentWithResponses(owner.id, v2024.id, [
  ...peers.map((values) => ({ group: 'peer', ratings: ratings(values) })),
  { group: 'self', ratings: ratings([5, 5, 1, 5, 5]) }
])

const P1 = await api.activeProgramme({ title: 'P1 Integrity in practice', frameworkElementIds: [e16('V1')] })
const P2 = await api.activeProgramme({ title: 'P2 Respect workshop', frameworkElementIds: [e24('B4')] })
const P3 = await api.activeProgramme({ title: 'P3 Coaching for leaders', frameworkElementIds: [e16('B1'), e16('B4')] })
await api.activeProgramme({ title: 'P4 Senior leaders', frameworkElementIds: [e16('B1')], eligibility: { levelMin: 5 } })
const P5 = await api.activeProgramme({ title: 'P5 Everyday respect', frameworkElementIds: [e16('B5'), e16('B2')] })
await api.programme({ title: 'P6 Draft', frameworkElementIds: [e16('V1')] })
const openCohort = await api.cohort({ programmeId: P1.id, status: 'open', startsOn: '2030-05-01', endsOn: '2030-05-02' })
await api.cohort({ programmeId: P1.id, status: 'planned', startsOn: '2030-06-01', endsOn: '2030-06-02' })

t.test('programmes ranked by the largest gaps they cover, matched by lineage, eligible only', async (t) => {
  const res = await api.get(`/v1/assessments/${assessmentId}/suggestions?top=3`, api.as(owner))
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(body.scale, { min: 1, max: 5 })
  t.equal(body.figures, true, 'the subject sees the figures')
  t.same(body.gaps.map((g: any) => [g.code, g.othersMean, g.need]), [['B3', 4, 0.75], ['B1', 2.33, 0.6675], ['B4', 3, 0.5]])
  t.same(body.gaps.map((g: any) => g.elementId), [e24('B3'), e24('B1'), e24('B4')])
  t.same(body.areas.map((g: any) => [g.code, g.need]), [['V1', 0.5558], ['V2', 0.25]])
  t.same(body.suggestions.map((s: any) => [s.title, s.score, s.covers]), [
    ['P1 Integrity in practice', 1.4175, [e24('B3'), e24('B1')]],
    ['P3 Coaching for leaders', 1.1675, [e24('B1'), e24('B4')]],
    ['P2 Respect workshop', 0.5, [e24('B4')]]
  ])
  t.same(body.suggestions[0].openCohorts.map((c: any) => c.id), [openCohort.id], 'only the open cohort')
  t.same(body.suggestions.map((s: any) => s.programmeId), [P1.id, P3.id, P2.id])

  const wider = (await api.get(`/v1/assessments/${assessmentId}/suggestions?top=5`, ASSESSOR)).json()
  t.same(wider.gaps.map((g: any) => g.code), ['B3', 'B1', 'B4', 'B2'], 'B5 has no need')
  t.same(wider.suggestions.map((s: any) => [s.programmeId, s.score]), [[P1.id, 1.6675], [P3.id, 1.1675], [P2.id, 0.5], [P5.id, 0.25]])
})

t.test('the line manager and development-plans:read get the ranking without the report’s figures', async (t) => {
  const full = (await api.get(`/v1/assessments/${assessmentId}/suggestions?top=3`, api.as(owner))).json()
  for (const [who, call] of [['line manager', api.as(manager)], ['development-plans:read', READER]] as const) {
    const res = await api.get(`/v1/assessments/${assessmentId}/suggestions?top=3`, call)
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.equal(body.figures, false, `${who}: figures withheld`)
    t.same(body.gaps.map((g: any) => [g.code, g.elementId]), full.gaps.map((g: any) => [g.code, g.elementId]), `${who}: the same gaps, in the same order`)
    t.same(body.areas.map((g: any) => g.code), ['V1', 'V2'], `${who}: the same areas, in the same order`)
    for (const g of [...body.gaps, ...body.areas]) t.same([g.othersMean, g.selfMean, g.need], [null, null, null], `${who}: no means or need for ${g.code}`)
    t.same(body.suggestions.map((s: any) => [s.programmeId, s.score, s.covers]), full.suggestions.map((s: any) => [s.programmeId, null, s.covers]), `${who}: the same programmes, no scores`)
    for (const figure of ['2.33', '0.6675', '0.75', '1.4175', '0.5558']) t.notOk(res.body.includes(figure), `${who}: ${figure} appears nowhere`)
  }
  const assessor = (await api.get(`/v1/assessments/${assessmentId}/suggestions?top=3`, ASSESSOR)).json()
  t.equal(assessor.figures, true)
  t.same(assessor.gaps, full.gaps, 'assessments:read sees what the subject sees')
})

t.test('the subject, their line manager and readers see suggestions; others do not; only released reports', async (t) => {
  t.equal((await api.get(`/v1/assessments/${assessmentId}/suggestions`, api.as(manager))).statusCode, 200)
  expectProblem(t, await api.get(`/v1/assessments/${assessmentId}/suggestions`, api.as(colleague)), 404, 'not-found')
  expectProblem(t, await api.get(`/v1/assessments/${assessmentId}/suggestions`, { scopes: ['programmes:read'] }), 403, 'forbidden')
  expectProblem(t, await api.get('/v1/assessments/00000000-0000-4000-8000-000000000000/suggestions', READER), 404, 'not-found')
  const closed = await api.assessmentWithResponses(owner.id, v2024.id, [], 'closed')
  expectProblem(t, await api.get(`/v1/assessments/${closed}/suggestions`, api.as(owner)), 409, 'gaps-report-not-released')
})

t.test('objectives from the report’s gaps', async (t) => {
  const plan = await api.plan(owner.id, {}, api.as(owner))
  const res = await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, count: 2 }, api.as(owner))
  t.equal(res.statusCode, 201, res.body)
  const made = res.json().data
  t.same(made.map((o: any) => [o.title, o.source.kind, o.source.elementId, o.priority]), [
    ['Show less often: Title of B3', 'feedback_gap', e24('B3'), 'high'],
    ['Develop: Title of B1', 'feedback_gap', e24('B1'), 'high']
  ])
  t.same(made[1].source.detail, { code: 'B1', title: 'Title of B1', kind: 'behaviour', polarity: 'positive', scaleMin: 1, scaleMax: 5 }, 'the element and the scale, no figures')
  t.same(made[1].frameworkElementIds, [e24('B1')])
  t.equal(made[1].successMeasure, 'At the next 360° feedback others rate it higher than in this report', 'the generated text names no figure')
  t.equal(made[0].successMeasure, 'At the next 360° feedback others see it less often than in this report')
  t.same((await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, count: 2 }, api.as(owner))).json().data, [], 'taken gaps are skipped')

  const one = await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'Respect', source: 'feedback_gap', assessmentId, elementId: e24('B4') }, api.as(owner))
  t.equal(one.statusCode, 201, one.body)
  t.same(one.json().source, { kind: 'feedback_gap', assessmentId, elementId: e24('B4'), psychometricResultId: null, enrolmentId: null, detail: { code: 'B4', title: 'Title of B4', kind: 'behaviour', polarity: 'positive', scaleMin: 1, scaleMax: 5 } })

  const missing = expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'feedback_gap', assessmentId }, api.as(owner)), 400, 'validation')
  t.same(missing.errors?.map((e) => e.pointer), ['/elementId'])
  const area = expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, elementIds: [e24('V1')] }, api.as(owner)), 422, 'invalid-reference')
  t.same(area.errors?.map((e) => e.pointer), ['/elementIds/0'])
  const theirs = await api.plan(colleague.id, {}, HR)
  expectProblem(t, await api.post(`/v1/development-plans/${theirs.id}/gap-objectives`, { assessmentId }, HR_ASSESSOR), 422, 'invalid-reference')
  t.equal((await api.getPlan(plan.id)).objectives.length, 3)
})

t.test('objectives from a report: only its subject or assessments:read; HR with plan scopes only is refused', async (t) => {
  const plan = await api.plan(owner.id, { period: '2027/28' }, HR)
  const objectivesBefore = (await api.getPlan(plan.id)).objectives.length
  const gaps = expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, count: 2 }, HR), 403, 'forbidden')
  t.match(gaps.detail, /assessments:read/)
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'x', source: 'feedback_gap', assessmentId, elementId: e24('B4') }, HR), 403, 'forbidden')
  t.equal((await api.getPlan(plan.id)).objectives.length, objectivesBefore, 'nothing written')
  // The line manager may not draft the plan at all; a stranger does not see it.
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId }, api.as(manager)), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId }, api.as(colleague)), 404, 'not-found')
  const made = await api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, count: 1 }, HR_ASSESSOR)
  t.equal(made.statusCode, 201, made.body)
  t.same(made.json().data.map((o: any) => o.source.elementId), [e24('B3')], 'HR with assessments:read may')
})

t.test('audit records and events of objectives from a report carry no figures', async (t) => {
  const plan = await api.plan(owner.id, { period: '2028/29' }, api.as(owner))
  const made = (await api.expect(201, api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, count: 3 }, api.as(owner)))).data
  const ids = made.map((o: any) => o.id)
  const one = await api.expect(201, api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'Respect', source: 'feedback_gap', assessmentId, elementId: e24('B2') }, api.as(owner)))
  ids.push(one.id)
  // A change, so there is a before and an after as well.
  await api.expect(200, api.patch(`/v1/development-objectives/${ids[0]}`, { title: 'Show it less' }, api.as(owner)))
  const events = (await api.all<any>('/v1/events?type=development-objective.*&limit=500')).filter((e) => ids.includes(e.entityId))
  const audits = (await Promise.all(ids.map((id: string) => api.all<any>(`/v1/audit-records?entityId=${id}&limit=100`)))).flat()
  t.equal(events.length, 5, 'four created, one updated')
  t.equal(audits.length, 5)
  const text = JSON.stringify([events, audits])
  for (const key of ['othersMean', 'selfMean', '"need"']) t.notOk(text.includes(key), `no ${key}`)
  for (const figure of ['2.33', '0.6675', '0.75']) t.notOk(text.includes(figure), `${figure} appears nowhere`)
  t.match(events[0].data.source, { kind: 'feedback_gap', assessmentId, elementId: e24('B3'), detail: { code: 'B3', scaleMin: 1, scaleMax: 5 } }, 'the source by its ids (and the element)')
})

t.test('migration 0012 removes the figures objectives stored before, and nothing else', async (t) => {
  const db = api.ctx.database.db
  const plan = await api.plan(owner.id, { period: '2029/30' }, api.as(owner))
  const made = (await api.expect(201, api.post(`/v1/development-plans/${plan.id}/gap-objectives`, { assessmentId, count: 1 }, api.as(owner)))).data[0]
  // As an objective made before the fix kept them.
  await sql`update development_objectives set source_detail = source_detail || '{"othersMean": 2.33, "selfMean": 5, "need": 0.6675}'::jsonb where id = ${made.id}`.execute(db)
  const other = await api.expect(201, api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'Own words', source: 'self' }, api.as(owner)))
  await sql`update development_objectives set source_detail = '{"need": "time to read"}'::jsonb where id = ${other.id}`.execute(db)
  await removeStoredGapFigures(db)
  const stored = async (id: string) => (await sql<{ d: unknown }>`select source_detail as d from development_objectives where id = ${id}`.execute(db)).rows[0].d
  t.same(await stored(made.id), { code: made.source.detail.code, title: made.source.detail.title, kind: 'behaviour', polarity: made.source.detail.polarity, scaleMin: 1, scaleMax: 5 })
  t.same(await stored(other.id), { need: 'time to read' }, 'only objectives from a 360° gap are touched')
  await removeStoredGapFigures(db)
  t.same(await stored(made.id), made.source.detail, 'running it again changes nothing')
})
