import { sql, type RawBuilder } from 'kysely'
import type { DiversityRecordsTable } from '../people/tables.js'
import type { TargetGroup } from './tables.js'

/** ONS 16+1 codes that count as minority ethnic: every Mixed, Asian, Black and other code; not White, not “not stated”. */
export const MINORITY_ETHNIC_CODES = ['M1', 'M2', 'M3', 'M9', 'A1', 'A2', 'A3', 'A9', 'B1', 'B2', 'B9', 'O1', 'O9'] as const

type MonitoredColumn = keyof Pick<DiversityRecordsTable, 'ethnicity' | 'sex' | 'disability' | 'sexual_orientation'>

export interface TargetGroupDefinition {
  label: string
  /** The diversity monitoring answer the group is defined over. */
  column: MonitoredColumn
  /** A person is in the group when their answer is one of these; no record, no answer or “prefer not to say” is never in a group. */
  values: readonly string[]
}

/**
 * The one definition of each positive-action target group over diversity monitoring answers
 * (people's diversity_records). Reports, filters and anything else that asks "is this person in
 * the group" use this table, so the groups mean the same everywhere.
 */
export const TARGET_GROUP_DEFINITIONS: Readonly<Record<TargetGroup, TargetGroupDefinition>> = {
  minority_ethnic: { label: 'Minority ethnic', column: 'ethnicity', values: MINORITY_ETHNIC_CODES },
  women: { label: 'Women', column: 'sex', values: ['female'] },
  disabled: { label: 'Disabled', column: 'disability', values: ['yes'] },
  lgb: { label: 'Lesbian, gay or bisexual', column: 'sexual_orientation', values: ['gay_or_lesbian', 'bisexual'] }
}

/** Every target group, in the order reports list them. */
export const TARGET_GROUPS = Object.keys(TARGET_GROUP_DEFINITIONS) as TargetGroup[]

/** Whether a diversity record places a person in the group (false when there is no record). */
export function isInTargetGroup(group: TargetGroup, record: Partial<Pick<DiversityRecordsTable, MonitoredColumn>> | null | undefined): boolean {
  const { column, values } = TARGET_GROUP_DEFINITIONS[group]
  const answer = record?.[column]
  return typeof answer === 'string' && values.includes(answer)
}

/**
 * The same rule as an SQL condition over a diversity_records row joined as `alias` (left-joined
 * people without a record give null, which is never in a group).
 */
export function targetGroupCondition(group: TargetGroup, alias = 'd'): RawBuilder<boolean> {
  const { column, values } = TARGET_GROUP_DEFINITIONS[group]
  return sql<boolean>`coalesce(${sql.ref(`${alias}.${column}`)} in (${sql.join(values.map((v) => sql.lit(v)))}), false)`
}

/** A short description of the rule, for the contract and reports. */
export function describeTargetGroup(group: TargetGroup): string {
  const { label, column, values } = TARGET_GROUP_DEFINITIONS[group]
  return `${label}: ${column} is ${values.join(', ')}`
}
