/**
 * `npm run seed:demo [-- --people 3000 --seed 2009]`: fills the configured database with a
 * realistic, deterministic Metropolitan Police organisation. Everything goes through the same
 * bulk import specs as `POST /v1/<resource>/import` (validation, upsert by externalId, audit
 * records and events), so a second run reports every row unchanged. Later modules extend the
 * demo by adding steps after the people: the programmes of the seed papers with their cohorts,
 * enrolments, attendance and evaluations follow (see demo/programmes.ts and demo/enrolments.ts).
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { createDatabase, databaseOptions, type Db } from '../db/database.js'
import { migrateToLatest } from '../db/migrator.js'
import { gradeImport, orgUnitImport, personImport } from '../modules/people/imports.js'
import { programmeImport } from '../modules/programmes/programmes.imports.js'
import { ENROLMENT_STATUSES } from '../modules/programmes/reports.schemas.js'
import type { EnrolmentStatus } from '../modules/programmes/tables.js'
import type { Actor } from '../platform/changes.js'
import type { RawRow } from '../platform/bulk/readers.js'
import { runImport, type ImportCounts } from '../platform/bulk/runner.js'
import type { AnyImportSpec } from '../platform/bulk/spec.js'
import { writeCohorts, type CohortCounts } from './demo/cohorts.js'
import { diversityFor, writeDiversity, type DiversityCounts } from './demo/diversity.js'
import { planCohorts, type CohortPlan } from './demo/enrolments.js'
import { GRADES, gradeExternalId } from './demo/organisation.js'
import { planPeople, type PersonPlan } from './demo/people.js'
import { demoProgrammes, type ProgrammeRow } from './demo/programmes.js'
import { createRandom } from './demo/random.js'
// demo step imports (one line per later module):
import { assessmentsDemo } from './demo/assessments.js'
import { feedbackDemo } from './demo/feedback.js'
import { recommendationsDemo } from './demo/recommendations.js'
import { learningLogsDemo } from './demo/learning-logs.js'
import { developmentPlansDemo } from './demo/development-plans.js'
import { planStructure, type OrgUnitPlan } from './demo/structure.js'

export const DEFAULT_PEOPLE = 3000
export const DEFAULT_SEED = 2009
export const SEED_ACTOR: Actor = { subject: 'seed-demo', clientId: null, requestId: null }

export interface SeedDemoOptions {
  /** How many people (default 3,000). The shape of the organisation is the same at any size; its depth grows with it. */
  people?: number
  /** PRNG seed (default 2009): the same seed and size give the same organisation. */
  seed?: number
  actor?: Actor
  /** Progress lines, e.g. console.error; silent by default. */
  log?: (line: string) => void
}

export interface DemoPlan {
  grades: Array<{ externalId: string; code: string; name: string; staffType: string; level: number }>
  orgUnits: OrgUnitPlan[]
  people: PersonPlan[]
  programmes: ProgrammeRow[]
  /** Cohorts in date order, each with its sessions and enrolments (and what becomes of them). */
  cohorts: CohortPlan[]
}

export interface SeedDemoResult {
  grades: ImportCounts
  orgUnits: ImportCounts
  people: ImportCounts
  diversity: DiversityCounts
  programmes: ImportCounts
  cohorts: CohortCounts
  /** Demo enrolments in the database by status once seeded (the same on every run). */
  enrolmentStatuses: Record<EnrolmentStatus, number>
  /** Seconds each part took: people (with grades, units, diversity) and programmes (with everything under them). */
  timings: { people: number; programmes: number }
  /** The organisation and programmes as planned, for summaries and tests. */
  plan: DemoPlan
  /** What each later module's demo step wrote, by module, as printed summary lines. */
  modules: Record<string, string[]>
}

/**
 * A later module's demo step: runs after people and programmes (and the steps before it), writes
 * through the module's own rules, changes nothing when run again, and returns its summary lines.
 */
export interface DemoStep {
  module: string
  run(db: Db, plan: DemoPlan, context: { actor: Actor; seed: number; log: (line: string) => void }): Promise<string[]>
}

/** In dependency order. */
const DEMO_STEPS: DemoStep[] = [
  assessmentsDemo,
  feedbackDemo,
  recommendationsDemo,
  learningLogsDemo,
  developmentPlansDemo
]

