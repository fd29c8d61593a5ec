/**
 * Lays out posts: who sits in which unit at which grade and who manages whom. Headcount is
 * shared between commands by weight; each command gets a head, a management chain sized to its
 * teams, and teams of a leader (sergeant or band D) and members. Managers are numbered before
 * their reports, so an import never has to park a line manager reference, and every pointer
 * goes to a lower number: no mix of runs (even of different sizes) can make a loop.
 */
import type { OrgUnitKind } from '../../modules/people/tables.js'
import { BOARDS, BUSINESS_GROUPS, COMMANDS, gradeOf, groupExternalId, SERVICE, type CommandDef, type CommandStyle, type GradeCode } from './organisation.js'
import type { Random } from './random.js'

export interface OrgUnitPlan {
  externalId: string
  name: string
  kind: OrgUnitKind
  parentExternalId: string | null
}

export interface Post {
  /** 1-based; the person's externalId and email carry it. */
  number: number
  grade: GradeCode
  orgUnit: string
  /** `number` of the line manager; null only for the Commissioner. */
  manager: number | null
  /** Team members are the only people who may have left (managers with reports stay active). */
  member: boolean
}

type TeamType = 'response' | 'snt' | 'cid' | 'support' | 'operational' | 'investigation' | 'office' | 'training'

/** Who leads a team and the grade mix of its members (PCSOs in neighbourhood teams, specials alongside regulars). */
const TEAM_TYPES: Record<TeamType, { label: string; leader: GradeCode; members: Array<[GradeCode, number]> }> = {
  response: { label: 'Response Team', leader: 'PS', members: [['PC', 90], ['SC', 10]] },
  snt: { label: 'Safer Neighbourhoods Team', leader: 'PS', members: [['PC', 30], ['PCSO', 50], ['SC', 20]] },
  cid: { label: 'CID', leader: 'PS', members: [['PC', 80], ['BAND_E', 12], ['BAND_F', 8]] },
  support: { label: 'Support Team', leader: 'BAND_D', members: [['BAND_E', 40], ['BAND_F', 40], ['BAND_G', 20]] },
  operational: { label: 'Team', leader: 'PS', members: [['PC', 100]] },
  investigation: { label: 'Investigation Team', leader: 'PS', members: [['PC', 75], ['BAND_E', 15], ['BAND_F', 10]] },
  office: { label: 'Team', leader: 'BAND_D', members: [['BAND_E', 45], ['BAND_F', 40], ['BAND_G', 15]] },
  training: { label: 'Team', leader: 'BAND_D', members: [['PC', 35], ['BAND_E', 40], ['BAND_F', 25]] }
}

/** Team types a command cycles through as it grows: a borough is mostly response and neighbourhood teams. */
const CYCLES: Record<CommandStyle, TeamType[]> = {
  borough: ['response', 'snt', 'cid', 'response', 'support', 'snt', 'response', 'snt', 'cid', 'response'],
  operational: ['operational', 'operational', 'operational', 'operational', 'support'],
  investigative: ['investigation', 'investigation', 'investigation', 'investigation', 'support'],
  staff: ['office'],
  training: ['training', 'office']
}

/** Management layers above team leaders, lowest first: inspector-like, chief-inspector-like, superintendent-like. */
const CHAINS = { police: ['INSP', 'CI', 'SUPT'], staff: ['BAND_C', 'BAND_B', 'BAND_A'] } as const satisfies Record<string, GradeCode[]>
const chainOf = (style: CommandStyle) => (style === 'staff' || style === 'training' ? CHAINS.staff : CHAINS.police)

const TEAM_SIZE = 11 // members per team leader, a typical span of control for a sergeant or band D
const SPAN = 3 // teams per inspector, inspectors per chief inspector

export interface Structure {
  orgUnits: OrgUnitPlan[]
  posts: Post[]
}

/** Splits `total` by weight, whole numbers that add up exactly (largest remainder). */
function share(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (total * w) / sum)
  const counts = exact.map(Math.floor)
  let left = total - counts.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length][1]]++
  return counts
}

export function planStructure(people: number, random: Random): Structure {
  const orgUnits: OrgUnitPlan[] = [{ ...SERVICE, parentExternalId: null }]
  for (const [externalId, name] of BOARDS) orgUnits.push({ externalId, name, kind: 'board', parentExternalId: SERVICE.externalId })
  for (const g of BUSINESS_GROUPS) orgUnits.push({ externalId: groupExternalId(g.key), name: g.name, kind: 'business_group', parentExternalId: SERVICE.externalId })
  for (const c of COMMANDS) orgUnits.push({ externalId: c.externalId, name: c.name, kind: c.kind, parentExternalId: groupExternalId(c.group) })

  const posts: Post[] = []
  const add = (grade: GradeCode, orgUnit: string, manager: number | null, member = false): number | null => {
    if (posts.length >= people) return null
    posts.push({ number: posts.length + 1, grade, orgUnit, manager, member })
    return posts.length
  }

  // The top of the tree: the Commissioner, the head of each business group, and the Territorial
  // Policing commanders each borough commander reports to.
  const commissioner = add('COMM', SERVICE.externalId, null)
  const heads = new Map<string, number | null>()
  for (const g of BUSINESS_GROUPS) heads.set(g.key, add(g.head, groupExternalId(g.key), commissioner))
  // Territorial Policing had area commanders over groups of boroughs; fewer in a small demo, so
  // commanders do not outnumber the chief superintendents below them.
  const areas = Math.min(4, Math.max(1, Math.round(people / 1500)))
  const areaCommanders = Array.from({ length: areas }, () => add('CDR', groupExternalId('TP'), heads.get('TP') ?? commissioner))

  const sizes = share(Math.max(0, people - posts.length), COMMANDS.map((c) => c.weight))
  let borough = 0
  COMMANDS.forEach((c, i) => {
    const above = c.kind === 'borough' ? areaCommanders[borough++ % areaCommanders.length] : heads.get(c.group)
    planCommand(c, sizes[i], above ?? commissioner, random, orgUnits, add)
  })
  return { orgUnits, posts }
}

