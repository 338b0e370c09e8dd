import { api, ApiError } from './client'
import * as session from '../session/session'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('the API client', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    session.resetForTests()
  })

  it('turns the platform error shape into an ApiError with field paths', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      json(400, {
        error: {
          code: 'invalid',
          message: 'Invalid input.',
          details: { title: ['This field is required.'], address: { city: ['Too long.'] } },
        },
      }),
    )
    const error = (await api('/api/properties/', { method: 'POST', body: {} }).catch((e) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.code).toBe('invalid')
    expect(error.fieldErrors()).toEqual({
      title: ['This field is required.'],
      'address.city': ['Too long.'],
    })
  })

  it('says offline when the network fails', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'))
    const error = (await api('/api/search/properties').catch((e) => e)) as ApiError
    expect(error.offline).toBe(true)
    expect(error.message).toMatch(/offline/)
  })

  it('refreshes once on a 401 and retries with the new token', async () => {
    localStorage.setItem('rentezy.session', '1')
    const calls: { url: string; auth: string | null }[] = []
    let refreshed = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = String(input)
      const headers = new Headers(init?.headers)
      calls.push({ url, auth: headers.get('Authorization') })
      if (url === '/api/session/refresh') {
        refreshed += 1
        expect(headers.get('X-CSRF')).toBe('1')
        return json(200, { access: `token-${refreshed}`, token_type: 'Bearer', access_expires_in: 900, user: null })
      }
      return headers.get('Authorization') === 'Bearer token-2'
        ? json(200, { ok: true })
        : json(401, { error: { code: 'invalid_token', message: 'expired' } })
    })
    await session.start() // token-1 from the cookie
    expect(session.accessToken()).toBe('token-1')
    await expect(api('/api/auth/me')).resolves.toEqual({ ok: true })
    expect(calls.map((c) => `${c.url} ${c.auth}`)).toEqual([
      '/api/session/refresh null',
      '/api/auth/me Bearer token-1',
      '/api/session/refresh null',
      '/api/auth/me Bearer token-2',
    ])
  })
})
