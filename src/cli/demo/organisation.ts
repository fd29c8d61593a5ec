/**
 * The demo organisation's fixed shape: grades, business groups, boroughs/OCUs/departments and
 * boards. Names come from the seed papers (MPA reports 2004–2009) where they name something;
 * the rest are the MPS's own published unit names of that period.
 */
import type { OrgUnitKind, StaffType } from '../../modules/people/tables.js'

export interface GradeDef {
  code: string
  name: string
  staffType: StaffType
  level: number
}

/**
 * Levels put a rank and its police staff equivalent on one number, so an eligibility range such
 * as seed 001's "Sergeant to Superintendent and police staff equivalents" is levels 4–7.
 * The pairing follows the seed papers rather than pay scales:
 * - constable = band E (3): PALP targets "non-managerial bands/ranks … bands E and below", and
 *   the people schema documents "constable and band E share a level". PCSOs and special
 *   constables are front-line non-managerial roles, so they sit here too.
 * - bands G (1) and F (2) are support grades below that line.
 * - sergeant = band D (4): band D is the first managerial band ("apply for band D/ equivalent
 *   roles"), as sergeant is the first supervisory rank.
 * - inspector (5) has no band of its own: the High Potential scheme reads "up to Chief
 *   Inspector/ Band C", which pairs band C with chief inspector (6), not inspector.
 * - superintendent = band B (7), chief superintendent = band A (8): Transform serves "Bands A and
 *   B", the senior staff who mirror the superintending ranks in "Leadership Development for
 *   Senior Women (Chief Inspectors, Superintendents and Chief Superintendents and equivalent
 *   police staff)".
 * - commander and senior police staff (9); the chief officer ranks above (10–13) are only the
 *   handful of business group heads, so the tree has one root (the Commissioner).
 */
export const GRADES = [
  { code: 'BAND_G', name: 'Police Staff Band G', staffType: 'staff', level: 1 },
  { code: 'BAND_F', name: 'Police Staff Band F', staffType: 'staff', level: 2 },
  { code: 'BAND_E', name: 'Police Staff Band E', staffType: 'staff', level: 3 },
  { code: 'PCSO', name: 'Police Community Support Officer', staffType: 'pcso', level: 3 },
  { code: 'SC', name: 'Special Constable', staffType: 'special_constable', level: 3 },
  { code: 'PC', name: 'Constable', staffType: 'officer', level: 3 },
  { code: 'BAND_D', name: 'Police Staff Band D', staffType: 'staff', level: 4 },
  { code: 'PS', name: 'Sergeant', staffType: 'officer', level: 4 },
  { code: 'INSP', name: 'Inspector', staffType: 'officer', level: 5 },
  { code: 'BAND_C', name: 'Police Staff Band C', staffType: 'staff', level: 6 },
  { code: 'CI', name: 'Chief Inspector', staffType: 'officer', level: 6 },
  { code: 'BAND_B', name: 'Police Staff Band B', staffType: 'staff', level: 7 },
  { code: 'SUPT', name: 'Superintendent', staffType: 'officer', level: 7 },
  { code: 'BAND_A', name: 'Police Staff Band A', staffType: 'staff', level: 8 },
  { code: 'CH_SUPT', name: 'Chief Superintendent', staffType: 'officer', level: 8 },
  { code: 'SPS', name: 'Senior Police Staff', staffType: 'staff', level: 9 },
  { code: 'CDR', name: 'Commander', staffType: 'officer', level: 9 },
  { code: 'DAC', name: 'Deputy Assistant Commissioner', staffType: 'officer', level: 10 },
  { code: 'AC', name: 'Assistant Commissioner', staffType: 'officer', level: 11 },
  { code: 'DEP_COMM', name: 'Deputy Commissioner', staffType: 'officer', level: 12 },
  { code: 'COMM', name: 'Commissioner', staffType: 'officer', level: 13 }
] as const satisfies readonly GradeDef[]

