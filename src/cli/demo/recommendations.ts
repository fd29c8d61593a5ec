/**
 * The recommendations demo: the Stephen Lawrence Inquiry Report (seed 001) with its 70
 * recommendations, the areas and number ranges the May 2007 progress report gives, and the
 * statuses it states — 12–28 positively embedded (through a challenge panel review with evidence,
 * the only route), 2, 29–31 and 55–59 partially embedded, 45–54 and 60–66 continuing challenges —
 * themes of the "Themed Approach", a challenge panel with internal and external members, actions,
 * and indicators holding the workforce figures the report quotes (BME strength of police officers
 * 4.0% → 7.7% …). Seed 002's corporate sources (HMIC, MPA Internal Audit, the Audit Commission)
 * add a few recommendations each.
 *
 * What the papers do not say is the demo's assumption, marked so: which 39 numbers are directed at
 * the police (12–28 and 45–66 here), the wording of each recommendation (its area stands in), the
 * seed 002 sources' recommendations, evidence titles, review dates and action due dates.
 *
 * Recommendations are upserted through the import spec; a recommendation is walked to its status
 * (transitions, evidence, panel reviews) only while it is still not_started, and panels, members,
 * actions, indicators and values are found by their natural keys first, so a second run changes
 * nothing.
 */
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { createAction, transitionAction } from '../../modules/recommendations/actions.repository.js'
import { createEvidence } from '../../modules/recommendations/evidence.repository.js'
import { createIndicator, recordValue } from '../../modules/recommendations/indicators.repository.js'
import { recordPanelReview } from '../../modules/recommendations/panel-reviews.service.js'
import { addMember, createPanel } from '../../modules/recommendations/panels.repository.js'
import { recommendationImport } from '../../modules/recommendations/recommendations.imports.js'
import type { RecommendationImportRow } from '../../modules/recommendations/recommendations.schemas.js'
import { createSource, createTheme } from '../../modules/recommendations/sources.repository.js'
import { transitionRecommendation } from '../../modules/recommendations/status-moves.js'
import type { RecommendationStatus, SourceKind } from '../../modules/recommendations/tables.js'
import { runImport } from '../../platform/bulk/runner.js'
import type { RawRow } from '../../platform/bulk/readers.js'
import { inTransaction, type Actor, type ChangeSet } from '../../platform/changes.js'
import type { DemoPlan, DemoStep } from '../seed-demo.js'
import { createRandom } from './random.js'

type Row = Static<typeof RecommendationImportRow>

const THEMES = [
  ['TRUST', 'Trust and confidence of minority ethnic communities'],
  ['RACIST-INCIDENTS', 'Racist incidents and crime'],
  ['COMMUNITY', 'Community engagement and independent advice'],
  ['WORKFORCE', 'A workforce that reflects London: recruitment, retention and progression'],
  ['LEARNING', 'Race and diversity learning and development'],
  ['STOP-SEARCH', 'Stop and search/account'],
  ['OVERSIGHT', 'Oversight, governance and organisational learning']
] as const

interface Area {
  from: number
  to: number
  area: string
  themes: string[]
  owner: string | null
  /** The status the 2007 report states; `embedded` comes from a panel review, the rest by the route in `walk`. */
  status: RecommendationStatus
}

