// The chat client against a scripted socket: reconnect, resume, resend, dedupe.
import { ChatClient, type ChatDeps } from './client'
import type { ChatMessagePage } from '../api/chatEndpoints'
import { msg } from './testing'

class FakeSocket {
  static all: FakeSocket[] = []
  readyState = 0
  sent: Record<string, unknown>[] = []
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number }) => void) | null = null
  onerror: (() => void) | null = null
  constructor(
    public url: string,
    public protocols: string[],
  ) {
    FakeSocket.all.push(this)
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }
  close() {
    this.readyState = 3
  }
  // the server's side
  open() {
    this.readyState = 1
  }
  frame(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  drop(code = 1006) {
    this.readyState = 3
    this.onclose?.({ code })
  }
  frames(type: string) {
    return this.sent.filter((f) => f.type === type)
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

function setup(page: ChatMessagePage = { results: [msg(1), msg(2)], has_more: false, last_seq: 2 }) {
  FakeSocket.all = []
  let online = true
  let n = 0
  const deps: ChatDeps = {
    token: async () => 'tok',
    refresh: vi.fn(async () => true),
    url: () => 'ws://test/ws/chat/',
    createSocket: (url, protocols) => new FakeSocket(url, protocols) as unknown as WebSocket,
    fetchMessages: vi.fn(async () => page),
    onListChanged: vi.fn(),
    online: () => online,
    newId: () => `cid-${++n}`,
  }
  const client = new ChatClient(deps)
  return {
    client,
    deps,
    setOnline: (value: boolean) => (online = value),
    socket: () => FakeSocket.all[FakeSocket.all.length - 1]!,
  }
}

async function connect(t: ReturnType<typeof setup>, last: Record<string, number> = { conv: 2 }) {
  t.client.start()
  await flush()
  const socket = t.socket()
  socket.open()
  socket.frame({ type: 'ready', user_id: '7', conversations: last, heartbeat_seconds: 25, live: true })
  return socket
}

afterEach(() => vi.useRealTimers())

describe('ChatClient', () => {
  it('signs in through the subprotocol, never the URL', async () => {
    const t = setup()
    const socket = await connect(t)
    expect(socket.url).toBe('ws://test/ws/chat/')
    expect(socket.protocols).toEqual(['rentezy.v1', 'bearer.tok'])
    expect(t.client.state).toBe('open')
  })

  it('shows a message as pending, sends it once acknowledged, and a live copy does not double it', async () => {
    const t = setup()
    await t.client.open('conv')
    const socket = await connect(t)
    socket.frame({ type: 'resumed', conversations: { conv: 2 }, unknown: [] })
    const item = t.client.send('conv', 'hello')
    expect(t.client.pending('conv').map((p) => p.state)).toEqual(['pending'])
    expect(socket.frames('send')).toEqual([{ type: 'send', conversation_id: 'conv', client_id: item.client_id, body: 'hello' }])
    const stored = msg(3, { sender_id: '7', client_id: item.client_id, body: 'hello' })
    socket.frame({ type: 'message.new', conversation_id: 'conv', seq: 3, message: stored })
    socket.frame({ type: 'ack', client_id: item.client_id, conversation_id: 'conv', seq: 3, duplicate: false, message: stored })
    expect(t.client.pending('conv')).toEqual([])
    expect(t.client.log('conv').messages.map((m) => m.seq)).toEqual([1, 2, 3])
  })

  it('queues while offline, then resumes from the last seen change, gets what it missed, and resends with the same client id', async () => {
    const t = setup()
    await t.client.open('conv')
    const first = await connect(t)
    first.frame({ type: 'resumed', conversations: { conv: 2 }, unknown: [] })
    first.frame({ type: 'message.new', conversation_id: 'conv', seq: 3, message: msg(3) })

    // Offline: the socket is closed by us, a message typed now waits.
    t.setOnline(false)
    t.client.wentOffline()
    expect(t.client.state).toBe('offline')
    const item = t.client.send('conv', 'sent while offline')
    expect(t.client.pending('conv')).toHaveLength(1)
    expect(first.frames('send')).toEqual([])

    // Online again: a new socket, `resume` from seq 3, the missed messages, then the resend.
    t.setOnline(true)
    t.client.cameOnline()
    await flush()
    const second = t.socket()
    expect(second).not.toBe(first)
    second.open()
    second.frame({ type: 'ready', user_id: '7', conversations: { conv: 5 }, heartbeat_seconds: 25, live: true })
    expect(second.frames('resume')).toEqual([{ type: 'resume', conversations: { conv: 3 } }])
    expect(second.frames('send')).toEqual([]) // not before the missed ones are in
    second.frame({ type: 'message.new', conversation_id: 'conv', seq: 4, message: msg(4) })
    second.frame({ type: 'message.new', conversation_id: 'conv', seq: 5, message: msg(5) })
    second.frame({ type: 'resumed', conversations: { conv: 5 }, unknown: [] })
    expect(second.frames('send').map((f) => f.client_id)).toEqual([item.client_id])
    const stored = msg(6, { sender_id: '7', client_id: item.client_id, body: 'sent while offline' })
    second.frame({ type: 'ack', client_id: item.client_id, conversation_id: 'conv', seq: 6, duplicate: false, message: stored })
    expect(t.client.log('conv').messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(t.client.pending('conv')).toEqual([])
  })

  it('resends an unacknowledged message after a dropped connection; the duplicate answer is merged away', async () => {
    vi.useFakeTimers()
    const t = setup()
    await t.client.open('conv')
    const first = await connect(t)
    first.frame({ type: 'resumed', conversations: { conv: 2 }, unknown: [] })
    const item = t.client.send('conv', 'hello')
    expect(first.frames('send')).toHaveLength(1)
    first.drop() // the server stored it, but the ack was lost with the connection
    await vi.advanceTimersByTimeAsync(1_000) // backoff: 0.25-0.5 s
    const second = t.socket()
    expect(second).not.toBe(first)
    second.open()
    second.frame({ type: 'ready', user_id: '7', conversations: { conv: 3 }, heartbeat_seconds: 25, live: true })
    const stored = msg(3, { sender_id: '7', client_id: item.client_id, body: 'hello' })
    second.frame({ type: 'message.new', conversation_id: 'conv', seq: 3, message: stored })
    second.frame({ type: 'resumed', conversations: { conv: 3 }, unknown: [] })
    // Already stored: it came back in the resume, so nothing is left to resend.
    expect(second.frames('send')).toEqual([])
    expect(t.client.log('conv').messages.filter((m) => m.client_id === item.client_id)).toHaveLength(1)
  })

  it('when the resend does go out, the server answers with the first message: still one', async () => {
    vi.useFakeTimers()
    const t = setup()
    await t.client.open('conv')
    const first = await connect(t)
    first.frame({ type: 'resumed', conversations: { conv: 2 }, unknown: [] })
    const item = t.client.send('conv', 'hello')
    first.drop()
    await vi.advanceTimersByTimeAsync(1_000)
    const second = t.socket()
    second.open()
    second.frame({ type: 'ready', user_id: '7', conversations: { conv: 2 }, heartbeat_seconds: 25, live: true })
    second.frame({ type: 'resumed', conversations: { conv: 2 }, unknown: [] })
    expect(second.frames('send').map((f) => f.client_id)).toEqual([item.client_id])
    const stored = msg(3, { sender_id: '7', client_id: item.client_id, body: 'hello' })
    second.frame({ type: 'ack', client_id: item.client_id, conversation_id: 'conv', seq: 3, duplicate: true, message: stored })
    second.frame({ type: 'message.new', conversation_id: 'conv', seq: 3, message: stored })
    expect(t.client.log('conv').messages.map((m) => m.seq)).toEqual([1, 2, 3])
    expect(t.client.pending('conv')).toEqual([])
  })

  it('marks a refused message failed, keeps it, and retries it with the same id', async () => {
    const t = setup()
    await t.client.open('conv')
    const socket = await connect(t)
    socket.frame({ type: 'resumed', conversations: {}, unknown: [] })
    const item = t.client.send('conv', 'hi')
    socket.frame({ type: 'error', code: 'blocked', message: 'You cannot message this person.', client_id: item.client_id })
    expect(t.client.pending('conv')[0]).toMatchObject({ state: 'failed', error: 'You cannot message this person.' })
    t.client.retry(item.client_id)
    expect(socket.frames('send').map((f) => f.client_id)).toEqual([item.client_id, item.client_id])
  })

  it('refreshes the token after a 4401 and reconnects', async () => {
    vi.useFakeTimers()
    const t = setup()
    const first = await connect(t)
    first.drop(4401)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(t.deps.refresh).toHaveBeenCalledOnce()
    expect(t.socket()).not.toBe(first)
  })

  it('shows typing for a few seconds and seen marks from read frames', async () => {
    const t = setup()
    await t.client.open('conv')
    const socket = await connect(t)
    socket.frame({ type: 'typing', conversation_id: 'conv', user_id: '2' })
    expect(t.client.log('conv').typingUntil).toBeGreaterThan(Date.now())
    socket.frame({ type: 'read', conversation_id: 'conv', user_id: '2', seq: 2 })
    expect(t.client.log('conv').otherRead).toBe(2)
    // My own read elsewhere is not the other's.
    socket.frame({ type: 'read', conversation_id: 'conv', user_id: '7', seq: 9 })
    expect(t.client.log('conv').otherRead).toBe(2)
  })

  it('loads older messages by cursor', async () => {
    const t = setup({ results: [msg(31), msg(32)], has_more: true, last_seq: 32 })
    await t.client.open('conv')
    vi.mocked(t.deps.fetchMessages).mockResolvedValueOnce({ results: [msg(29), msg(30)], has_more: false, last_seq: 32 })
    await t.client.loadOlder('conv')
    expect(t.deps.fetchMessages).toHaveBeenLastCalledWith('conv', { before: 31, limit: 30 })
    expect(t.client.log('conv').messages.map((m) => m.seq)).toEqual([29, 30, 31, 32])
    expect(t.client.log('conv').hasOlder).toBe(false)
  })
})