export type GradeCode = (typeof GRADES)[number]['code']
export const gradeExternalId = (code: string) => `GR-${code}`
const byCode = new Map<string, GradeDef>(GRADES.map((g) => [g.code, g]))
export const gradeOf = (code: GradeCode): GradeDef => byCode.get(code)!

export const SERVICE = { externalId: 'OU-MPS', name: 'Metropolitan Police Service', kind: 'service' as OrgUnitKind }

/** Boards named in the seeds (Management Board, Performance Board, MPS Diversity Board, HR Board, Training Board, Investment Board). */
export const BOARDS = [
  ['OU-BOARD-MB', 'Management Board'],
  ['OU-BOARD-PERF', 'Performance Board'],
  ['OU-BOARD-DIV', 'MPS Diversity Board'],
  ['OU-BOARD-HR', 'HR Board'],
  ['OU-BOARD-TRAINING', 'Training Board'],
  ['OU-BOARD-INVEST', 'Investment Board']
] as const

/** How a command's teams look: which team types it cycles through and whether its managers are officers or staff. */
export type CommandStyle = 'borough' | 'operational' | 'investigative' | 'staff' | 'training'

export interface BusinessGroupDef {
  key: string
  name: string
  /** Grade of the head (an Assistant Commissioner, the Deputy Commissioner or a Director). */
  head: GradeCode
}

export interface CommandDef {
  externalId: string
  name: string
  kind: OrgUnitKind
  group: string
  style: CommandStyle
  /** Share of the workforce, in thousandths. */
  weight: number
  /** Grade of the head when not the default for its style and size. */
  head?: GradeCode
  /** Names for the teams (cycled, numbered when repeated); generic names by team type otherwise. */
  teams?: string[]
}

/** Business groups the seeds name (SO, SCD, Central Operations, DOR, HR Directorate, DOI, DCP) plus Territorial Policing, home of the boroughs (BOCUs). */
export const BUSINESS_GROUPS: BusinessGroupDef[] = [
  { key: 'TP', name: 'Territorial Policing', head: 'AC' },
  { key: 'SO', name: 'Specialist Operations', head: 'AC' },
  { key: 'SCD', name: 'Specialist Crime Directorate', head: 'AC' },
  { key: 'CO', name: 'Central Operations', head: 'AC' },
  { key: 'DCP', name: "Deputy Commissioner's Portfolio", head: 'DEP_COMM' },
  { key: 'DOR', name: 'Directorate of Resources', head: 'SPS' },
  { key: 'HRD', name: 'Human Resources Directorate', head: 'SPS' },
  { key: 'DOI', name: 'Directorate of Information', head: 'SPS' }
]
export const groupExternalId = (key: string) => `OU-${key}`

/** The 32 London boroughs, each a BOCU, with a rough relative size (inner London and the West End largest). */
const BOROUGHS: Array<[string, number]> = [
  ['Barking and Dagenham', 13], ['Barnet', 17], ['Bexley', 12], ['Brent', 18], ['Bromley', 15], ['Camden', 19],
  ['Croydon', 20], ['Ealing', 18], ['Enfield', 17], ['Greenwich', 17], ['Hackney', 19], ['Hammersmith and Fulham', 15],
  ['Haringey', 18], ['Harrow', 12], ['Havering', 13], ['Hillingdon', 17], ['Hounslow', 15], ['Islington', 18],
  ['Kensington and Chelsea', 15], ['Kingston upon Thames', 11], ['Lambeth', 22], ['Lewisham', 17], ['Merton', 12],
  ['Newham', 20], ['Redbridge', 15], ['Richmond upon Thames', 11], ['Southwark', 21], ['Sutton', 11],
  ['Tower Hamlets', 20], ['Waltham Forest', 16], ['Wandsworth', 16], ['Westminster', 30]
]
const BOROUGH_SHARE = 550 // thousandths of the workforce in the boroughs, as TP was over half the MPS
const boroughTotal = BOROUGHS.reduce((sum, [, w]) => sum + w, 0)
const slug = (name: string) => name.toUpperCase().replace(/ AND /g, '-').replace(/ UPON THAMES/, '').replace(/[^A-Z]+/g, '-')

