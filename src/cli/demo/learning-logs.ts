/**
 * The learning logs demo: lessons and notable practice from every source the organisational
 * learning paper (seed 002) names — operational debriefs, employment tribunals, health and safety
 * incidents, inspections (HMIC), audits (MPA Internal Audit, the Audit Commission), complaints,
 * high-profile events and risk assessments — one entry of each source at every stage, carried
 * there through the module's own transitions, so the trail, the search and the reports have
 * something real to show. Deliveries link the demo programmes (Leadership Academy products, the
 * consultation course); inspection and high-profile entries link the recommendations of the
 * recommendations demo (HMIC, the Stephen Lawrence Inquiry) when it has run.
 *
 * Entries are upserted by externalId through the import spec; an entry is moved only when it is at
 * origin, so a second run changes nothing.
 */
import type { Db } from '../../db/database.js'
import { learningLogImport } from '../../modules/learning-logs/entries.imports.js'
import { addLink } from '../../modules/learning-logs/links.repository.js'
import type { TransitionRequest } from '../../modules/learning-logs/stages.js'
import type { SourceKind, Stage } from '../../modules/learning-logs/tables.js'
import { transitionEntry } from '../../modules/learning-logs/transitions.service.js'
import { inTransaction, type Actor } from '../../platform/changes.js'
import { runImport } from '../../platform/bulk/runner.js'
import type { RawRow } from '../../platform/bulk/readers.js'
import type { DemoPlan, DemoStep } from '../seed-demo.js'
import { gradeOf } from './organisation.js'
import { createRandom, type Random } from './random.js'

interface Lesson {
  title: string
  summary: string
  notes?: string
  tags: string[]
  /** Business group key (see organisation.ts) where it is identified. */
  group: string
  platform: Array<[kind: 'policy' | 'sop' | 'process', reference: string, description: string]>
  delivery: Array<[kind: 'training' | 'it' | 'role', reference: string, description: string]>
  /** Demo programme codes that deliver it. */
  programmes?: string[]
}