/** Builds the whole organisation in memory; pure, so tests can compare two plans without a database. */
export function planDemo(people = DEFAULT_PEOPLE, seed = DEFAULT_SEED): DemoPlan {
  if (!Number.isInteger(people) || people < 1) throw new RangeError(`people must be a whole number of at least 1, got ${people}`)
  const random = createRandom(seed)
  // Separate streams: changing how names are drawn must not move anyone to another team.
  const structure = planStructure(people, random.fork('structure'))
  const persons = planPeople(structure.posts, random.fork('people'))
  const programmes = demoProgrammes()
  return {
    grades: GRADES.map((g) => ({ externalId: gradeExternalId(g.code), code: g.code, name: g.name, staffType: g.staffType, level: g.level })),
    orgUnits: structure.orgUnits,
    people: persons,
    programmes: programmes.map((p) => p.row),
    cohorts: planCohorts(programmes, persons, structure.orgUnits, random.fork('programmes'))
  }
}

async function* rowsOf(values: object[]): AsyncGenerator<RawRow> {
  let line = 0
  for (const value of values) yield { line: ++line, value: value as Record<string, unknown> }
}

async function importAll(db: Db, spec: AnyImportSpec, values: object[], actor: Actor): Promise<ImportCounts> {
  const result = await runImport(db, spec, rowsOf(values), { format: 'json', dryRun: false, atomic: true, actor })
  if (!result.committed) {
    const first = result.failures[0]
    const detail = first ? `line ${first.line} (${first.externalId ?? '?'}): ${first.errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}` : 'no detail'
    throw new Error(`seeding ${spec.resource} failed, nothing written for it: ${result.counts.failed} row(s) refused; first at ${detail}`)
  }
  return result.counts
}

export async function seedDemo(db: Db, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const actor = options.actor ?? SEED_ACTOR
  const log = options.log ?? (() => {})
  const seed = options.seed ?? DEFAULT_SEED
  const started = performance.now()
  const plan = planDemo(options.people ?? DEFAULT_PEOPLE, seed)

  // Each step commits on its own; every step is an upsert, so a run stopped halfway is finished by running it again.
  log(`grades: ${plan.grades.length}`)
  const grades = await importAll(db, gradeImport, plan.grades, actor)
  log(`org units: ${plan.orgUnits.length}`)
  const orgUnits = await importAll(db, orgUnitImport, plan.orgUnits, actor)
  log(`people: ${plan.people.length}`)
  const people = await importAll(db, personImport, plan.people.map((p) => p.row), actor)

  const random = createRandom(seed).fork('diversity')
  const records = plan.people.flatMap((p) => {
    const input = diversityFor(random, p)
    return input ? [{ externalId: p.row.externalId, input }] : []
  })
  log(`diversity records: ${records.length}`)
  const diversity = await writeDiversity(db, records, actor)
  const peopleDone = performance.now()

  log(`programmes: ${plan.programmes.length}`)
  const programmes = await importAll(db, programmeImport, plan.programmes, actor)
  log(`cohorts: ${plan.cohorts.length}, with ${plan.cohorts.reduce((n, c) => n + c.enrolments.length, 0)} enrolments`)
  const cohorts = await writeCohorts(db, plan.cohorts, actor, log)
  const finished = performance.now()
  const modules: Record<string, string[]> = {}
  for (const step of DEMO_STEPS) {
    const began = performance.now()
    modules[step.module] = await step.run(db, plan, { actor, seed, log })
    modules[step.module].push(`time ${((performance.now() - began) / 1000).toFixed(1)} s`)
  }
  // After every step: development plans enrol people too.
  const enrolmentStatuses = await statusesOf(db, plan.cohorts)
  return {
    grades, orgUnits, people, diversity, programmes, cohorts, enrolmentStatuses,
    timings: { people: (peopleDone - started) / 1000, programmes: (finished - peopleDone) / 1000 },
    plan,
    modules
  }
}

/** The demo's enrolments by status, as stored. */
async function statusesOf(db: Db, cohorts: CohortPlan[]): Promise<Record<EnrolmentStatus, number>> {
  const tally = Object.fromEntries(ENROLMENT_STATUSES.map((s) => [s, 0])) as Record<EnrolmentStatus, number>
  if (cohorts.length === 0) return tally
  const rows = await db
    .selectFrom('enrolments as e')
    .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
    .select(['e.status', db.fn.countAll<number>().as('n')])
    .where('c.external_id', 'in', cohorts.map((c) => c.externalId))
    .groupBy('e.status')
    .execute()
  for (const r of rows) tally[r.status] = Number(r.n)
  return tally
}

