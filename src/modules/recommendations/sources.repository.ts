import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { changesNothing } from '../../platform/patches.js'
import { describeConstraint, notFound } from '../../platform/problems.js'
import type {
  RecommendationSource,
  RecommendationSourceCreate,
  RecommendationSourceListQuery,
  RecommendationSourceUpdate,
  Theme,
  ThemeCreate,
  ThemeListQuery,
  ThemeUpdate
} from './sources.schemas.js'
import { iso } from './status.js'
import type { RecommendationSourcesTable, RecommendationThemesTable, SourceKind } from './tables.js'

describeConstraint('recommendation_sources_code_key', 'a source with this code already exists')
describeConstraint('recommendation_sources_external_id_key', 'a source with this externalId already exists')
describeConstraint('recommendation_themes_code_key', 'a theme with this code already exists')

export type SourceRow = Selectable<RecommendationSourcesTable>
export type ThemeRow = Selectable<RecommendationThemesTable>

export const toSource = (r: SourceRow): Static<typeof RecommendationSource> => ({
  id: r.id,
  externalId: r.external_id,
  code: r.code,
  title: r.title,
  kind: r.kind,
  issuingBody: r.issuing_body,
  publishedOn: r.published_on,
  reference: r.reference,
  url: r.url,
  expectedResponseOn: r.expected_response_on,
  description: r.description,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export const toTheme = (r: ThemeRow): Static<typeof Theme> => ({
  id: r.id,
  code: r.code,
  title: r.title,
  description: r.description,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

type SourceInput = Static<typeof RecommendationSourceUpdate>
const SOURCE_FIELDS: Array<[keyof SourceInput, keyof RecommendationSourcesTable]> = [
  ['externalId', 'external_id'], ['code', 'code'], ['title', 'title'], ['kind', 'kind'], ['issuingBody', 'issuing_body'],
  ['publishedOn', 'published_on'], ['reference', 'reference'], ['url', 'url'], ['expectedResponseOn', 'expected_response_on'],
  ['description', 'description']
]

function columnsOf<I extends object>(input: I, fields: Array<[keyof I, string]>): Record<string, unknown> {
  const set: Record<string, unknown> = {}
  for (const [field, column] of fields) if (input[field] !== undefined) set[column] = input[field]
  return set
}

const sourceSorts: SortAllowList<SourceRow> = {
  code: { columns: ['code', 'id'], direction: 'asc', key: (r) => [r.code, r.id] },
  createdAt: { columns: ['created_at', 'id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function findSource(db: Db, id: string): Promise<SourceRow> {
  const row = await db.selectFrom('recommendation_sources').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('source', id)
  return row
}

export async function listSources(db: Db, q: Static<typeof RecommendationSourceListQuery>): Promise<Page<SourceRow>> {
  let query = db.selectFrom('recommendation_sources').selectAll()
  if (q.kind) query = query.where('kind', '=', q.kind as SourceKind)
  if (q.code) query = query.where('code', '=', q.code)
  return keysetPage(query, sourceSorts, q, 'code')
}

export async function createSource(changes: ChangeSet, input: Static<typeof RecommendationSourceCreate>) {
  const row = await changes.trx
    .insertInto('recommendation_sources')
    .values(columnsOf(input, SOURCE_FIELDS) as never)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toSource(row)
  changes.record({ action: 'recommendation-source.created', entityType: 'recommendation-source', entityId: row.id, after: view })
  return view
}

export async function updateSource(changes: ChangeSet, id: string, patch: SourceInput, expected?: IfMatch) {
  const current = await changes.trx.selectFrom('recommendation_sources').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('source', id)
  assertCurrentVersion(expected, current.version)
  const set = columnsOf(patch, SOURCE_FIELDS)
  if (changesNothing(current, set)) return toSource(current)
  const row = await changes.trx
    .updateTable('recommendation_sources')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toSource(row)
  changes.record({ action: 'recommendation-source.updated', entityType: 'recommendation-source', entityId: id, before: toSource(current), after: view })
  return view
}

const THEME_FIELDS: Array<[keyof Static<typeof ThemeUpdate>, string]> = [['code', 'code'], ['title', 'title'], ['description', 'description']]
const themeSorts: SortAllowList<ThemeRow> = { code: { columns: ['code', 'id'], direction: 'asc', key: (r) => [r.code, r.id] } }

export async function findTheme(db: Db, id: string): Promise<ThemeRow> {
  const row = await db.selectFrom('recommendation_themes').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('theme', id)
  return row
}

export async function listThemes(db: Db, q: Static<typeof ThemeListQuery>): Promise<Page<ThemeRow>> {
  let query = db.selectFrom('recommendation_themes').selectAll()
  if (q.code) query = query.where('code', '=', q.code)
  return keysetPage(query, themeSorts, q, 'code')
}

export async function createTheme(changes: ChangeSet, input: Static<typeof ThemeCreate>) {
  const row = await changes.trx.insertInto('recommendation_themes').values(columnsOf(input, THEME_FIELDS) as never).returningAll().executeTakeFirstOrThrow()
  const view = toTheme(row)
  changes.record({ action: 'theme.created', entityType: 'theme', entityId: row.id, after: view })
  return view
}

export async function updateTheme(changes: ChangeSet, id: string, patch: Static<typeof ThemeUpdate>, expected?: IfMatch) {
  const current = await changes.trx.selectFrom('recommendation_themes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('theme', id)
  assertCurrentVersion(expected, current.version)
  const set = columnsOf(patch, THEME_FIELDS)
  if (changesNothing(current, set)) return toTheme(current)
  const row = await changes.trx
    .updateTable('recommendation_themes')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toTheme(row)
  changes.record({ action: 'theme.updated', entityType: 'theme', entityId: id, before: toTheme(current), after: view })
  return view
}
