// The API client (client.ts: bearer token, one silent refresh and retry on a 401,
// ApiError) typed by the platform's OpenAPI document: a call names a documented path
// and method, and its path parameters, query, JSON body and answer are the document's
// (schema.d.ts, generated: `make openapi`). No runtime besides building the URL.
import { api, upload, type RequestOptions } from './client'
import type { paths } from './schema'

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete'

/** The operation a path answers for a method (never when it does not). */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>

/** The paths that answer a method. */
export type PathsFor<M extends Method> = {
  [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P
}[keyof paths]

type Parameters<O> = O extends { parameters: infer X } ? X : never
type Present<T> = [NonNullable<T>] extends [never] ? false : true
type Content<O> = O extends { requestBody?: infer R } ? NonNullable<R> : never
type Body<C, Media extends string> = [C] extends [never]
  ? never
  : C extends { content: { [M in Media]: infer B } }
    ? B
    : never

/** `{name: value}` of the path's `{name}`s. */
export type PathParams<O> = Parameters<O> extends { path?: infer X } ? NonNullable<X> : never
/** The query parameters (all optional unless the document requires one). */
export type QueryParams<O> = Parameters<O> extends { query?: infer X } ? NonNullable<X> : never
/** The JSON request body. */
export type JsonBody<O> = Body<Content<O>, 'application/json'>
/** The multipart request body (uploads). */
export type FormBody<O> = Body<Content<O>, 'multipart/form-data'>
/** The answer of the operation's success status (undefined for 204 No Content). */
export type Answer<O> = O extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : R extends { 204: unknown }
        ? undefined
        : never
  : never

// Each part is required when the document requires it (a path's parameters, a required
// query parameter, a required body), optional when it is optional, absent when absent.
type PathPart<O> = Present<PathParams<O>> extends true ? { path: PathParams<O> } : { path?: never }
type QueryPart<O> = Present<QueryParams<O>> extends true
  ? Parameters<O> extends { query: unknown }
    ? { query: QueryParams<O> }
    : { query?: QueryParams<O> }
  : { query?: never }
type BodyPart<O> = Present<JsonBody<O>> extends true
  ? O extends { requestBody: unknown }
    ? { body: JsonBody<O> }
    : { body?: JsonBody<O> }
  : { body?: never }

/** What a call sends besides its method and path. */
export type Init<O> = PathPart<O> &
  QueryPart<O> &
  BodyPart<O> &
  Pick<RequestOptions, 'signal' | 'idempotencyKey' | 'headers'>

type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[]

/** The URL of a documented path: `{name}`s filled in (encoded) and the query appended,
 * in the order given, leaving out parameters that are undefined, null or ''. */
export function url(path: string, params?: Record<string, string | number>, query?: object): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name]
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`)
    return encodeURIComponent(String(value))
  })
  const search = queryString(query)
  return search ? `${filled}?${search}` : filled
}

export function queryString(query?: object): string {
  const out = new URLSearchParams()
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, QueryValue>)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) value.forEach((item) => out.append(name, String(item)))
    else out.append(name, String(value))
  }
  return out.toString()
}

/** Call a documented operation: `call('get', '/api/bookings/{booking_id}/', {path: {booking_id}})`. */
export function call<M extends Method, P extends PathsFor<M>>(
  method: M,
  path: P,
  ...[init]: Record<never, never> extends Init<Operation<P, M>>
    ? [init?: Init<Operation<P, M>>]
    : [init: Init<Operation<P, M>>]
): Promise<Answer<Operation<P, M>>> {
  const { path: params, query, body, ...options } = (init ?? {}) as {
    path?: Record<string, string | number>
    query?: object
    body?: unknown
  } & Pick<RequestOptions, 'signal' | 'idempotencyKey' | 'headers'>
  return api<Answer<Operation<P, M>>>(url(path, params, query), {
    ...options,
    method: method.toUpperCase(),
    ...(body !== undefined ? { body } : {}),
  })
}

/** Upload to a documented multipart operation, with progress (client.ts `upload`). */
export function uploadTo<P extends PathsFor<'post'>>(
  path: P,
  params: PathParams<Operation<P, 'post'>>,
  form: { [K in keyof FormBody<Operation<P, 'post'>>]: Blob },
  onProgress: (fraction: number) => void,
): Promise<Answer<Operation<P, 'post'>>> {
  const data = new FormData()
  for (const [name, value] of Object.entries(form) as [string, Blob][]) data.append(name, value)
  return upload<Answer<Operation<P, 'post'>>>(
    url(path, params as Record<string, string>),
    data,
    onProgress,
  )
}
