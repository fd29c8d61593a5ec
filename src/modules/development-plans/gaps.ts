/**
 * The gap rule and the ranking of programmes against gaps, as pure functions (the figures of
 * `GET /v1/assessments/{id}/suggestions` and of objectives made from a report's gaps).
 *
 * Need of a behaviour, from the others' mean on a scale from min to max (self ratings never count):
 * - positive behaviour ("we will"): need = (max − othersMean) / (max − min): 0 when everyone sees
 *   it always, 1 when nobody ever does;
 * - negative behaviour ("we will not"): need = (othersMean − min) / (max − min): how often it is
 *   seen, 0 when never.
 * A behaviour whose others' mean is suppressed (under the anonymity threshold) has no need.
 * A competency or value has the mean need of the behaviours under it that have one.
 *
 * The largest gaps are the `top` behaviours with the greatest need above zero (ties by code). A
 * programme covers a gap when it is linked to the behaviour or to an element above it (its
 * competency, value or cluster), matched by lineage so a programme linked to a 2016 element
 * covers its copy in the 2024 version. Score = the sum of the needs of the largest gaps it covers;
 * programmes covering none are left out; ties go to more gaps covered, then title.
 */

export interface TreeElement {
  id: string
  lineageId: string
  parentId: string | null
  kind: string
  code: string
  title: string
  polarity: 'positive' | 'negative'
}

export interface ElementMeans {
  othersMean: number | null
  selfMean: number | null
}

export interface Gap {
  elementId: string
  lineageId: string
  code: string
  title: string
  kind: string
  polarity: 'positive' | 'negative'
  othersMean: number | null
  selfMean: number | null
  need: number
}

export interface GapAnalysis {
  /** Behaviours with a need, greatest first. */
  behaviours: Gap[]
  /** Competencies and values (and clusters) with the mean need of their behaviours, greatest first. */
  areas: Gap[]
}

const round = (x: number) => Math.round(x * 10000) / 10000

export function behaviourNeed(polarity: 'positive' | 'negative', othersMean: number | null, min: number, max: number): number | null {
  if (othersMean === null || max <= min) return null
  const need = polarity === 'negative' ? (othersMean - min) / (max - min) : (max - othersMean) / (max - min)
  return round(Math.min(1, Math.max(0, need)))
}

const byNeed = (a: Gap, b: Gap) => b.need - a.need || a.code.localeCompare(b.code)

/** The needs of every rated behaviour, and of each element above them, from the report's means. */
export function analyseGaps(tree: readonly TreeElement[], means: ReadonlyMap<string, ElementMeans>, scale: { min: number; max: number }): GapAnalysis {
  const byId = new Map(tree.map((e) => [e.id, e]))
  const behaviours: Gap[] = []
  const below = new Map<string, number[]>()
  for (const e of tree) {
    if (e.kind !== 'behaviour') continue
    const m = means.get(e.id)
    if (!m) continue
    const need = behaviourNeed(e.polarity, m.othersMean, scale.min, scale.max)
    if (need === null) continue
    behaviours.push({ elementId: e.id, lineageId: e.lineageId, code: e.code, title: e.title, kind: e.kind, polarity: e.polarity, othersMean: m.othersMean, selfMean: m.selfMean, need })
    for (let up = e.parentId ? byId.get(e.parentId) : undefined; up; up = up.parentId ? byId.get(up.parentId) : undefined) {
      below.set(up.id, [...(below.get(up.id) ?? []), need])
    }
  }
  const areas: Gap[] = []
  for (const [id, needs] of below) {
    const e = byId.get(id)!
    const m = means.get(id)
    areas.push({
      elementId: e.id, lineageId: e.lineageId, code: e.code, title: e.title, kind: e.kind, polarity: e.polarity,
      othersMean: m?.othersMean ?? null, selfMean: m?.selfMean ?? null,
      need: round(needs.reduce((s, n) => s + n, 0) / needs.length)
    })
  }
  return { behaviours: behaviours.sort(byNeed), areas: areas.sort(byNeed) }
}

/** The `top` largest gaps: behaviours with a need above zero, greatest first. */
export const largestGaps = (analysis: GapAnalysis, top: number) => analysis.behaviours.filter((g) => g.need > 0).slice(0, top)

export interface CandidateProgramme {
  id: string
  title: string
  /** Lineages of the framework elements the programme is linked to. */
  lineageIds: ReadonlySet<string>
}

export interface RankedProgramme<P extends CandidateProgramme> {
  programme: P
  score: number
  covers: Gap[]
}

/** Lineages of an element and of every element above it: what a programme may be linked to in order to cover it. */
export function coveringLineages(tree: readonly TreeElement[], elementId: string): string[] {
  const byId = new Map(tree.map((e) => [e.id, e]))
  const lineages: string[] = []
  for (let e = byId.get(elementId); e; e = e.parentId ? byId.get(e.parentId) : undefined) lineages.push(e.lineageId)
  return lineages
}

export function rankProgrammes<P extends CandidateProgramme>(tree: readonly TreeElement[], gaps: readonly Gap[], programmes: readonly P[]): Array<RankedProgramme<P>> {
  const lineagesOf = new Map(gaps.map((g) => [g.elementId, coveringLineages(tree, g.elementId)]))
  const ranked: Array<RankedProgramme<P>> = []
  for (const programme of programmes) {
    const covers = gaps.filter((g) => lineagesOf.get(g.elementId)!.some((l) => programme.lineageIds.has(l)))
    if (covers.length === 0) continue
    ranked.push({ programme, covers, score: round(covers.reduce((s, g) => s + g.need, 0)) })
  }
  return ranked.sort((a, b) => b.score - a.score || b.covers.length - a.covers.length || a.programme.title.localeCompare(b.programme.title))
}
