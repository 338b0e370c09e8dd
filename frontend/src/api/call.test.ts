import { call, queryString, url } from './call'
import { ApiError } from './client'
import type { Booking, Property, SearchResponse } from './types'
import * as session from '../session/session'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('calls typed by the OpenAPI document', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    session.resetForTests()
  })

  it('fills path parameters (encoded) and appends the query in its order, without empties', () => {
    expect(url('/api/properties/{pk}/rooms/{room_id}/', { pk: 'a b', room_id: '7' })).toBe(
      '/api/properties/a%20b/rooms/7/',
    )
    expect(queryString({ q: 'near park', page: 2, city: '', sort: undefined, available: 'true' })).toBe(
      'q=near+park&page=2&available=true',
    )
    expect(() => url('/api/bookings/{booking_id}/')).toThrow(/booking_id/)
  })

  it('sends the method, JSON body and Idempotency-Key through the client', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValue(json(201, { id: 'b1' }))
    const booking = await call('post', '/api/bookings/', {
      body: { room_id: 'r1', quantity: 1, move_in_date: '2026-12-01' },
      idempotencyKey: 'k1',
    })
    expectTypeOf(booking).toEqualTypeOf<Booking>()
    const [path, init] = fetch.mock.calls[0]!
    const headers = new Headers(init?.headers)
    expect(path).toBe('/api/bookings/')
    expect(init?.method).toBe('POST')
    expect(headers.get('Idempotency-Key')).toBe('k1')
    expect(headers.get('Content-Type')).toBe('application/json')
    expect(JSON.parse(String(init?.body))).toEqual({ room_id: 'r1', quantity: 1, move_in_date: '2026-12-01' })
  })

  it('answers undefined for 204 and throws the error shape as an ApiError', async () => {
    vi.spyOn(globalThis, 'fetch')
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
      .mockResolvedValueOnce(json(404, { error: { code: 'not_found', message: 'Not found.', details: null } }))
    const gone = await call('delete', '/api/properties/{pk}/', { path: { pk: 'p1' } })
    expectTypeOf(gone).toEqualTypeOf<undefined>()
    expect(gone).toBeUndefined()
    const error = await call('get', '/api/properties/{pk}/', { path: { pk: 'p1' } }).catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).code).toBe('not_found')
  })

  it('types answers, and refuses calls the document does not describe (tsc)', () => {
    // Checked by tsc (npx tsc --noEmit, tests/web), never run.
    const typeOnly = () => {
      expectTypeOf(call('get', '/api/properties/{pk}/', { path: { pk: 'p' } })).resolves.toEqualTypeOf<Property>()
      expectTypeOf(call('get', '/api/search/properties')).resolves.toEqualTypeOf<SearchResponse>()
      expectTypeOf(call('get', '/api/search/suggest', { query: { q: 'pa' } })).resolves.toHaveProperty('suggestions')
      // @ts-expect-error: the document requires `q`
      void call('get', '/api/search/suggest')
      // @ts-expect-error: GET takes no body
      void call('get', '/api/search/properties', { body: {} })
      // @ts-expect-error: no such path
      void call('get', '/api/nowhere/')
      // @ts-expect-error: the path's parameters are required
      void call('get', '/api/bookings/{booking_id}/')
      // @ts-expect-error: PUT is not documented for this path
      void call('put', '/api/bookings/{booking_id}/', { path: { booking_id: 'b' } })
      // @ts-expect-error: a body of the wrong shape
      void call('post', '/api/bookings/', { body: { room_id: 'r1' } })
      // @ts-expect-error: a query value the document does not allow
      void call('get', '/api/search/properties', { query: { sort: 'cheapest' } })
    }
    expect(typeOnly).toBeTypeOf('function')
  })
})