const LESSONS: Record<string, { reference: string; lessons: Lesson[] }> = {
  operational_debrief: {
    reference: 'Operation Kirkwall hot debrief',
    lessons: [
      {
        title: 'Cordon briefing gave no rendezvous point for arriving units',
        summary: 'Units arriving at a firearms incident self-deployed to the inner cordon because the briefing named no rendezvous point; the operational debrief found three units inside the cordon before it was declared safe.',
        notes: 'Raised by the Operational Assistant Commissioner’s debrief team. Similar findings in two borough debriefs.',
        tags: ['cordon', 'firearms', 'briefing'], group: 'TP',
        platform: [['sop', 'SOP-CORDON-2009-03', 'Rendezvous point made a mandatory item of the initial briefing']],
        delivery: [['training', 'LA-FLM', 'Cordon management input for first-line managers']], programmes: ['LA-FLM']
      },
      {
        title: 'Radio coverage lost in underground car parks during searches',
        summary: 'Officers searching multi-storey and underground car parks lost Airwave contact; the debrief recorded two welfare checks that could not be made.',
        tags: ['radio', 'officer safety'], group: 'CO',
        platform: [['process', 'PROC-AIRWAVE-DEADSPOT', 'Dead spots reported and mapped by the control room']],
        delivery: [['it', 'CHG-AIRWAVE-4411', 'Coverage map added to the command and control system']]
      }
    ]
  },
  employment_tribunal: {
    reference: 'ET/2201934/2008',
    lessons: [
      {
        title: 'Grievance not acknowledged within policy timescales before a tribunal claim',
        summary: 'An employment tribunal found that a grievance about selection for a specialist post waited eleven weeks for acknowledgement; DHR reviewed the outcome with the B/OCU.',
        notes: 'DHR reviews tribunal outcomes and liaises with B/OCUs on lessons learnt (seed 002).',
        tags: ['grievance', 'fairness at work'], group: 'HRD',
        platform: [['policy', 'POL-FAW-2009', 'Fairness at work policy: acknowledgement within five working days']],
        delivery: [['training', 'CONSULT', 'Managers’ input on handling grievances']], programmes: ['CONSULT']
      },
      {
        title: 'Reasonable adjustments not recorded when staff moved units',
        summary: 'A tribunal found that agreed adjustments for a disabled member of staff were lost on transfer between units because they were held only locally.',
        tags: ['disability', 'reasonable adjustments'], group: 'DOR',
        platform: [['process', 'PROC-ADJUST-TRANSFER', 'Adjustments travel with the personnel record']],
        delivery: [['it', 'CHG-HR-ADJUST', 'Adjustment field added to the HR system'], ['role', 'ROLE-HRBP-2009', 'HR business partners check adjustments on every transfer']]
      }
    ]
  },
  health_and_safety: {
    reference: 'H&S incident 2008/417',
    lessons: [
      {
        title: 'Public order officers dehydrated on long cordons',
        summary: 'Officers held cordons for up to ten hours without water or relief; the health and safety review reflected the results in inspections and training.',
        tags: ['welfare', 'public order'], group: 'CO',
        platform: [['sop', 'SOP-PO-WELFARE', 'Welfare plan required for any cordon over four hours']],
        delivery: [['training', 'PO-LEVEL2-2009', 'Welfare planning added to level 2 public order refresher']]
      },
      {
        title: 'Van cage cleaning not recorded after a blood contamination',
        summary: 'A prisoner van returned to service without decontamination after a detainee was injured; no record showed who had cleaned it.',
        tags: ['custody', 'vehicles', 'infection control'], group: 'TP',
        platform: [['process', 'PROC-VEH-DECON', 'Decontamination log kept in each van']],
        delivery: [['training', 'CUSTODY-2009', 'Custody staff briefing on decontamination']]
      }
    ]
  },
  inspection: {
    reference: 'HMIC inspection 2008',
    lessons: [
      {
        title: 'Recommendations from inspections not tracked to completion',
        summary: 'HMIC found that several recommendations reported as implemented had no evidence of being embedded; the Directorate of Resources now identifies and analyses inspection and audit recommendations.',
        tags: ['inspection', 'performance'], group: 'DOR',
        platform: [['process', 'PROC-REC-TRACKING', 'Recommendations tracked to a challenge panel review']],
        delivery: [['role', 'ROLE-REC-LEADS', 'Recommendation leads named in each business group']]
      },
      {
        title: 'Neighbourhood teams unclear on the definition of a racist incident',
        summary: 'Inspection dip sampling found incidents not recorded as racist although the victim perceived them so, against the definition adopted after the Stephen Lawrence Inquiry.',
        tags: ['hate crime', 'recording'], group: 'TP',
        platform: [['policy', 'POL-RACIST-INCIDENT', 'Recording policy restates the perception-based definition']],
        delivery: [['training', 'IMPACT', 'Definition covered in IMPACT workshops']], programmes: ['IMPACT']
      }
    ]
  },
  audit: {
    reference: 'MPA Internal Audit 2008/09-12',
    lessons: [
      {
        title: 'Overtime authorised after the event without reasons',
        summary: 'MPA Internal Audit found overtime claims authorised retrospectively with no reason recorded in a third of the sample.',
        tags: ['finance', 'overtime'], group: 'DOR',
        platform: [['process', 'PROC-OT-AUTH', 'Prior authorisation with a reason, exceptions reported monthly']],
        delivery: [['it', 'CHG-OT-REASON', 'Reason made mandatory in the overtime system']]
      },
      {
        title: 'Training records incomplete for officers on specialist duties',
        summary: 'An Audit Commission review found that officers deployed on specialist duties had no record of the required refresher training.',
        tags: ['training records', 'specialist'], group: 'SO',
        platform: [['process', 'PROC-TRAIN-RECORDS', 'Refresher dates checked before deployment']],
        delivery: [['it', 'CHG-LMS-ALERTS', 'Learning portal sends refresher alerts'], ['training', 'LA-PORTAL', 'Portal guidance for supervisors']], programmes: ['LA-PORTAL']
      }
    ]
  },
  complaint: {
    reference: 'Complaints review Q3 2008',
    lessons: [
      {
        title: 'Victims not told the outcome of their crime reports',
        summary: 'Analysis of complaints from service users showed victims of burglary were not updated within the agreed 28 days.',
        tags: ['victim care', 'citizen focus'], group: 'TP',
        platform: [['sop', 'SOP-VICTIM-UPDATE', 'Victim contact plan set at the first visit']],
        delivery: [['training', 'CONSULT', 'Consultation skills for neighbourhood officers']], programmes: ['CONSULT']
      },
      {
        title: 'Stop and search records not given to the person searched',
        summary: 'Complaints showed people searched were not offered their record; supervisors did not check it.',
        tags: ['stop and search'], group: 'TP',
        platform: [['policy', 'POL-STOP-SEARCH-2009', 'Supervisors dip sample records weekly']],
        delivery: [['training', 'LA-FLM', 'Supervision of stop and search in first-line management']], programmes: ['LA-FLM']
      }
    ]
  },
  high_profile_event: {
    reference: 'G20 protests April 2009',
    lessons: [
      {
        title: 'Community impact not assessed before a large public order operation',
        summary: 'The Leadership Academy and Organisational Development Team, working with operational teams, found no community impact assessment was shared with borough commanders ahead of the event.',
        tags: ['public order', 'community impact'], group: 'CO',
        platform: [['sop', 'SOP-CIA-PO', 'Community impact assessment shared before every planned public order event']],
        delivery: [['training', 'LA-SLDP', 'Strategic command input on community impact']], programmes: ['LA-SLDP']
      },
      {
        title: 'Family liaison not in place within hours of a critical incident',
        summary: 'The review of a critical incident found the family waited a day for a liaison officer, the failing identified in the Stephen Lawrence Inquiry.',
        tags: ['critical incident', 'family liaison'], group: 'SCD',
        platform: [['policy', 'POL-FLO-2009', 'Family liaison deployed within four hours of a critical incident']],
        delivery: [['role', 'ROLE-FLO-COORD', 'Family liaison coordinator on every murder investigation team']]
      }
    ]
  },
  risk_assessment: {
    reference: 'Corporate risk register 2009 Q1',
    lessons: [
      {
        title: 'Lone working risk assessments out of date for PCSOs',
        summary: 'The risk management model found lone working assessments for PCSOs had not been reviewed since the teams were set up.',
        tags: ['lone working', 'pcso'], group: 'TP',
        platform: [['process', 'PROC-LONE-WORK', 'Annual review of lone working assessments']],
        delivery: [['training', 'PCSO-SAFETY-2009', 'Personal safety refresher for PCSOs']]
      },
      {
        title: 'Single points of failure in the custody records system',
        summary: 'A risk assessment found that one server outage would stop custody records across a business group.',
        tags: ['custody', 'resilience'], group: 'DOI',
        platform: [['process', 'PROC-CUSTODY-FALLBACK', 'Paper fallback procedure for custody records']],
        delivery: [['it', 'CHG-CUSTODY-DR', 'Second site for the custody records system']]
      }
    ]
  }
}

