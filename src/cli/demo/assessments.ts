/**
 * Demo step of the assessments module. Framework codes later steps look up (the 360° feedback
 * demo uses published versions):
 *   MET-VALUES      the MPS values and behaviours of seed 003, version 1, published
 *   MET-COMPETENCY  version 1 (2016) and version 2 (2024, its lineages carried over), both published
 * Instruments: QUINTAX (personality, five sten scales) and CAREER-MOTIVATION (seven percentile
 * scales), with results for about one in eleven people (managers far more often: the IMPACT
 * workshops combined both measures). Written through the module's own functions and its results
 * import; a second run changes nothing.
 */
import type { Db } from '../../db/database.js'
import { inTransaction, type Actor } from '../../platform/changes.js'
import type { RawRow } from '../../platform/bulk/readers.js'
import { runImport } from '../../platform/bulk/runner.js'
import { transitionFramework } from '../../modules/assessments/frameworks.repository.js'
import { importDocument, type NormalisedDocument } from '../../modules/assessments/frameworks.transfer.js'
import { createInstrument } from '../../modules/assessments/instruments.repository.js'
import { SCORE_RANGES } from '../../modules/assessments/instruments.schemas.js'
import { resultImport } from '../../modules/assessments/results.imports.js'
import type { DemoPlan, DemoStep } from '../seed-demo.js'
import { COMPETENCY_2016, COMPETENCY_2024, INSTRUMENTS, NORM_GROUPS, VALUES } from './assessments-content.js'
import { gradeOf } from './organisation.js'
import { AS_OF, type PersonPlan } from './people.js'
import { createRandom, type Random } from './random.js'

export { COMPETENCY_CODE, VALUES_CODE } from './assessments-content.js'

/** Imports and publishes a framework version unless that version of the code exists. */
async function ensurePublished(db: Db, actor: Actor, document: NormalisedDocument): Promise<'created' | 'unchanged'> {
  const exists = await db.selectFrom('frameworks').select('id').where('code', '=', document.code).where('version_number', '=', document.versionNumber!).executeTakeFirst()
  if (exists) return 'unchanged'
  await inTransaction(db, actor, async (changes) => {
    const draft = await importDocument(changes, document, 'json')
    await transitionFramework(changes, draft.id, 'published', 'demo data', draft.version)
  })
  return 'created'
}

/** A score roughly normal around the middle of its kind's range, clamped to it, whole. */
function scoreFor(random: Random, kind: keyof typeof SCORE_RANGES): number {
  const range = SCORE_RANGES[kind]!
  const gauss = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next())
  const mid = (range.min + range.max) / 2
  const raw = mid + gauss * ((range.max - range.min) / 5)
  const clamped = Math.min(range.max, Math.max(range.min, raw))
  return Math.round(clamped)
}

const START = Date.UTC(2005, 8, 1)
const dateBetween = (random: Random, from: number, to: number) => new Date(from + Math.floor(random.next() * (to - from))).toISOString().slice(0, 10)

interface ResultRow {
  externalId: string
  instrumentCode: string
  personExternalId: string
  assessorExternalId: string | null
  takenOn: string
  normGroup: string
  providerReference: string
  scores: Record<string, number>
}

/** Results for active people: managers (level 4 and up) three times in ten, others one in twenty; six in ten of them also did career motivation. */
export function planResults(people: PersonPlan[], random: Random): ResultRow[] {
  const active = people.filter((p) => p.row.status === 'active')
  const seniors = active.filter((p) => gradeOf(p.grade).level >= 6)
  // A few occupational psychologists and senior managers administer and feed back the measures.
  const assessors = seniors.length ? Array.from(new Set(Array.from({ length: 4 }, () => random.pick(seniors)))) : []
  const end = Date.parse(`${AS_OF}T00:00:00Z`)
  const rows: ResultRow[] = []
  let n = 0
  for (const person of active) {
    const chance = gradeOf(person.grade).level >= 4 ? 0.3 : 0.05
    if (!random.chance(chance)) continue
    const from = Math.max(START, Date.parse(`${person.row.startDate}T00:00:00Z`))
    if (from >= end) continue
    const takenOn = dateBetween(random, from, end)
    const assessor = assessors.filter((a) => a !== person)
    const assessorExternalId = assessor.length && random.chance(0.8) ? random.pick(assessor).row.externalId : null
    const taken = random.chance(0.6) ? INSTRUMENTS : INSTRUMENTS.slice(0, 1)
    for (const instrument of taken) {
      n++
      rows.push({
        externalId: `PR-${instrument.code}-${person.row.externalId}`,
        instrumentCode: instrument.code,
        personExternalId: person.row.externalId,
        assessorExternalId,
        takenOn,
        normGroup: NORM_GROUPS[instrument.code],
        providerReference: `DBM-${String(n).padStart(6, '0')}`,
        scores: Object.fromEntries(instrument.scales.map((s) => [s.code, scoreFor(random, s.scoreKind as keyof typeof SCORE_RANGES)]))
      })
    }
  }
  return rows
}

async function* rowsOf(values: object[]): AsyncGenerator<RawRow> {
  let line = 0
  for (const value of values) yield { line: ++line, value: value as Record<string, unknown> }
}

export const assessmentsDemo: DemoStep = {
  module: 'assessments',
  async run(db: Db, plan: DemoPlan, { actor, seed, log }) {
    const frameworks: string[] = []
    for (const document of [VALUES, COMPETENCY_2016, COMPETENCY_2024]) {
      const outcome = await ensurePublished(db, actor, document)
      frameworks.push(`${document.code} v${document.versionNumber} ${outcome}`)
    }
    log(`frameworks: ${frameworks.join(', ')}`)

    let instrumentsCreated = 0
    for (const instrument of INSTRUMENTS) {
      if (await db.selectFrom('instruments').select('id').where('code', '=', instrument.code).executeTakeFirst()) continue
      await inTransaction(db, actor, (changes) => createInstrument(changes, instrument))
      instrumentsCreated++
    }

    const rows = planResults(plan.people, createRandom(seed).fork('assessments'))
    log(`psychometric results: ${rows.length}`)
    const result = await runImport(db, resultImport, rowsOf(rows), { format: 'json', dryRun: false, atomic: true, actor })
    if (!result.committed) {
      const first = result.failures[0]
      throw new Error(`seeding psychometric results failed: line ${first?.line}: ${first?.errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`)
    }
    const people = new Set(rows.map((r) => r.personExternalId)).size
    const c = result.counts
    return [
      `frameworks        ${frameworks.join(', ')}`,
      `instruments       ${instrumentsCreated} created, ${INSTRUMENTS.length - instrumentsCreated} unchanged (${INSTRUMENTS.map((i) => i.code).join(', ')})`,
      `results           ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, for ${people} people`
    ]
  }
}