const command = (group: string, key: string, name: string, kind: OrgUnitKind, style: CommandStyle, weight: number, extra: Partial<CommandDef> = {}): CommandDef => ({
  externalId: `OU-${group}-${key}`, name, kind, group, style, weight, ...extra
})

export const COMMANDS: CommandDef[] = [
  ...BOROUGHS.map(([name, w]) => command('TP', slug(name), name, 'borough', 'borough', (w * BOROUGH_SHARE) / boroughTotal)),
  command('TP', 'SNU', 'Safer Neighbourhoods Unit', 'department', 'staff', 10, { head: 'SUPT', teams: ['Safer Neighbourhoods Programme Team', 'Ward Panels and Community Engagement'] }),
  command('SO', 'CTC', 'Counter Terrorism Command', 'ocu', 'investigative', 35, { head: 'CDR' }),
  command('SO', 'RASP', 'Royalty and Specialist Protection', 'ocu', 'operational', 20),
  command('SO', 'DPG', 'Diplomatic Protection Group', 'ocu', 'operational', 15),
  command('SCD', 'HSCC', 'Homicide and Serious Crime Command', 'ocu', 'investigative', 45, { head: 'CDR' }),
  command('SCD', 'CAIC', 'Child Abuse Investigation Command', 'ocu', 'investigative', 20),
  command('SCD', 'TRIDENT', 'Operation Trident', 'ocu', 'investigative', 20),
  command('SCD', 'ESC', 'Economic and Specialist Crime', 'ocu', 'investigative', 25),
  command('CO', 'TSG', 'Territorial Support Group', 'ocu', 'operational', 30),
  command('CO', 'TRAFFIC', 'Traffic Operational Command Unit', 'ocu', 'operational', 25),
  command('CO', 'POB', 'Public Order Branch', 'ocu', 'operational', 10),
  command('CO', 'MPU', 'Marine Policing Unit', 'ocu', 'operational', 7),
  command('CO', 'ASU', 'Air Support Unit', 'ocu', 'operational', 8),
  command('DCP', 'DPS', 'Directorate of Professional Services', 'department', 'investigative', 18, { head: 'CDR' }),
  command('DCP', 'DLS', 'Directorate of Legal Services', 'department', 'staff', 5, { teams: ['Employment Law', 'Civil Litigation'] }),
  command('DCP', 'DCFD', 'Diversity and Citizen Focus Directorate', 'department', 'training', 12, { head: 'DAC', teams: ['Race Equality Scheme', 'Community Engagement', 'Independent Advisory Groups', 'Equality Impact Assessment'] }),
  command('DOR', 'CPG', 'Corporate Planning Group', 'department', 'staff', 12, { teams: ['Strategic Consultation Unit', 'Policy Clearing House', 'Performance Management Framework'] }),
  command('DOR', 'FIN', 'Finance Services', 'department', 'staff', 20),
  command('DOR', 'PROP', 'Property Services', 'department', 'staff', 20),
  command('DOR', 'PROC', 'Procurement Services', 'department', 'staff', 18),
  command('HRD', 'LA', 'Leadership Academy', 'department', 'training', 15, { teams: ['Leadership Development', 'Foundation Leadership Modules', 'Coaching and Mentoring', 'Organisational Development Team'] }),
  command('HRD', 'CMU', 'Career Management Unit', 'department', 'staff', 8, { teams: ['Careers Guidance', 'Progression and Retention'] }),
  command('HRD', 'WFP', 'Workforce Planning', 'department', 'staff', 7),
  command('HRD', 'REC', 'Recruitment', 'department', 'staff', 15, { teams: ['Police Officer Recruitment', 'Police Staff Recruitment', 'PCSO and Special Constabulary Recruitment'] }),
  command('DOI', 'TECH', 'Technology Services', 'department', 'staff', 22),
  command('DOI', 'RMB', 'Records Management Branch', 'department', 'staff', 8)
]