/** Seed 001's areas by number range; 1, 3–11, 32–44 and 67–70 are not named by it (not measured). */
const AREAS: Area[] = [
  { from: 1, to: 1, area: 'Openness, accountability and the restoration of confidence', themes: ['TRUST', 'OVERSIGHT'], owner: 'OU-BOARD-DIV', status: 'in_progress' },
  { from: 2, to: 2, area: 'Measuring, monitoring and assessing disproportionality', themes: ['TRUST', 'OVERSIGHT'], owner: 'OU-DCP-DCFD', status: 'partially_embedded' },
  { from: 3, to: 11, area: 'Openness, accountability and the restoration of confidence', themes: ['TRUST', 'OVERSIGHT'], owner: 'OU-BOARD-DIV', status: 'in_progress' },
  { from: 12, to: 14, area: 'The definition of racist incident', themes: ['RACIST-INCIDENTS'], owner: 'OU-DCP-DCFD', status: 'embedded' },
  { from: 15, to: 17, area: 'Reporting and recording of racist incidents and crimes', themes: ['RACIST-INCIDENTS'], owner: 'OU-DCP-DCFD', status: 'embedded' },
  { from: 18, to: 22, area: 'Police practice and the investigation of racist crime', themes: ['RACIST-INCIDENTS', 'TRUST'], owner: 'OU-DCP-DCFD', status: 'embedded' },
  { from: 23, to: 28, area: 'Family liaison officers and associated procedures', themes: ['TRUST'], owner: 'OU-DCP-DCFD', status: 'embedded' },
  { from: 29, to: 31, area: 'Victims and witnesses (and community engagement through IAGs, rec. 30)', themes: ['COMMUNITY', 'TRUST'], owner: 'OU-DCP-DCFD', status: 'partially_embedded' },
  { from: 32, to: 44, area: 'Prosecution of racist crimes and other police practice', themes: ['RACIST-INCIDENTS'], owner: 'OU-DCP-DCFD', status: 'in_progress' },
  { from: 45, to: 54, area: 'Race and diversity learning and development', themes: ['LEARNING'], owner: 'OU-HRD-LA', status: 'continuing_challenge' },
  { from: 55, to: 59, area: 'Employment, discipline and complaints', themes: ['WORKFORCE'], owner: 'OU-HRD-CMU', status: 'partially_embedded' },
  { from: 60, to: 63, area: 'Stop and search/account', themes: ['STOP-SEARCH', 'TRUST'], owner: 'OU-DCP-DCFD', status: 'continuing_challenge' },
  { from: 64, to: 66, area: 'Recruitment, retention and progression', themes: ['WORKFORCE'], owner: 'OU-HRD-REC', status: 'continuing_challenge' },
  // Directed at others (education, local government): no MPS owner, so they show among the exceptions.
  { from: 67, to: 70, area: 'Prevention and the role of education', themes: ['TRUST'], owner: null, status: 'not_started' }
]

/** The demo's assumption: 39 recommendations directed at the police, 12–28 and 45–66. */
const directedTo = (n: number) => ((n >= 12 && n <= 28) || (n >= 45 && n <= 66) ? 'Police Services' : n >= 67 ? 'Local education authorities and others' : 'Home Secretary, police authorities and others')

const PANEL_MEMBERS = [
  { name: 'Deputy Assistant Commissioner, Diversity and Citizen Focus', membership: 'internal', organisation: 'MPS', role: 'chair' },
  { name: 'Detective Chief Superintendent, Diversity and Citizen Focus Directorate', membership: 'internal', organisation: 'MPS', role: 'member' },
  { name: 'Commission for Racial Equality representative', membership: 'external', organisation: 'Commission for Racial Equality', role: 'member' },
  { name: 'Police Foundation representative', membership: 'external', organisation: 'Police Foundation', role: 'member' },
  { name: 'Metropolitan Police Authority member', membership: 'external', organisation: 'Metropolitan Police Authority', role: 'member' },
  { name: 'Member of the original Stephen Lawrence Inquiry', membership: 'external', organisation: 'Stephen Lawrence Inquiry', role: 'adviser' }
] as const

/** Evidence per embedded area (demo's assumption); 15–17's audit expired at the end of 2008, so they show as embedded without current evidence. */
const EVIDENCE: Record<string, { title: string; kind: 'document' | 'data'; effectiveOn: string; expiresOn: string | null }> = {
  'The definition of racist incident': { title: 'MPS racist incident policy using the Inquiry’s definition', kind: 'document', effectiveOn: '2000-04-01', expiresOn: null },
  'Reporting and recording of racist incidents and crimes': { title: 'Racist incident recording audit 2006/07', kind: 'data', effectiveOn: '2007-04-30', expiresOn: '2008-12-31' },
  'Police practice and the investigation of racist crime': { title: 'Community Safety Units in every borough: investigation standards', kind: 'document', effectiveOn: '2005-06-01', expiresOn: null },
  'Family liaison officers and associated procedures': { title: 'Family liaison officer deployment and training records', kind: 'data', effectiveOn: '2006-12-31', expiresOn: null }
}

const REVIEWED_ON = '2007-10-15'
const NEXT_REVIEW = '2008-10-15'
/** The panel reviewed 12–31 (embedded and partially embedded) and 60–63 (not embedded) in October 2007 (demo's assumption). */
const reviewedByPanel = (n: number) => (n >= 12 && n <= 31) || (n >= 60 && n <= 63)

