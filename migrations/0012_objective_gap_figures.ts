import { sql, type Kysely } from 'kysely'

/**
 * Objectives made from a 360° gap used to keep the report's figures (others' and self means, the
 * need) in their source detail, shown to everyone who reads the plan. The feedback module shows
 * those figures only to the subject and `assessments:read`; objectives now keep the element and
 * the scale only, and this removes the figures stored before. There is no way back: the figures
 * are still in the report they came from.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update development_objectives
    set source_detail = source_detail - 'othersMean' - 'selfMean' - 'need'
    where source = 'feedback_gap' and source_detail ?| array['othersMean', 'selfMean', 'need']`.execute(db)
}

export async function down(): Promise<void> {}
