import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_units')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('service', 'business_group', 'borough', 'ocu', 'department', 'team', 'board')`)
    )
    .addColumn('parent_id', 'uuid', (c) => c.references('org_units.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'closed')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('org_units_parent').on('org_units').columns(['parent_id', 'name', 'id']).execute()
  await db.schema.createIndex('org_units_name').on('org_units').columns(['name', 'id']).execute()

  await db.schema
    .createTable('grades')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('staff_type', 'text', (c) =>
      c.notNull().check(sql`staff_type in ('officer', 'staff', 'pcso', 'special_constable')`)
    )
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 0 and 100`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('grades_level').on('grades').columns(['level', 'id']).execute()

  await db.schema
    .createTable('people')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('preferred_name', 'text')
    .addColumn('email', 'text')
    .addColumn('staff_type', 'text', (c) =>
      c.notNull().check(sql`staff_type in ('officer', 'staff', 'pcso', 'special_constable')`)
    )
    .addColumn('grade_id', 'uuid', (c) => c.references('grades.id'))
    .addColumn('org_unit_id', 'uuid', (c) => c.references('org_units.id'))
    .addColumn('line_manager_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'left')`))
    .addColumn('start_date', 'date')
    .addColumn('leaving_date', 'date')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('people_not_own_manager', sql`line_manager_id is null or line_manager_id <> id`)
    .execute()
  await sql`create unique index people_email_unique on people (lower(email)) where email is not null`.execute(db)
  await db.schema.createIndex('people_family_name').on('people').columns(['family_name', 'given_name', 'id']).execute()
  await db.schema.createIndex('people_org_unit').on('people').columns(['org_unit_id', 'id']).execute()
  await db.schema.createIndex('people_grade').on('people').columns(['grade_id', 'id']).execute()
  await db.schema.createIndex('people_line_manager').on('people').columns(['line_manager_id', 'id']).execute()
  await db.schema.createIndex('people_created').on('people').columns(['created_at', 'id']).execute()

  // Special category data, kept apart from people and joined only by endpoints that need diversity:read.
  await db.schema
    .createTable('diversity_records')
    .addColumn('person_id', 'uuid', (c) => c.primaryKey().references('people.id').onDelete('cascade'))
    .addColumn('ethnicity', 'text')
    .addColumn('ethnicity_self_defined', 'text')
    .addColumn('sex', 'text')
    .addColumn('gender_identity_same_as_birth', 'text')
    .addColumn('disability', 'text')
    .addColumn('sexual_orientation', 'text')
    .addColumn('religion_or_belief', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['diversity_records', 'people', 'grades', 'org_units']) {
    await db.schema.dropTable(table).execute()
  }
}