const SEED_002_SOURCES: Array<{ code: string; title: string; kind: SourceKind; body: string; published: string; recs: string[] }> = [
  {
    code: 'HMIC-2008',
    title: 'HMIC inspection of the MPS: organisational learning',
    kind: 'inspection',
    body: 'HM Inspectorate of Constabulary',
    published: '2008-11-01',
    recs: [
      'Capture and share the strategic learning from inspections, audits, scrutinies and high-profile events',
      'Report progress on inspection recommendations to Performance Board with evidence of improvement',
      'Give each corporate learning issue a named SMT lead'
    ]
  },
  {
    code: 'MPA-IA-2008',
    title: 'MPA Internal Audit: recommendation tracking',
    kind: 'audit',
    body: 'MPA Internal Audit',
    published: '2008-07-01',
    recs: ['Keep an auditable trail of outcomes for each recommendation accepted', 'Review implemented recommendations for evidence that they are embedded']
  },
  {
    code: 'AC-2008',
    title: 'Audit Commission: use of resources',
    kind: 'audit',
    body: 'Audit Commission',
    published: '2008-09-01',
    recs: ['Integrate risk assessments with the performance management framework', 'Benchmark capability across business groups and share best practice']
  }
]

/** Seed 001, paragraphs 38–40: BME and female strength, as at December 1999, December 2005 and the report (May 2007). */
const INDICATORS = [
  { code: 'BME-OFFICERS', title: 'BME strength: police officers', target: 25, values: [['1999-12-31', 4.0], ['2005-12-31', 7.7]] },
  { code: 'BME-SPECIALS', title: 'BME strength: Metropolitan Special Constabulary', target: 25, values: [['1999-12-31', 15.8], ['2005-12-31', 29]] },
  { code: 'BME-STAFF', title: 'BME strength: police staff', target: 25, values: [['1999-12-31', 15.6], ['2005-12-31', 22.7]] },
  { code: 'BME-PCSO', title: 'BME strength: PCSOs', target: 25, values: [['2007-05-24', 32.9]] },
  { code: 'FEMALE-OFFICERS', title: 'Female strength: police officers', target: null, values: [['2007-05-24', 20.3]] },
  { code: 'FEMALE-SPECIALS', title: 'Female strength: Metropolitan Special Constabulary', target: null, values: [['2007-05-24', 31.2]] },
  { code: 'FEMALE-STAFF', title: 'Female strength: police staff', target: null, values: [['2007-05-24', 58.6]] },
  { code: 'FEMALE-PCSO', title: 'Female strength: PCSOs', target: null, values: [['2007-05-24', 33.8]] }
] as const

async function* rowsOf(values: Row[]): AsyncGenerator<RawRow> {
  let line = 0
  for (const value of values) yield { line: ++line, value: value as unknown as Record<string, unknown> }
}

async function importRows(db: Db, rows: Row[], actor: Actor) {
  const result = await runImport(db, recommendationImport, rowsOf(rows), { format: 'json', dryRun: false, atomic: true, actor })
  if (!result.committed) throw new Error(`recommendations demo import failed: ${JSON.stringify(result.failures[0])}`)
  return result.counts
}