/** Notable practice to share across the organisation (public where the text names nobody). */
const NOTABLE: Array<{ key: string; sourceKind: SourceKind; title: string; summary: string; group: string; tags: string[]; dissemination: 'organisation' | 'public' }> = [
  { key: 'NP-1', sourceKind: 'operational_debrief', title: 'Joint briefing with the fire service cut cordon set-up time', summary: 'A borough briefed police and fire commanders together at the rendezvous point, and the inner cordon was agreed in half the usual time.', group: 'TP', tags: ['cordon', 'partnership'], dissemination: 'public' },
  { key: 'NP-2', sourceKind: 'inspection', title: 'Borough tracking of victim updates praised by inspectors', summary: 'A simple weekly list of victims due an update brought contact within 28 days to over 90 per cent.', group: 'TP', tags: ['victim care'], dissemination: 'public' },
  { key: 'NP-3', sourceKind: 'high_profile_event', title: 'Community reference group consulted before a planned operation', summary: 'Consulting the reference group a week ahead reduced complaints after the operation.', group: 'CO', tags: ['community impact', 'consultation'], dissemination: 'organisation' },
  { key: 'NP-4', sourceKind: 'employment_tribunal', title: 'Early mediation resolved grievances before tribunal', summary: 'A business group offering mediation within ten days saw no tribunal claims from grievances in a year.', group: 'HRD', tags: ['grievance', 'mediation'], dissemination: 'organisation' }
]

const STAGE_PATH = ['origin', 'challenge', 'accountability', 'platform', 'delivery', 'review', 'closed'] as const satisfies readonly Stage[]

interface Placement {
  unit: string
  people: string[]
  seniors: string[]
}

/** For each business group: its units, the people in them, and its senior people (inspector and above). */
function placements(plan: DemoPlan): Map<string, Placement> {
  const parent = new Map(plan.orgUnits.map((u) => [u.externalId, u.parentExternalId]))
  const groupOf = (unit: string): string | null => {
    for (let u: string | null = unit, depth = 0; u && depth < 50; u = parent.get(u) ?? null, depth++) if (u.startsWith('OU-') && plan.orgUnits.find((o) => o.externalId === u)?.kind === 'business_group') return u
    return null
  }
  const result = new Map<string, Placement>()
  for (const p of plan.people) {
    if (p.row.status === 'left' || !p.row.orgUnitExternalId) continue
    const group = groupOf(p.row.orgUnitExternalId)
    if (!group) continue
    const place = result.get(group) ?? { unit: p.row.orgUnitExternalId, people: [], seniors: [] }
    place.people.push(p.row.externalId)
    if (gradeOf(p.grade).level >= 5) place.seniors.push(p.row.externalId)
    result.set(group, place)
  }
  return result
}