function planCommand(
  c: CommandDef,
  size: number,
  above: number | null,
  random: Random,
  orgUnits: OrgUnitPlan[],
  add: (grade: GradeCode, orgUnit: string, manager: number | null, member?: boolean) => number | null
) {
  if (size === 0) return
  const police = chainOf(c.style) === CHAINS.police
  const headGrade = c.head && size >= SENIOR_HEAD ? c.head : headFor(police, size)
  const head = add(headGrade, c.externalId, above)
  const rest = size - 1
  let teams = rest === 0 ? 0 : Math.max(1, Math.round(rest / (TEAM_SIZE + 1.5)))
  // Layers sized by span of control; a layer at or above the head's level is left out.
  const headLevel = gradeOf(headGrade).level
  const chain = chainOf(c.style).filter((g) => gradeOf(g).level < headLevel)
  const layerSizes = (t: number) => {
    const inspectors = t > 1 ? Math.ceil(t / SPAN) : 0
    const chiefs = inspectors > 1 ? Math.ceil(inspectors / SPAN) : 0
    const supers = chiefs > 1 ? Math.ceil(chiefs / SPAN) : 0
    return [inspectors, chiefs, supers].slice(0, chain.length)
  }
  let layers = layerSizes(teams)
  while (teams > 0 && teams + layers.reduce((a, b) => a + b, 0) > rest) {
    teams--
    layers = layerSizes(teams)
  }

  // Build managers top-down so each knows its manager's number.
  let upper: Array<number | null> = [head]
  for (let level = layers.length - 1; level >= 0; level--) {
    if (layers[level] === 0) continue
    const posts: Array<number | null> = []
    for (let k = 0; k < layers[level]; k++) posts.push(add(chain[level], c.externalId, upper[Math.floor((k * upper.length) / layers[level])]))
    upper = posts
  }

  const cycle = CYCLES[c.style]
  const types = Array.from({ length: teams }, (_, j) => cycle[j % cycle.length])
  const names = teamNames(c, types)
  const members = rest - teams - layers.reduce((a, b) => a + b, 0)
  const perTeam = share(members, types.map(() => 1))
  types.forEach((type, j) => {
    const externalId = `${c.externalId}-T${String(j + 1).padStart(2, '0')}`
    orgUnits.push({ externalId, name: names[j], kind: 'team', parentExternalId: c.externalId })
    const def = TEAM_TYPES[type]
    const leader = add(def.leader, externalId, upper[Math.floor((j * upper.length) / teams)])
    for (let k = 0; k < perTeam[j]; k++) add(random.weighted(def.members), externalId, leader, true)
  })
}

/**
 * The head's grade follows the command's size: a full-size borough (several hundred people) is
 * led by a chief superintendent, but at demo scale a 50-person borough led by one would put
 * more chief superintendents than superintendents in the force and break the pyramid.
 */
const SENIOR_HEAD = 60
function headFor(police: boolean, size: number): GradeCode {
  if (police) return size >= SENIOR_HEAD ? 'CH_SUPT' : size >= 30 ? 'SUPT' : 'CI'
  return size >= SENIOR_HEAD ? 'BAND_A' : size >= 25 ? 'BAND_B' : 'BAND_C'
}

/** Named teams where the command has names for them; otherwise "Lambeth Response Team 2", numbered only when the type repeats. */
function teamNames(c: CommandDef, types: TeamType[]): string[] {
  if (c.teams) {
    const named = c.teams
    return types.map((_, j) => named[j % named.length] + (j >= named.length ? ` ${Math.floor(j / named.length) + 1}` : ''))
  }
  const totals = new Map<TeamType, number>()
  for (const t of types) totals.set(t, (totals.get(t) ?? 0) + 1)
  const seen = new Map<TeamType, number>()
  return types.map((t) => {
    const n = (seen.get(t) ?? 0) + 1
    seen.set(t, n)
    const label = t === 'support' && c.kind === 'borough' ? 'Borough Support Team' : TEAM_TYPES[t].label
    return `${c.name} ${label}${totals.get(t)! > 1 ? ` ${n}` : ''}`
  })
}
