import { Type } from 'typebox'
import { DateTime, FieldError, Nullable, ref, Uuid } from '../schemas.js'

export const ImportCounts = Type.Object(
  {
    read: Type.Integer({ description: 'Rows read from the file' }),
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer({ description: 'Rows identical to what was already stored' }),
    failed: Type.Integer()
  },
  { $id: 'ImportCounts', additionalProperties: false }
)

export const ImportFailure = Type.Object(
  {
    line: Type.Integer({ description: 'Line of the file (CSV: the record’s first line; JSON array: the element’s 1-based position)' }),
    externalId: Type.Optional(Type.String()),
    errors: Type.Array(ref(FieldError))
  },
  { $id: 'ImportFailure', additionalProperties: false }
)

export const ImportResult = Type.Object(
  {
    resource: Type.String(),
    dryRun: Type.Boolean(),
    atomic: Type.Boolean(),
    committed: Type.Boolean({ description: 'Whether the rows were written' }),
    counts: ref(ImportCounts),
    failures: Type.Array(ref(ImportFailure), { description: 'Every failed row, by line' })
  },
  { $id: 'ImportResult', additionalProperties: false }
)

export const ImportJob = Type.Object(
  {
    id: Uuid,
    resource: Type.String(),
    state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
    format: Type.String(),
    dryRun: Type.Boolean(),
    atomic: Type.Boolean(),
    bytes: Nullable(Type.Integer()),
    rowsRead: Type.Integer(),
    rowsWritten: Type.Integer(),
    rowsFailed: Type.Integer(),
    result: Nullable(ref(ImportResult)),
    error: Nullable(Type.String({ description: 'Why the job stopped, when it failed other than by row errors' })),
    createdAt: DateTime,
    startedAt: Nullable(DateTime),
    finishedAt: Nullable(DateTime)
  },
  { $id: 'ImportJob', additionalProperties: false }
)

export const ImportQuery = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Validate and report without writing' })),
    atomic: Type.Optional(Type.Boolean({ default: true, description: 'All rows or none (default); false writes the valid rows' })),
    async: Type.Optional(Type.Boolean({ description: 'Force a background job (also `Prefer: respond-async`); large files always run as jobs' }))
  },
  { additionalProperties: false }
)

export const ExportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('ndjson'), Type.Literal('csv')], { description: 'Overrides Accept' })) },
  { additionalProperties: false }
)

export const bulkSchemas = [ImportCounts, ImportFailure, ImportResult, ImportJob]