interface Planned {
  externalId: string
  row: Record<string, unknown>
  target: Stage
  lesson: Lesson | null
  ownerExternalId: string
  corporate: boolean
}

function planEntries(plan: DemoPlan, random: Random): Planned[] {
  const places = placements(plan)
  const anyPlace = [...places.values()][0]
  const placeOf = (group: string) => places.get(`OU-${group}`) ?? anyPlace
  const planned: Planned[] = []
  for (const [kind, { reference, lessons }] of Object.entries(LESSONS)) {
    for (const [i, stage] of STAGE_PATH.entries()) {
      const lesson = lessons[i % lessons.length]
      const place = placeOf(lesson.group)
      const month = String(1 + ((i * 5 + kind.length) % 12)).padStart(2, '0')
      const year = i < 3 ? 2009 : 2008
      planned.push({
        externalId: `LL-DEMO-${kind.toUpperCase().replace(/_/g, '-')}-${stage.toUpperCase()}`,
        row: {
          title: i >= lessons.length ? `${lesson.title} (${place.unit.replace(/^OU-/, '')})` : lesson.title,
          summary: lesson.summary,
          notes: lesson.notes ?? null,
          kind: 'lesson_identified',
          sourceKind: kind,
          sourceReference: reference,
          eventDate: `${year}-${month}-0${1 + (i % 9)}`,
          orgUnitExternalId: place.unit,
          identifiedByExternalId: random.pick(place.people),
          identifiedOn: `${year}-${month}-1${i % 9}`,
          dissemination: 'organisation',
          tags: lesson.tags
        },
        target: stage,
        lesson,
        ownerExternalId: random.pick(place.seniors.length ? place.seniors : place.people),
        corporate: i % 3 === 2
      })
    }
  }
  for (const n of NOTABLE) {
    const place = placeOf(n.group)
    planned.push({
      externalId: `LL-DEMO-${n.key}`,
      row: {
        title: n.title, summary: n.summary, notes: null, kind: 'notable_practice', sourceKind: n.sourceKind, sourceReference: null, eventDate: '2009-01-15',
        orgUnitExternalId: place.unit, identifiedByExternalId: random.pick(place.people), identifiedOn: '2009-02-02', dissemination: n.dissemination, tags: n.tags
      },
      target: 'challenge',
      lesson: null,
      ownerExternalId: random.pick(place.people),
      corporate: false
    })
  }
  return planned
}

async function* rowsOf(values: object[]): AsyncGenerator<RawRow> {
  let line = 0
  for (const value of values) yield { line: ++line, value: value as Record<string, unknown> }
}

async function idOf(db: Db, table: 'people' | 'programmes', column: 'external_id' | 'code', value: string): Promise<string | null> {
  const row = await db.selectFrom(table as 'people').select('id').where(column as 'external_id', '=', value).executeTakeFirst()
  return row?.id ?? null
}

/** Recommendations of the recommendations demo, when it has run: by the source's code or title. */
async function recommendationsOf(db: Db, pattern: string): Promise<string[]> {
  const rows = await db
    .selectFrom('recommendations as r')
    .innerJoin('recommendation_sources as s', 's.id', 'r.source_id')
    .select('r.id')
    .where((eb) => eb.or([eb('s.code', 'ilike', pattern), eb('s.title', 'ilike', pattern), eb('s.issuing_body', 'ilike', pattern)]))
    .orderBy('s.code')
    .orderBy('r.number_order')
    .orderBy('r.number')
    .limit(5)
    .execute()
  return rows.map((r) => r.id)
}