const outcome = (c: { created: number; updated: number; unchanged: number }) => `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`

/** The printed summary: what was written and the shape of the workforce. */
export function summarise(result: SeedDemoResult, seconds: number): string {
  const people = result.plan.people
  const count = <K extends string>(key: (p: PersonPlan) => K) => {
    const tally = new Map<K, number>()
    for (const p of people) tally.set(key(p), (tally.get(key(p)) ?? 0) + 1)
    return [...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n} (${((100 * n) / people.length).toFixed(1)}%)`).join(', ')
  }
  const kinds = count((p) => p.row.staffType)
  const units = new Map<string, number>()
  for (const u of result.plan.orgUnits) units.set(u.kind, (units.get(u.kind) ?? 0) + 1)
  return [
    `seeded the demo organisation in ${seconds.toFixed(1)} s`,
    `  grades            ${outcome(result.grades)}`,
    `  org units         ${outcome(result.orgUnits)}  (${[...units].map(([k, n]) => `${n} ${k}`).join(', ')})`,
    `  people            ${outcome(result.people)}`,
    `  diversity records ${outcome(result.diversity)}`,
    `  staff types       ${kinds}`,
    `  grades held       ${count((p) => p.grade)}`,
    `  status            ${count((p) => p.row.status)}`,
    ...summariseProgrammes(result),
    ...Object.entries(result.modules).flatMap(([module, lines]) => [`  ${module}`, ...lines.map((line) => `    ${line}`)])
  ].join('\n')
}

function summariseProgrammes(result: SeedDemoResult): string[] {
  const { plan, cohorts } = result
  const tally = <T>(items: T[], key: (item: T) => string) => {
    const counts = new Map<string, number>()
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
    return [...counts].map(([k, n]) => `${k} ${n}`).join(', ')
  }
  const enrolments = plan.cohorts.flatMap((c) => c.enrolments)
  const attendance = (status: EnrolmentStatus) => tally(enrolments.filter((e) => e.expected === status), (e) => e.expectedAttendance)
  const statuses = ENROLMENT_STATUSES.map((s) => {
    const n = result.enrolmentStatuses[s]
    return s === 'attended' || s === 'completed' ? `${s} ${n} (${attendance(s)})` : `${s} ${n}`
  })
  return [
    `  programmes        ${outcome(result.programmes)}  (${tally(plan.programmes, (p) => p.status ?? 'draft')})`,
    `  cohorts           ${cohorts.cohorts.created} created, ${cohorts.cohorts.unchanged} unchanged  (${tally(plan.cohorts, (c) => c.stage)}); ${cohorts.sessions} sessions written`,
    `  enrolments        ${cohorts.enrolments.created} created, ${cohorts.enrolments.unchanged} unchanged; ${cohorts.evaluations} evaluations written`,
    `  enrolment status  ${statuses.join(', ')}`,
    `  time              people ${result.timings.people.toFixed(1)} s, programmes ${result.timings.programmes.toFixed(1)} s`
  ]
}

async function main() {
  const { values } = parseArgs({
    options: { people: { type: 'string', default: String(DEFAULT_PEOPLE) }, seed: { type: 'string', default: String(DEFAULT_SEED) }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    console.log('usage: npm run seed:demo -- [--people 3000] [--seed 2009]')
    console.log('Upserts by externalId and never deletes: run it on an empty database; the same size and seed again change nothing.')
    return
  }
  const people = Number(values.people)
  const seed = Number(values.seed)
  if (!/^\d+$/.test(values.people!) || people < 1 || people > 1_000_000) throw new Error(`--people must be a whole number from 1 to 1000000, got "${values.people}"`)
  if (!/^\d+$/.test(values.seed!) || seed > 0xffffffff) throw new Error(`--seed must be a whole number from 0 to 4294967295, got "${values.seed}"`)

  const config = loadConfig()
  const database = createDatabase(databaseOptions(config))
  try {
    const { error } = await migrateToLatest(database.db)
    if (error) throw error
    const started = performance.now()
    const result = await seedDemo(database.db, { people, seed, log: (line) => console.error(`seeding ${line}`) })
    console.log(summarise(result, (performance.now() - started) / 1000))
  } finally {
    await database.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`pathway seed:demo: ${(error as Error).message}`)
    process.exit(1)
  })
}
