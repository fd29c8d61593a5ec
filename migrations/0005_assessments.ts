import { sql, type Kysely } from 'kysely'

const ts = sql`timestamptz(3)`

/**
 * Frameworks (competency, values, role profiles) and their element trees. A framework row is one
 * version: drafts are editable, a published version is frozen, a new version is a draft copied from
 * the last. Elements keep a lineage id shared by their copies, so versions can be compared.
 * Psychometric instruments with their scales, and each person's results (one score per scale).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('frameworks')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull().check(sql`version_number > 0`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('competency', 'values', 'role_profile')`))
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'published', 'retired')`))
    .addColumn('based_on_id', 'uuid', (c) => c.references('frameworks.id'))
    .addColumn('published_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('frameworks_code_version', ['code', 'version_number'])
    .addCheckConstraint('frameworks_published_at', sql`(status = 'draft') = (published_at is null)`)
    .execute()
  await db.schema.createIndex('frameworks_name').on('frameworks').columns(['name', 'id']).execute()

  await db.schema
    .createTable('framework_elements')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('framework_id', 'uuid', (c) => c.notNull().references('frameworks.id').onDelete('cascade'))
    .addColumn('parent_id', 'uuid', (c) => c.references('framework_elements.id').onDelete('cascade'))
    .addColumn('lineage_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('cluster', 'competency', 'value', 'behaviour')`))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('polarity', 'text', (c) => c.notNull().defaultTo('positive').check(sql`polarity in ('positive', 'negative')`))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('framework_elements_code', ['framework_id', 'code'])
    .addUniqueConstraint('framework_elements_lineage', ['framework_id', 'lineage_id'])
    .execute()
  await db.schema.createIndex('framework_elements_tree').on('framework_elements').columns(['framework_id', 'parent_id', 'position']).execute()
  await db.schema.createIndex('framework_elements_parent').on('framework_elements').column('parent_id').execute()
  await db.schema.createIndex('frameworks_code_status').on('frameworks').columns(['code', 'status', 'version_number']).execute()

  await db.schema
    .createTable('instruments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('personality', 'motivation', 'ability', 'interests', 'other')`))
    .addColumn('description', 'text')
    .addColumn('provider', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'retired')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('instruments_name').on('instruments').columns(['name', 'id']).execute()

  await db.schema
    .createTable('instrument_scales')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('instrument_id', 'uuid', (c) => c.notNull().references('instruments.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('score_kind', 'text', (c) => c.notNull().check(sql`score_kind in ('sten', 'stanine', 'percentile', 't_score', 'raw')`))
    .addColumn('min_score', sql`numeric(9,2)`, (c) => c.notNull())
    .addColumn('max_score', sql`numeric(9,2)`, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('instrument_scales_code', ['instrument_id', 'code'])
    .addCheckConstraint('instrument_scales_range', sql`min_score < max_score`)
    .execute()

  await db.schema
    .createTable('psychometric_results')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('instrument_id', 'uuid', (c) => c.notNull().references('instruments.id'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('assessor_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('taken_on', 'date', (c) => c.notNull())
    .addColumn('norm_group', 'text')
    .addColumn('provider_reference', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('psychometric_results_person').on('psychometric_results').columns(['person_id', 'taken_on', 'id']).execute()
  await db.schema.createIndex('psychometric_results_assessor').on('psychometric_results').columns(['assessor_id', 'taken_on', 'id']).execute()
  await db.schema.createIndex('psychometric_results_instrument').on('psychometric_results').columns(['instrument_id', 'taken_on', 'id']).execute()
  await db.schema.createIndex('psychometric_results_taken_on').on('psychometric_results').columns(['taken_on', 'id']).execute()

  // Scores are personal data: they live here only, never in events or audit records.
  await db.schema
    .createTable('psychometric_scores')
    .addColumn('result_id', 'uuid', (c) => c.notNull().references('psychometric_results.id').onDelete('cascade'))
    .addColumn('scale_id', 'uuid', (c) => c.notNull().references('instrument_scales.id'))
    .addColumn('score', sql`numeric(9,2)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('psychometric_scores_pkey', ['result_id', 'scale_id'])
    .execute()
  await db.schema.createIndex('psychometric_scores_scale').on('psychometric_scores').column('scale_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('psychometric_scores').execute()
  await db.schema.dropTable('psychometric_results').execute()
  await db.schema.dropTable('instrument_scales').execute()
  await db.schema.dropTable('instruments').execute()
  await db.schema.dropTable('framework_elements').execute()
  await db.schema.dropTable('frameworks').execute()
}
