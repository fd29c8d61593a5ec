import { appendFileSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'

/**
 * The suite's HTTP client. Every request carries an `X-Request-Id` the suite chose; every
 * mutating request to `/v1/` is logged with its outcome to `requests.ndjson`, so the audit point
 * can check that each change has its audit record (and that nothing else has one).
 */
export interface Sent {
  status: number
  headers: Headers
  text: string
  ms: number
  requestId: string
  json<T = any>(): T
}

export interface SendOptions {
  token?: string
  body?: unknown
  /** A raw body (string or bytes) with its content type; `body` is sent as JSON. */
  raw?: { contentType: string; data: string | Uint8Array }
  headers?: Record<string, string>
  /** Abort after this many milliseconds. */
  timeoutMs?: number
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
let counter = 0

export function newRequestId() {
  return `rs-${process.env.RESILIENCE_FILE ?? 'x'}-${process.pid}-${++counter}`
}

export interface LoggedMutation {
  id: string
  method: string
  path: string
  /** The HTTP status, or null when no answer came (connection refused or reset, timeout). */
  status: number | null
  replayed: boolean
  file: string
  /** The created or changed resource's id when the answer named one. */
  resourceId?: string
  /** Rows an import reports written (created + updated), when the answer has import counts. */
  declaredChanges?: number
  /** The answer lists what it did and every list is empty (a sweep that found nothing). */
  nothingReported?: boolean
}

export function logMutation(entry: Omit<LoggedMutation, 'file'>) {
  const out = process.env.RESILIENCE_OUT
  if (!out) return
  appendFileSync(join(out, 'requests.ndjson'), JSON.stringify({ ...entry, file: process.env.RESILIENCE_FILE ?? 'unknown' }) + '\n')
}

export async function send(base: string, method: string, path: string, options: SendOptions = {}): Promise<Sent> {
  const requestId = newRequestId()
  const headers: Record<string, string> = { 'x-request-id': requestId, ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: string | Uint8Array | undefined
  if (options.raw) {
    headers['content-type'] = options.raw.contentType
    body = options.raw.data
  } else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = JSON.stringify(options.body)
  }
  const started = performance.now()
  const mutating = MUTATING.has(method.toUpperCase()) && path.startsWith('/v1/')
  let res: { status: number; headers: Headers; text(): Promise<string> }
  // A JSON body over the API's JSON limit (1 MB) is refused on its Content-Length, and the
  // server may close before reading it: such probes send their headers first (see below).
  const overLimit = body !== undefined && options.raw?.contentType === 'application/json' && Buffer.byteLength(body) > 1_048_576
  try {
    if (overLimit) {
      const answered = await answerDespiteClose(base + path, method, headers, body!)
      if (!answered) throw new Error(`no answer to a ${Buffer.byteLength(body!)}-byte upload`)
      res = answered
    } else res = await fetch(base + path, {
      method,
      headers,
      body: body as BodyInit | undefined,
      signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined
    })
  } catch (error) {
    const code = ((error as { cause?: { code?: string } }).cause ?? {}).code
    const answered = body !== undefined && !overLimit && (code === 'EPIPE' || code === 'ECONNRESET') ? await answerDespiteClose(base + path, method, headers, body) : undefined
    if (!answered) {
      if (mutating) logMutation({ id: requestId, method, path, status: null, replayed: false })
      throw error
    }
    res = answered
  }
  let text: string
  try {
    text = await res.text()
  } catch (error) {
    if (mutating) logMutation({ id: requestId, method, path, status: null, replayed: false })
    throw error
  }
  const ms = performance.now() - started
  if (mutating) {
    let resourceId: string | undefined
    let declaredChanges: number | undefined
    let nothingReported: boolean | undefined
    try {
      const parsed = JSON.parse(text)
      if (parsed && typeof parsed.id === 'string') resourceId = parsed.id
      if (parsed?.counts && typeof parsed.counts.created === 'number') declaredChanges = parsed.committed === false ? 0 : parsed.counts.created + parsed.counts.updated
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !('id' in parsed)) {
        const lists = Object.values(parsed).filter(Array.isArray)
        if (lists.length > 0 && lists.every((l) => l.length === 0)) nothingReported = true
      }
    } catch {
      // not JSON
    }
    // A PATCH answered with the very ETag it was sent in If-Match changed nothing, and by the
    // contract writes no audit record (src/platform/patches.ts).
    const ifMatch = Object.entries(headers).find(([name]) => name.toLowerCase() === 'if-match')?.[1]
    if (method.toUpperCase() === 'PATCH' && res.status === 200 && ifMatch && res.headers.get('etag') === ifMatch) declaredChanges = 0
    // The server replaces a request id that is not a plain token: log the one it used.
    logMutation({ id: res.headers.get('x-request-id') ?? requestId, method, path, status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', resourceId, declaredChanges, nothingReported })
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    ms,
    requestId,
    json: () => JSON.parse(text)
  }
}

/**
 * A server may answer a request it refuses (413: body over the limit) before reading the body, and
 * close the connection (RFC 9110 allows it); fetch then fails with EPIPE or ECONNRESET although an
 * answer came. Sends the request again with node:http, which hands over the answer it read whatever
 * became of the upload; undefined when no answer comes then either.
 */
function answerDespiteClose(url: string, method: string, headers: Record<string, string>, body: string | Uint8Array) {
  return new Promise<{ status: number; headers: Headers; text(): Promise<string> } | undefined>((resolve) => {
    let settled = false
    let answered = false
    const settle = (value: { status: number; headers: Headers; text(): Promise<string> } | undefined) => {
      if (!settled) resolve(value)
      settled = true
    }
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      answered = true
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', () => settle(undefined))
      res.on('end', () => {
        const answer = new Headers()
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : value)
        const text = Buffer.concat(chunks).toString('utf8')
        settle({ status: res.statusCode ?? 0, headers: answer, text: async () => text })
        req.destroy()
      })
    })
    // The upload failing is expected; give the answer a moment to arrive before giving up.
    req.on('error', () => setTimeout(() => settle(undefined), 1000))
    // Headers first, as a careful client does: a server that refuses on the headers alone (413
    // on Content-Length) answers before the body is sent, and closing the socket under an
    // unread body cannot reset the answer away (what made fetch report EPIPE).
    req.flushHeaders()
    setTimeout(() => {
      if (!answered && !settled) req.end(body)
    }, 300)
  })
}