export const recommendationsDemo: DemoStep = {
  module: 'recommendations',
  async run(db: Db, plan: DemoPlan, { actor, seed }) {
    const random = createRandom(seed).fork('recommendations')
    const units = new Set(plan.orgUnits.map((u) => u.externalId).concat('OU-MPS'))
    const inUnit = (prefix: string) => plan.people.filter((p) => p.row.orgUnitExternalId.startsWith(prefix)).map((p) => p.row.externalId)
    const diversityLead = random.pick(inUnit('OU-DCP-DCFD').length ? inUnit('OU-DCP-DCFD') : plan.people.map((p) => p.row.externalId))
    const tx = <T>(work: (changes: ChangeSet) => Promise<T>) => inTransaction(db, actor, work)

    // Sources and themes, by code.
    const sourceIds = new Map((await db.selectFrom('recommendation_sources').select(['code', 'id']).execute()).map((s) => [s.code, s.id]))
    const ensureSource = async (code: string, fields: Parameters<typeof createSource>[1]) => {
      if (!sourceIds.has(code)) sourceIds.set(code, (await tx((c) => createSource(c, fields))).id)
      return sourceIds.get(code)!
    }
    await ensureSource('SLIR', {
      code: 'SLIR',
      title: 'The Stephen Lawrence Inquiry Report',
      kind: 'inquiry',
      issuingBody: 'Sir William Macpherson of Cluny, for the Home Secretary',
      publishedOn: '1999-02-24',
      reference: 'Cm 4262-I',
      description: '70 recommendations, 39 directed specifically at the Police Service. Progress reported to the MPA Equal Opportunities & Diversity Board, 24 May 2007.'
    })
    for (const s of SEED_002_SOURCES) await ensureSource(s.code, { code: s.code, title: s.title, kind: s.kind, issuingBody: s.body, publishedOn: s.published })
    const themes = new Set((await db.selectFrom('recommendation_themes').select('code').execute()).map((t) => t.code))
    for (const [code, title] of THEMES) if (!themes.has(code)) await tx((c) => createTheme(c, { code, title }))

    // The recommendations, through the import spec (upsert by externalId; status left to the walk below).
    const rows: Row[] = []
    for (const a of AREAS) {
      for (let n = a.from; n <= a.to; n++) {
        rows.push({
          externalId: `SLIR-${n}`,
          sourceCode: 'SLIR',
          number: String(n),
          title: `${a.area} (recommendation ${n})`,
          area: a.area,
          directedTo: directedTo(n),
          themeCodes: a.themes.join('|'),
          ownerOrgUnitExternalId: a.owner && units.has(a.owner) ? a.owner : null,
          ownerPersonExternalId: a.owner ? diversityLead : null,
          priority: a.status === 'continuing_challenge' ? 'high' : 'medium',
          impact: n >= 12 && n <= 28 ? 'high' : null,
          targetDate: a.status === 'not_started' ? null : '2008-03-31',
          // What the panel's reviews set, so a second run finds the row as it left it.
          nextReviewDate: reviewedByPanel(n) ? NEXT_REVIEW : null
        } as Row)
      }
    }
    for (const s of SEED_002_SOURCES) {
      s.recs.forEach((title, i) =>
        rows.push({ externalId: `${s.code}-${i + 1}`, sourceCode: s.code, number: String(i + 1), title, area: 'Organisational learning', themeCodes: 'OVERSIGHT', ownerOrgUnitExternalId: units.has('OU-DOR') ? 'OU-DOR' : null, targetDate: '2009-12-31' } as Row)
      )
    }
    const counts = await importRows(db, rows, actor)

    const recs = new Map(
      (await db.selectFrom('recommendations').select(['id', 'external_id', 'status']).where('external_id', 'in', rows.map((r) => r.externalId)).execute()).map((r) => [r.external_id!, r])
    )
    const idOf = (n: number) => recs.get(`SLIR-${n}`)!.id
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => idOf(from + i))

    // The challenge panel and its members.
    let panel = await db.selectFrom('challenge_panels').select('id').where('code', '=', 'SLIR-CP').executeTakeFirst()
    if (!panel) {
      panel = await tx((c) =>
        createPanel(c, { code: 'SLIR-CP', name: 'SLIR Challenge Panel', termsOfReference: 'Assess each recommendation to establish its status as embedded or otherwise (seed 001, paragraph 10).' })
      )
    }
    const panelId = panel.id
    const existing = new Set((await db.selectFrom('challenge_panel_members').select('name').where('panel_id', '=', panelId).execute()).map((m) => m.name))
    for (const m of PANEL_MEMBERS) if (!existing.has(m.name)) await tx((c) => addMember(c, panelId, { ...m, joinedOn: '2007-06-01' }))
    const memberIds = (await db.selectFrom('challenge_panel_members').select('id').where('panel_id', '=', panelId).orderBy('name').execute()).map((m) => m.id)

    // Walk each recommendation still at not_started to the status the report states.
    let walked = 0
    let reviews = 0
    const review = (id: string, verdict: 'embedded' | 'partially_embedded' | 'not_embedded', evidenceIds: string[], rationale: string) =>
      tx((c) =>
        recordPanelReview(c, id, { panelId, reviewedOn: REVIEWED_ON, memberIds, evidenceIds, verdict, rationale, nextReviewOn: NEXT_REVIEW })
      ).then(() => reviews++)
    const move = (id: string, to: RecommendationStatus, rationale: string) => tx((c) => transitionRecommendation(c, id, { to, rationale }))
    for (const a of AREAS) {
      for (let n = a.from; n <= a.to; n++) {
        const rec = recs.get(`SLIR-${n}`)!
        if (rec.status !== 'not_started' || a.status === 'not_started') continue
        walked++
        await move(rec.id, 'in_progress', 'SLIR action plan (Home Secretary, 1999)')
        if (a.status === 'embedded') {
          const e = EVIDENCE[a.area]
          const evidence = await tx((c) => createEvidence(c, rec.id, { kind: e.kind, title: e.title, effectiveOn: e.effectiveOn, expiresOn: e.expiresOn }))
          await review(rec.id, 'embedded', [evidence.id], 'Positively embedded: a directly attributable outcome of the SLIR (progress report, 24 May 2007, para. 14).')
        } else if (a.status === 'partially_embedded' && n >= 29 && n <= 31) {
          const evidence = await tx((c) =>
            createEvidence(c, rec.id, { kind: 'narrative', title: 'Victims Charter review and IAG consultation', effectiveOn: '2007-05-24', description: 'Implemented in some, but not all, areas of the business.' })
          )
          await review(rec.id, 'partially_embedded', [evidence.id], 'Implemented in some but not all areas; no mechanism yet to measure progress (para. 15).')
        } else if (a.status === 'partially_embedded') {
          await move(rec.id, 'partially_embedded', 'Implemented in some, but not all, areas of the business (progress report, para. 15).')
        } else if (a.status === 'continuing_challenge' && n >= 60 && n <= 63) {
          await review(rec.id, 'not_embedded', [], 'Well-documented evidence that disproportionality still exists in the use of these powers (para. 30).')
        } else if (a.status === 'continuing_challenge') {
          await move(rec.id, 'continuing_challenge', 'Significant challenges still face the organisation in this area (para. 26).')
        }
      }
    }

    // Actions, by externalId.
    const actions: Array<{ externalId: string; title: string; dueOn: string; recs: string[]; to?: 'in_progress' | 'done' }> = [
      { externalId: 'SLIR-ACT-DPMF', title: 'Implement the Diversity Performance Management Framework', dueOn: '2007-12-31', recs: [idOf(2), ...range(29, 31), ...range(55, 59)], to: 'in_progress' },
      { externalId: 'SLIR-ACT-PENNANT', title: 'Operation Pennant: performance framework for stop and search/account', dueOn: '2006-10-31', recs: range(60, 63), to: 'done' },
      { externalId: 'SLIR-ACT-IAG', title: 'Review the Independent Advisory Group process', dueOn: '2008-03-31', recs: [idOf(30)], to: 'in_progress' },
      { externalId: 'SLIR-ACT-PRDLDP', title: 'Seek renegotiated PRDLDP timescales with the Home Office', dueOn: '2007-12-31', recs: range(45, 54) },
      { externalId: 'SLIR-ACT-PROMOTING-DIFFERENCE', title: 'Promoting Difference Programme for BME and female staff', dueOn: '2009-12-31', recs: range(64, 66), to: 'in_progress' },
      { externalId: 'SLIR-ACT-THEMED', title: 'Integrate SLIR with the Themed Approach (Morris inquiry, CRE investigation)', dueOn: '2008-06-30', recs: range(1, 11) }
    ]
    const knownActions = new Set((await db.selectFrom('recommendation_actions').select('external_id').where('external_id', 'like', 'SLIR-ACT-%').execute()).map((a) => a.external_id))
    let actionsCreated = 0
    for (const a of actions) {
      if (knownActions.has(a.externalId)) continue
      actionsCreated++
      await tx(async (c) => {
        const created = await createAction(c, { externalId: a.externalId, title: a.title, dueOn: a.dueOn, recommendationIds: a.recs, ownerOrgUnitId: null })
        if (a.to) await transitionAction(c, created.id, { to: 'in_progress' })
        if (a.to === 'done') await transitionAction(c, created.id, { to: 'done', completedOn: a.dueOn })
      })
    }

    // Indicators with the workforce figures, for the whole service.
    const service = await db.selectFrom('org_units').select('id').where('external_id', '=', 'OU-MPS').executeTakeFirst()
    let values = 0
    for (const ind of INDICATORS) {
      let indicator = await db.selectFrom('indicators').select('id').where('code', '=', ind.code).executeTakeFirst()
      if (!indicator) {
        indicator = await tx((c) =>
          createIndicator(c, { code: ind.code, title: ind.title, unit: '%', direction: 'higher_is_better', target: ind.target, recommendationIds: range(64, 66) })
        )
      }
      if (!service) continue
      const have = new Set((await db.selectFrom('indicator_values').select('period').where('indicator_id', '=', indicator.id).where('org_unit_id', '=', service.id).execute()).map((v) => v.period))
      for (const [day, value] of ind.values) {
        const period = `${day}/${day}`
        if (have.has(period)) continue
        values++
        await tx((c) => recordValue(c, indicator!.id, { orgUnitId: service.id, period, value }))
      }
    }

    const statuses = await db
      .selectFrom('recommendations as r')
      .innerJoin('recommendation_sources as s', 's.id', 'r.source_id')
      .select(['r.status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('s.code', '=', 'SLIR')
      .groupBy('r.status')
      .orderBy('r.status')
      .execute()
    return [
      `sources          ${sourceIds.size} (SLIR and ${SEED_002_SOURCES.length} from seed 002); ${THEMES.length} themes`,
      `recommendations  ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged; ${walked} walked to their status, ${reviews} panel reviews`,
      `SLIR statuses    ${statuses.map((s) => `${s.status} ${Number(s.n)}`).join(', ')}`,
      `actions          ${actionsCreated} created; indicator values ${values} recorded`
    ]
  }
}
