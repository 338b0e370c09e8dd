import { act, screen, waitFor } from '@testing-library/react'
import { renderPage } from '../test/render'
import { NotificationBell } from './NotificationBell'

vi.mock('../session/useSession', () => ({
  useSession: () => ({ status: 'signed-in', user: { id: 'u1', role: 'tenant' } }),
}))
const refresh = vi.fn(async () => true)
vi.mock('../session/session', () => ({ accessToken: () => 'tok', refresh: () => refresh() }))

/** A WebSocket the test drives: open it, send it frames, drop it. */
class FakeSocket {
  static OPEN = 1
  static all: FakeSocket[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onmessage: ((event: { data: string }) => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null
  send = vi.fn()
  close = vi.fn()
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.all.push(this)
  }
  open() {
    this.readyState = 1
    this.onopen?.()
  }
  frame(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  drop(code = 1006) {
    this.readyState = 3
    this.onclose?.({ code })
  }
}

let counts: number[] = []
const fetchMock = vi.fn(async (_url: string) => {
  const unread = counts.shift() ?? 0
  return new Response(JSON.stringify({ unread }), { status: 200, headers: { 'Content-Type': 'application/json' } })
})

beforeEach(() => {
  FakeSocket.all = []
  counts = [2, 5]
  fetchMock.mockClear()
  refresh.mockClear()
  vi.stubGlobal('WebSocket', FakeSocket)
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => vi.unstubAllGlobals())

const bell = () => screen.getByTestId('bell')
// waitFor's 1 s default is short on a loaded CI machine (two cores, other runs).
const SLOW = { timeout: 8000 }

describe('the bell', () => {
  it('counts from the API, then from every frame, and reconnects after a drop', async () => {
    renderPage(<NotificationBell />)
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'), SLOW)
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/notifications/unread-count/')
    // One socket, the token in the subprotocol and never in the URL.
    expect(FakeSocket.all).toHaveLength(1)
    const first = FakeSocket.all[0]!
    expect(first.url).toBe(`ws://${window.location.host}/ws/notifications/`)
    expect(first.protocols).toEqual(['rentezy.v1', 'bearer.tok'])

    act(() => {
      first.open()
      first.frame({ type: 'ready', user_id: 'u1', unread: 2 })
      first.frame({ type: 'notification', notification: { id: 'n1' }, unread: 3 })
    })
    // (TanStack Query tells its observers on the next tick: waitFor.)
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 3 unread'), SLOW)
    expect(bell()).toHaveTextContent('3')
    act(() => first.frame({ type: 'unread', unread: 0 })) // read in another tab
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, none unread'), SLOW)
    expect(bell()).not.toHaveTextContent('0')
    act(() => first.frame({ type: 'pong' }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(bell()).toHaveAccessibleName('Notifications, none unread')

    // Dropped: a new socket after the backoff (at most 1 s the first time); its "ready"
    // makes the bell fetch the count again (what came while away).
    act(() => first.drop())
    await waitFor(() => expect(FakeSocket.all).toHaveLength(2), SLOW)
    const second = FakeSocket.all[1]!
    act(() => {
      second.open()
      second.frame({ type: 'ready', user_id: 'u1', unread: 4 })
    })
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 5 unread'), SLOW)
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('gets a fresh token before reconnecting when the session was refused (4401)', async () => {
    renderPage(<NotificationBell />)
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1), SLOW)
    act(() => {
      FakeSocket.all[0]!.open()
      FakeSocket.all[0]!.drop(4401)
    })
    await waitFor(() => expect(refresh).toHaveBeenCalledTimes(1), SLOW)
    await waitFor(() => expect(FakeSocket.all).toHaveLength(2), SLOW)
  })
})
