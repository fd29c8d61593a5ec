/**
 * Diversity monitoring answers for the demo people, written through putDiversityRecord so the
 * audit trail and change feed name only the person (never the answers), as the API does.
 */
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { inTransaction, type Actor } from '../../platform/changes.js'
import { putDiversityRecord } from '../../modules/people/diversity.repository.js'
import type { DiversityRecordInput } from '../../modules/people/schemas.js'
import type { PersonPlan } from './people.js'
import type { Random } from './random.js'

export type DiversityInput = Static<typeof DiversityRecordInput>
type Answer<K extends keyof DiversityInput> = Exclude<DiversityInput[K], undefined>

export interface DiversityCounts {
  created: number
  updated: number
  unchanged: number
}

/** Most people answer the monitoring form; some never return it, some decline a question. */
const RECORD_RATE = 0.9
const ETHNICITY_NOT_STATED = 0.03

const answer = <K extends keyof DiversityInput>(random: Random, entries: Array<[Answer<K>, number]>): Answer<K> => random.weighted(entries)

export function diversityFor(random: Random, person: PersonPlan): DiversityInput | null {
  if (!random.chance(RECORD_RATE)) return null
  const ethnicity = (random.chance(ETHNICITY_NOT_STATED) ? 'NS' : person.ethnicity) as NonNullable<Answer<'ethnicity'>>
  const selfDefined = ethnicity.endsWith('9') && person.heritage.selfDefined && random.chance(0.5) ? person.heritage.selfDefined : null
  const staff = person.row.staffType === 'staff'
  return {
    ethnicity,
    ethnicitySelfDefined: selfDefined,
    sex: random.chance(0.01) ? 'prefer_not_to_say' : person.female ? 'female' : 'male',
    genderIdentitySameAsBirth: answer<'genderIdentitySameAsBirth'>(random, [['yes', 95.5], ['no', 0.5], ['prefer_not_to_say', 3], [null, 1]]),
    disability: answer<'disability'>(random, [['yes', staff ? 7 : 4], ['no', staff ? 83 : 86], ['prefer_not_to_say', 8], [null, 2]]),
    sexualOrientation: answer<'sexualOrientation'>(random, [['heterosexual', 85], ['gay_or_lesbian', 3], ['bisexual', 1.5], ['other', 0.5], ['prefer_not_to_say', 9], [null, 1]]),
    religionOrBelief: answer<'religionOrBelief'>(random, [...person.religionWeights, [null, 2]] as Array<[Answer<'religionOrBelief'>, number]>)
  }
}

const CHUNK = 1000

/**
 * Writes the records in one transaction, skipping those already as planned: putDiversityRecord
 * replaces unconditionally (a new version each time), and a second seed must change nothing.
 */
export async function writeDiversity(db: Db, records: Array<{ externalId: string; input: DiversityInput }>, actor: Actor): Promise<DiversityCounts> {
  const counts: DiversityCounts = { created: 0, updated: 0, unchanged: 0 }
  await inTransaction(db, actor, async (changes) => {
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK)
      const people = await changes.trx
        .selectFrom('people')
        .select(['id', 'external_id'])
        .where('external_id', 'in', chunk.map((r) => r.externalId))
        .execute()
      const byExternalId = new Map(people.map((p) => [p.external_id, p.id]))
      for (const { externalId, input } of chunk) {
        const personId = byExternalId.get(externalId)
        if (!personId) throw new Error(`diversity record for ${externalId}: no such person`)
        // The same answers again are left alone by putDiversityRecord: no version, audit or event.
        const { outcome } = await putDiversityRecord(changes, personId, input)
        counts[outcome]++
      }
      // Audit now and park events, as an import does, so memory stays flat for a large organisation.
      await changes.spill()
    }
  })
  return counts
}
