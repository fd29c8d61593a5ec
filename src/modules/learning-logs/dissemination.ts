import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import { defineProblem, Problem, type FieldError } from '../../platform/problems.js'

defineProblem('public-entry-names-person', {
  status: 422,
  title: 'Public learning log entry names a person',
  description:
    'A public learning log entry’s free text may name no person: title, summary, notes, source reference, tags, the none-needed reasons and change references and descriptions of the platform and delivery stages, the review’s evidence and the closure reason (the trail’s notes are not shown publicly and are not checked). Checked when a public entry’s text or people change, when an entry is made public (all its stored text), and when a stage move of a public entry records text. Refused: the full name (given or preferred name with family name) of anyone in the people records; the family name, as a capitalised word, of a person the entry refers to (identified by, action by, owner, SMT lead); and a courtesy title or police rank abbreviation followed by a capitalised word (“DCI Okafor”, “Mr Smith”, “Sir William”). `errors` points at each field and quotes what was found. Rephrase, or keep the entry internal_unit or organisation.'
})

/**
 * A free text a public entry shows: where it is (a JSON pointer into the request or the row when
 * it is being given, into the entry otherwise), `in` saying which, and what it says.
 */
export interface ShownText {
  pointer: string
  text: string | null | undefined
  in: string
}

/** Courtesy titles and police rank abbreviations that, before a capitalised word, name someone. */
const TITLES = ['Mr', 'Mrs', 'Ms', 'Miss', 'Mx', 'Dr', 'Sir', 'Dame', 'Lord', 'Lady', 'PC', 'DC', 'PS', 'DS', 'Sgt', 'Insp', 'DI', 'DCI', 'Supt', 'DSupt', 'DCS', 'Ch Supt', 'Cmdr', 'PCSO']
const TITLED = new RegExp(`(?<![\\p{L}\\p{N}])(?:${TITLES.join('|')})\\.?\\s+\\p{Lu}[\\p{L}'’-]+`, 'gu')

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** `name` as a whole phrase of `text` (not part of a longer word). */
const wholePhrase = (name: string, flags: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(name).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}])`, flags)

interface Person {
  given_name: string
  family_name: string
  preferred_name: string | null
}

/**
 * Refuses (422 public-entry-names-person) public text that names a person, by the three rules of
 * the problem type. `referencedIds` are the people the entry refers to. Each error points at the
 * text that names someone, `in` as the text says.
 */
export async function assertNamesNoPerson(db: Db, shown: readonly ShownText[], referencedIds: Array<string | null | undefined>): Promise<void> {
  const texts = shown.filter((t): t is ShownText & { text: string } => !!t.text)
  if (texts.length === 0) return
  const all = texts.map((t) => t.text).join('\n').toLowerCase()
  const found = new Map<ShownText, string[]>()
  const flag = (at: ShownText, what: string) => {
    const list = found.get(at) ?? []
    if (!list.includes(what)) list.push(what)
    found.set(at, list)
  }

  for (const t of texts) for (const m of t.text.matchAll(TITLED)) flag(t, m[0])

  // Full names: candidates by substring in the database (one scan of people), then whole-word in JS.
  const candidates = await sql<Person>`
    select given_name, family_name, preferred_name from people
    where position(lower(given_name || ' ' || family_name) in ${all}) > 0
       or (preferred_name is not null and position(lower(preferred_name || ' ' || family_name) in ${all}) > 0)
    limit 1000`.execute(db)
  for (const p of candidates.rows) {
    const names = [`${p.given_name} ${p.family_name}`, ...(p.preferred_name ? [`${p.preferred_name} ${p.family_name}`] : [])]
    for (const t of texts) for (const name of names) {
      const m = wholePhrase(name, 'iu').exec(t.text)
      if (m) flag(t, m[0])
    }
  }

  const ids = [...new Set(referencedIds.filter((x): x is string => !!x))]
  if (ids.length) {
    const referenced = await db.selectFrom('people').select(['given_name', 'family_name', 'preferred_name']).where('id', 'in', ids).execute()
    for (const p of referenced) for (const t of texts) {
      // Case-sensitive: “Young” the person, not “young officers”.
      const m = wholePhrase(p.family_name, 'u').exec(t.text)
      if (m) flag(t, m[0])
    }
  }

  if (found.size === 0) return
  const errors: FieldError[] = [...found].map(([at, names]) => ({
    in: at.in,
    pointer: at.pointer,
    detail: `names a person (${names.map((n) => `“${n}”`).join(', ')}); a public entry names no one`
  }))
  throw new Problem(422, 'public-entry-names-person', `a public entry names no person: ${errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; ')}`, { errors })
}
