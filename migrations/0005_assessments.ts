import { sql, type Kysely } from 'kysely'

const ts = sql`timestamptz(3)`

/**
 * Frameworks (competency, values, role profiles) and their element trees. A framework row is one
 * version: drafts are editable, a published version is frozen, a new version is a draft copied from
 * the last. Elements keep a lineage id shared by their copies, so versions can be compared.
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('framework_elements').execute()
  await db.schema.dropTable('frameworks').execute()
}
