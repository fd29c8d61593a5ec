import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import { defineProblem, Problem, type FieldError } from '../../platform/problems.js'

defineProblem('public-entry-names-person', {
  status: 422,
  title: 'Public learning log entry names a person',
  description:
    'A public learning log entry’s title, summary and notes may name no person. Refused: the full name (given or preferred name with family name) of anyone in the people records; the family name, as a capitalised word, of a person the entry refers to (identified by, action by, owner, SMT lead); and a courtesy title or police rank abbreviation followed by a capitalised word (“DCI Okafor”, “Mr Smith”, “Sir William”). `errors` points at each field and quotes what was found. Rephrase, or keep the entry internal_unit or organisation.'
})

/** The text a public entry shows, by field. */
export interface PublicText {
  title: string
  summary: string
  notes: string | null
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
 * the problem type. `referencedIds` are the people the entry refers to; `given` says which fields
 * the request sent (they are reported `in: body`, the others `in: entry`).
 */
export async function assertNamesNoPerson(db: Db, text: PublicText, referencedIds: Array<string | null | undefined>, given: ReadonlySet<string>, where = 'body'): Promise<void> {
  const fields = (['title', 'summary', 'notes'] as const).filter((f) => text[f])
  const all = fields.map((f) => text[f]!).join('\n').toLowerCase()
  const found = new Map<string, string[]>()
  const flag = (field: string, what: string) => {
    const list = found.get(field) ?? []
    if (!list.includes(what)) list.push(what)
    found.set(field, list)
  }

  for (const field of fields) for (const m of text[field]!.matchAll(TITLED)) flag(field, m[0])

  // Full names: candidates by substring in the database (one scan of people), then whole-word in JS.
  const candidates = await sql<Person>`
    select given_name, family_name, preferred_name from people
    where position(lower(given_name || ' ' || family_name) in ${all}) > 0
       or (preferred_name is not null and position(lower(preferred_name || ' ' || family_name) in ${all}) > 0)
    limit 1000`.execute(db)
  for (const p of candidates.rows) {
    const names = [`${p.given_name} ${p.family_name}`, ...(p.preferred_name ? [`${p.preferred_name} ${p.family_name}`] : [])]
    for (const field of fields) for (const name of names) {
      const m = wholePhrase(name, 'iu').exec(text[field]!)
      if (m) flag(field, m[0])
    }
  }

  const ids = [...new Set(referencedIds.filter((x): x is string => !!x))]
  if (ids.length) {
    const referenced = await db.selectFrom('people').select(['given_name', 'family_name', 'preferred_name']).where('id', 'in', ids).execute()
    for (const p of referenced) for (const field of fields) {
      // Case-sensitive: “Young” the person, not “young officers”.
      const m = wholePhrase(p.family_name, 'u').exec(text[field]!)
      if (m) flag(field, m[0])
    }
  }

  if (found.size === 0) return
  const errors: FieldError[] = [...found].map(([field, names]) => ({
    in: given.has(field) ? where : 'entry',
    pointer: `/${field}`,
    detail: `names a person (${names.map((n) => `“${n}”`).join(', ')}); a public entry names no one`
  }))
  throw new Problem(422, 'public-entry-names-person', `a public entry names no person: ${errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; ')}`, { errors })
}
