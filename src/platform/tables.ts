import type { ColumnType, Generated, JSONColumnType } from 'kysely'

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface ApiClientsTable {
  id: Generated<string>
  name: string
  description: string | null
  secret_hash: string
  scopes: string[]
  status: Generated<'active' | 'disabled'>
  secret_rotated_at: Timestamp
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface IdempotencyKeysTable {
  principal: string
  key: string
  request_hash: string
  state: 'in_progress' | 'completed'
  response_status: number | null
  response_headers: JSONColumnType<Record<string, string>> | null
  response_body: string | null
  created_at: Timestamp
  expires_at: Timestamp
}

export interface AuditRecordsTable {
  id: Generated<number>
  occurred_at: Timestamp
  actor: string
  client_id: string | null
  action: string
  entity_type: string
  entity_id: string
  before: unknown
  after: unknown
  request_id: string | null
}

export interface EventCounterTable {
  id: number
  last_sequence: number
}

export interface EventsTable {
  sequence: number
  type: string
  entity_type: string
  entity_id: string
  occurred_at: Timestamp
  actor: string
  request_id: string | null
  data: unknown
}

export interface ImportJobsTable {
  id: Generated<string>
  resource: string
  state: 'queued' | 'running' | 'succeeded' | 'failed'
  format: string
  dry_run: boolean
  atomic: boolean
  principal: string
  bytes: number | null
  rows_read: Generated<number>
  rows_written: Generated<number>
  rows_failed: Generated<number>
  result: unknown
  error: string | null
  created_at: Timestamp
  started_at: Timestamp | null
  finished_at: Timestamp | null
  /** The process running the job (one API replica), and when it last said it was alive. */
  owner: string | null
  heartbeat_at: Timestamp | null
}

export interface RateLimitCountersTable {
  key: string
  window_start: Timestamp
  count: number
}

export interface PlatformTables {
  api_clients: ApiClientsTable
  idempotency_keys: IdempotencyKeysTable
  audit_records: AuditRecordsTable
  event_counter: EventCounterTable
  events: EventsTable
  import_jobs: ImportJobsTable
  rate_limit_counters: RateLimitCountersTable
}