/** A client bound to one server and token. */
export function client(base: string, token?: string) {
  const call = (method: string) => (path: string, options: SendOptions = {}) => send(base, method, path, { token, ...options })
  return { base, get: call('GET'), post: call('POST'), patch: call('PATCH'), put: call('PUT'), delete: call('DELETE'), send: (method: string, path: string, options: SendOptions = {}) => send(base, method, path, { token, ...options }) }
}
export type Client = ReturnType<typeof client>

/** Figures a file reports; the runner prints them all at the end. */
export function report(name: string, figures: Record<string, unknown>) {
  if (process.env.RESILIENCE_ENGINE === 'pglite') name += ' (PGlite)'
  const out = process.env.RESILIENCE_OUT
  const line = `${name}: ${JSON.stringify(figures)}`
  console.log(`# figures ${line}`)
  if (out) writeFileSync(join(out, `figures-${name}.json`), JSON.stringify({ name, figures }, null, 2))
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

/**
 * A request whose body is sent in slices over `spreadMs` (with its Content-Length up front), so
 * it is in flight that long. Raw node:http: fetch cannot pace a body with a known length.
 */
export async function slowUpload(
  base: string,
  path: string,
  options: { token?: string; contentType: string; slices: string[]; spreadMs: number; method?: string }
): Promise<{ status: number | null; text: string; error?: string; requestId: string }> {
  const { request } = await import('node:http')
  const requestId = newRequestId()
  const method = options.method ?? 'POST'
  const total = options.slices.reduce((n, s) => n + Buffer.byteLength(s), 0)
  const url = new URL(base + path)
  const result = await new Promise<{ status: number | null; text: string; error?: string }>((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent: false,
        headers: {
          'content-type': options.contentType,
          'content-length': String(total),
          'x-request-id': requestId,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {})
        }
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? null, text }))
        res.on('error', (error) => resolve({ status: null, text, error: error.message }))
      }
    )
    req.on('error', (error) => resolve({ status: null, text: '', error: error.message }))
    void (async () => {
      for (const slice of options.slices) {
        if (req.destroyed) return
        req.write(slice)
        await new Promise((r) => setTimeout(r, options.spreadMs / options.slices.length))
      }
      req.end()
    })()
  })
  if (path.startsWith('/v1/')) logMutation({ id: requestId, method, path, status: result.status, replayed: false })
  return { ...result, requestId }
}
