/**
 * Gives each post a person: sex and ethnic background drawn from the MPS workforce figures in
 * seed 001 (Stephen Lawrence Inquiry progress report, 2007), names to match, an email, and
 * service dates. The figures make the demo show what that report describes: officers far less
 * diverse than police staff, PCSOs and specials, and representation falling with seniority.
 */
import type { StaffType } from '../../modules/people/tables.js'
import { gradeExternalId, gradeOf, type GradeCode } from './organisation.js'
import { emailPart, HERITAGES, nameFor, type Heritage, type Religion } from './names.js'
import type { Random } from './random.js'
import type { Post } from './structure.js'

/** The organisation is dated to the start of 2009/10, the period the seed papers describe, so later seeds can date cohorts consistently. */
export const AS_OF = '2009-04-01'

export interface PersonRow {
  externalId: string
  givenName: string
  familyName: string
  preferredName: string | null
  email: string
  staffType: StaffType
  gradeExternalId: string
  orgUnitExternalId: string
  lineManagerExternalId: string | null
  status: 'active' | 'left'
  startDate: string
  leavingDate: string | null
}

/** A person as planned: the import row plus what the diversity record is drawn from (never imported with the person). */
export interface PersonPlan {
  row: PersonRow
  grade: GradeCode
  ethnicity: string
  heritage: Heritage
  female: boolean
  religionWeights: Array<[Religion, number]>
}

export const personExternalId = (n: number) => `P${String(n).padStart(6, '0')}`

// Female share by grade. Seed 001: women are 22% of constables but 12% of sergeants, 20.3% of
// officers, 31.2% of specials, 33.8% of PCSOs and 58.6% of police staff, "increasingly
// underrepresented at bands D and above".
const FEMALE: Partial<Record<GradeCode, number>> = {
  PC: 0.22, PS: 0.12, INSP: 0.1, CI: 0.09, SUPT: 0.08, CH_SUPT: 0.08, SC: 0.312, PCSO: 0.338,
  BAND_G: 0.63, BAND_F: 0.63, BAND_E: 0.63, BAND_D: 0.5, BAND_C: 0.42, BAND_B: 0.36, BAND_A: 0.32, SPS: 0.3
}
// Black and minority ethnic share by grade. Seed 001: officers 7.7%, specials 29%, PCSOs 32.9%;
// staff "around 25% … at E and F … (and 50% of band G's) … 16% at band D (falling to around
// 10% at band C and above)", 22.7% of police staff overall.
const BME: Partial<Record<GradeCode, number>> = {
  PC: 0.085, PS: 0.06, INSP: 0.05, CI: 0.04, SUPT: 0.035, CH_SUPT: 0.03, SC: 0.29, PCSO: 0.329,
  BAND_G: 0.5, BAND_F: 0.24, BAND_E: 0.23, BAND_D: 0.16, BAND_C: 0.1, BAND_B: 0.1, BAND_A: 0.1, SPS: 0.08
}
const CHIEF_OFFICER_FEMALE = 0.1
const CHIEF_OFFICER_BME = 0.03

// Shares within London's minority ethnic workforce and within its white workforce (demo figures,
// shaped on the 2001 census for London: Indian and Black Caribbean/African the largest groups).
const BME_CODES: Array<[string, number]> = [
  ['M1', 8], ['M2', 3], ['M3', 4], ['M9', 4], ['A1', 17], ['A2', 7], ['A3', 5], ['A9', 6],
  ['B1', 17], ['B2', 13], ['B9', 4], ['O1', 4], ['O9', 8]
]
const WHITE_CODES: Array<[string, number]> = [['W1', 80], ['W2', 6], ['W9', 14]]

/** Years of service at this grade: [shortest, longest]. PCSOs date from 2002. */
const SERVICE_YEARS: Record<GradeCode, [number, number]> = {
  BAND_G: [0, 15], BAND_F: [0, 20], BAND_E: [0, 25], BAND_D: [2, 28], BAND_C: [4, 30], BAND_B: [6, 30], BAND_A: [8, 32], SPS: [10, 34],
  PCSO: [0, 6], SC: [0, 12], PC: [0, 25], PS: [4, 28], INSP: [7, 30], CI: [10, 30], SUPT: [14, 32], CH_SUPT: [17, 33],
  CDR: [20, 34], DAC: [22, 34], AC: [24, 35], DEP_COMM: [26, 35], COMM: [28, 36]
}

const DAY = 86_400_000
const asOf = Date.parse(`${AS_OF}T00:00:00Z`)
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export function planPeople(posts: Post[], random: Random): PersonPlan[] {
  return posts.map((post) => {
    const grade = gradeOf(post.grade)
    const female = random.chance(FEMALE[post.grade] ?? CHIEF_OFFICER_FEMALE)
    const bme = random.chance(BME[post.grade] ?? CHIEF_OFFICER_BME)
    const ethnicity = random.weighted(bme ? BME_CODES : WHITE_CODES)
    const heritage = random.weighted(HERITAGES[ethnicity].map((h) => [h, h.weight] as const))
    const named = nameFor(random, heritage, female)

    // Service skews short (a force recruits more than it promotes), never before the range.
    const [shortest, longest] = SERVICE_YEARS[post.grade]
    const left = post.member && random.chance(0.03)
    const years = Math.max(shortest, left ? 1 : 0) + (longest - shortest) * random.next() ** 1.6
    const start = asOf - Math.round(years * 365.25) * DAY - random.int(0, 364) * DAY
    const leaving = left ? asOf - random.int(1, 330) * DAY : null

    const externalId = personExternalId(post.number)
    return {
      row: {
        externalId,
        givenName: named.givenName,
        familyName: named.familyName,
        preferredName: named.preferredName,
        // The number keeps addresses unique however common the name (people.email is unique, case-insensitively).
        email: `${emailPart(named.givenName)}.${emailPart(named.familyName)}.${post.number}@met.example`,
        staffType: grade.staffType,
        gradeExternalId: gradeExternalId(post.grade),
        orgUnitExternalId: post.orgUnit,
        lineManagerExternalId: post.manager === null ? null : personExternalId(post.manager),
        status: left ? 'left' : 'active',
        // Leavers served at least a year, so they started well before they left.
        startDate: isoDate(start),
        leavingDate: leaving === null ? null : isoDate(leaving)
      },
      grade: post.grade,
      ethnicity,
      heritage,
      female,
      religionWeights: named.religionWeights
    }
  })
}