async function moveTo(db: Db, actor: Actor, entryId: string, planned: Planned, index: number): Promise<number> {
  const owner = await idOf(db, 'people', 'external_id', planned.ownerExternalId)
  const unit = await db.selectFrom('org_units').select('id').where('external_id', '=', planned.row.orgUnitExternalId as string).executeTakeFirstOrThrow()
  const lesson = planned.lesson
  let moves = 0
  for (let s = 1; s < STAGE_PATH.indexOf(planned.target as never) + 1; s++) {
    const from = STAGE_PATH[s - 1]
    const to = STAGE_PATH[s]
    let body: TransitionRequest = { to }
    if (from === 'challenge') {
      body = { to, note: 'Quality assured by the business group learning lead', challenge: { decision: 'action_required', actionByOrgUnitId: unit.id } }
    } else if (from === 'accountability') {
      const level = planned.corporate ? 'corporate' : index % 2 ? 'ocu' : 'business_group'
      body = { to, accountability: { ownerId: owner!, level, ...(level === 'corporate' ? { smtLeadId: owner! } : {}) } }
    } else if (from === 'platform') {
      body = { to, platform: { changes: lesson!.platform.map(([kind, reference, description]) => ({ kind, reference, description })) } }
    } else if (from === 'delivery') {
      const programmeIds = (await Promise.all((lesson!.programmes ?? []).map((code) => idOf(db, 'programmes', 'code', code)))).filter((x): x is string => !!x)
      body = { to, delivery: { changes: lesson!.delivery.map(([kind, reference, description]) => ({ kind, reference, description })), programmeIds } }
    } else if (from === 'review') {
      const integrated = (['fully', 'partly', 'fully'] as const)[index % 3]
      body = { to, review: { integrated, improvementSeen: integrated === 'fully', evidence: 'Dip sample of cases and the next inspection report' } }
    }
    // The closed entry of every second source closes at challenge as no action; the rest go the whole way.
    if (planned.target === 'closed' && index % 2 === 1 && from === 'challenge') body = { to: 'closed', challenge: { decision: 'no_action', reason: 'Already addressed by the current SOP' } }
    await inTransaction(db, actor, (changes) => transitionEntry(changes, entryId, body))
    moves++
    if (body.to === 'closed') break
  }
  return moves
}

export const learningLogsDemo: DemoStep = {
  module: 'learning-logs',
  async run(db, plan, { actor, seed, log }) {
    const planned = planEntries(plan, createRandom(seed).fork('learning-logs'))
    log(`learning log entries: ${planned.length}`)
    const result = await runImport(db, learningLogImport, rowsOf(planned.map((p) => ({ externalId: p.externalId, ...p.row }))), { format: 'json', dryRun: false, atomic: true, actor })
    if (!result.committed) throw new Error(`seeding learning log entries failed: ${JSON.stringify(result.failures[0])}`)

    let moves = 0
    const ids = new Map(
      (await db.selectFrom('learning_log_entries').select(['id', 'external_id', 'stage']).where('external_id', 'in', planned.map((p) => p.externalId)).execute()).map((r) => [r.external_id!, r])
    )
    for (const [index, p] of planned.entries()) {
      const entry = ids.get(p.externalId)!
      if (entry.stage === 'origin' && p.target !== 'origin') moves += await moveTo(db, actor, entry.id, p, Math.floor(index / STAGE_PATH.length))
    }

    // Links: inspection lessons came from HMIC recommendations; high-profile ones relate to the Stephen Lawrence Inquiry's.
    const hmic = await recommendationsOf(db, '%HMIC%')
    const lawrence = await recommendationsOf(db, '%Lawrence%')
    let links = 0
    for (const p of planned) {
      const entry = ids.get(p.externalId)!
      const wanted =
        p.row.sourceKind === 'inspection' ? hmic.slice(0, 1).map((id) => ({ kind: 'produced_by' as const, recommendationId: id }))
        : p.row.sourceKind === 'high_profile_event' ? lawrence.slice(0, 1).map((id) => ({ kind: 'related' as const, recommendationId: id }))
        : []
      for (const link of wanted) {
        const { created } = await inTransaction(db, actor, (changes) => addLink(changes, entry.id, link, { reuse: true }))
        if (created) links++
      }
    }
    const byStage = await db.selectFrom('learning_log_entries').select(['stage', db.fn.countAll<number>().as('n')]).where('external_id', 'like', 'LL-DEMO-%').groupBy('stage').execute()
    const linkCount = await db
      .selectFrom('learning_log_links as l')
      .innerJoin('learning_log_entries as e', 'e.id', 'l.entry_id')
      .select((eb) => [eb.fn.count<number>('l.recommendation_id').as('recommendations'), eb.fn.count<number>('l.programme_id').as('programmes')])
      .where('e.external_id', 'like', 'LL-DEMO-%')
      .executeTakeFirstOrThrow()
    return [
      `entries          ${result.counts.created} created, ${result.counts.updated} updated, ${result.counts.unchanged} unchanged; ${moves} stage moves`,
      `by stage         ${STAGE_PATH.map((s) => `${s} ${Number(byStage.find((r) => r.stage === s)?.n ?? 0)}`).join(', ')}`,
      `links            ${links} written; ${Number(linkCount.recommendations)} to recommendations, ${Number(linkCount.programmes)} to programmes` +
        (hmic.length + lawrence.length === 0 ? ' (no HMIC or Stephen Lawrence Inquiry recommendations found: programmes only)' : '')
    ]
  }
}
