// fetch for the platform's API: the in-memory access token as a bearer, one silent
// refresh and retry on a 401, and every failure as an ApiError carrying the platform's
// error shape ({"error": {"code", "message", "details"}}).
import { accessToken, refresh } from '../session/session'

export type Details = Record<string, unknown> | unknown[] | string | null

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Details

  constructor(status: number, code: string, message: string, details: Details = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  get offline(): boolean {
    return this.status === 0
  }

  /** Field errors as dotted paths ("address.city" -> ["..."]), from DRF-style details. */
  fieldErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {}
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        if (value.every((item) => typeof item === 'string')) {
          if (path) out[path] = value as string[]
          return
        }
        value.forEach((item, index) => walk(item, path ? `${path}.${index}` : String(index)))
      } else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key)
      } else if (typeof value === 'string' && path) {
        out[path] = [value]
      }
    }
    if (this.details && typeof this.details === 'object') walk(this.details, '')
    return out
  }
}

export const OFFLINE_MESSAGE = "You're offline, or RentEzy can't be reached. Check your connection and try again."

export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // not JSON: a proxy's page, an empty body
  }
  const error = (body as { error?: { code?: string; message?: string; details?: Details } } | null)
    ?.error
  if (error && typeof error.message === 'string') {
    return new ApiError(response.status, error.code ?? 'error', error.message, error.details ?? null)
  }
  return new ApiError(
    response.status,
    'http_' + response.status,
    response.status >= 500
      ? 'Something went wrong on our side. Please try again in a moment.'
      : `The request failed (${response.status}).`,
  )
}

export interface RequestOptions {
  method?: string
  body?: unknown
  signal?: AbortSignal
  idempotencyKey?: string
  headers?: Record<string, string>
}

export async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (token) headers.Authorization = `Bearer ${token}`
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey
  let body: BodyInit | undefined
  if (options.body instanceof FormData) body = options.body
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  try {
    return await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: options.signal,
      credentials: 'same-origin',
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'network_error', OFFLINE_MESSAGE)
  }
}

/** Call the API; resolves with the parsed JSON (undefined for 204). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = accessToken()
  let response = await send(path, options, token)
  if (response.status === 401 && token) {
    // Expired or revoked: one silent refresh, then the same request once more.
    if (await refresh()) response = await send(path, options, accessToken())
  }
  if (!response.ok) throw await toApiError(response)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}

/** Upload a file with progress (fetch has no upload progress): XMLHttpRequest. */
export function upload<T>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<T> {
  const attempt = (token: string | null) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', path)
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
      xhr.setRequestHeader('Accept', 'application/json')
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total)
      }
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText })
      xhr.onerror = () => reject(new ApiError(0, 'network_error', OFFLINE_MESSAGE))
      xhr.send(form)
    })
  return (async () => {
    let answer = await attempt(accessToken())
    if (answer.status === 401 && (await refresh())) answer = await attempt(accessToken())
    const response = new Response(answer.text || null, { status: answer.status })
    if (!response.ok) throw await toApiError(response)
    onProgress(1)
    return JSON.parse(answer.text) as T
  })()
}
