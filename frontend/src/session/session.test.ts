import * as session from './session'

function answer(access: string) {
  return new Response(
    JSON.stringify({ access, token_type: 'Bearer', access_expires_in: 900, user: { id: '1', full_name: 'A' } }),
    { status: 200 },
  )
}

describe('the session', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    session.resetForTests()
  })

  it('keeps the access token in memory only', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(answer('secret-access'))
    await session.login('a@example.com', 'pw')
    expect(session.accessToken()).toBe('secret-access')
    expect(session.getSnapshot().status).toBe('signed-in')
    const stored = JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })
    expect(stored).not.toContain('secret-access')
    expect(localStorage.getItem('rentezy.session')).toBe('1')
  })

  it('shares one refresh between concurrent callers', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValue(answer('fresh'))
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()])
    expect(results).toEqual([true, true, true])
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('is signed out when the cookie is refused, and forgets the flag', async () => {
    localStorage.setItem('rentezy.session', '1')
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{}', { status: 401 }))
    await session.start()
    expect(session.getSnapshot().status).toBe('signed-out')
    expect(localStorage.getItem('rentezy.session')).toBeNull()
  })

  it('does not ask at all without a session flag (anonymous visitors)', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch')
    await session.start()
    expect(fetch).not.toHaveBeenCalled()
    expect(session.getSnapshot().status).toBe('signed-out')
  })

  it('signs out on the server and here', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(answer('a')).mockResolvedValueOnce(new Response(null, { status: 204 }))
    await session.login('a@example.com', 'pw')
    await session.logout()
    expect(fetch.mock.calls[1]![0]).toBe('/api/session/logout')
    expect(session.accessToken()).toBeNull()
    expect(session.getSnapshot().status).toBe('signed-out')
  })
})
