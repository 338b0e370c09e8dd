// One chat socket per tab (`/ws/chat/` through the gateway, docs/services/chat.md), shared
// by the Messages link, the conversation list and the conversation page.
//
// - Sign-in: the access token travels in the subprotocol list
//   (["rentezy.v1", "bearer.<token>"]), never in the URL. A 4401 close (expired or ended
//   session) refreshes the token once and reconnects; signed out, it stops.
// - Reconnect: with backoff (0.5 s doubling to 15 s, jittered), at once when the browser
//   comes back online; going offline closes the socket (its TCP connection may linger
//   without carrying anything). A socket silent for two heartbeats is closed too.
// - Nothing missed: after `ready`, a `resume` asks, for each conversation this tab holds,
//   for every change after the last one it saw; the server answers them in order, then
//   `resumed`.
// - Nothing doubled: messages are merged by seq (log.ts); our own messages wait in the
//   outbox with their client id and are (re)sent after every `resumed` until acknowledged
//   (outbox.ts); the server answers a repeat with the first message.
import type { ChatMessage, ChatMessagePage } from '../api/chatEndpoints'
import { Outbox, type Pending } from './outbox'
import { emptyLog, withMessages, type ConversationLog } from './log'
import type { ChatAttachment } from '../api/chatEndpoints'

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'offline'

type Frame = { type: string } & Record<string, unknown>

export interface ChatDeps {
  /** The access token (refreshing it if needed); null when signed out. */
  token: () => Promise<string | null>
  /** A fresh token after a 4401; false when the session is over. */
  refresh: () => Promise<boolean>
  /** The socket's address. */
  url: () => string
  createSocket: (url: string, protocols: string[]) => WebSocket
  /** A page of messages (REST): the latest, or before / after a seq. */
  fetchMessages: (id: string, query: { before?: number; after?: number; limit?: number }) => Promise<ChatMessagePage>
  /** Something changed that the conversation list shows (unread counts, order). */
  onListChanged: () => void
  online: () => boolean
  newId?: () => string
  now?: () => number
}

const TYPING_SHOWN_MS = 4_000
const TYPING_SEND_MS = 2_000 // the server passes one typing frame per 2 s anyway
const PAGE = 30

export class ChatClient {
  state: ConnectionState = 'idle'
  userId: string | null = null
  /** The last error the socket reported that belongs to no message. */
  notice: string | null = null
  readonly outbox: Outbox
  private logs = new Map<string, ConversationLog>()
  private listeners = new Set<() => void>()
  private socket: WebSocket | null = null
  private attempts = 0
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined
  private dueTimer: ReturnType<typeof setTimeout> | undefined
  private lastFrameAt = 0
  private heartbeatMs = 25_000
  private live = false // after ready + resumed: frames may be sent
  private wanted = false
  private typingSentAt = new Map<string, number>()
  private loadingOlder = new Set<string>()
  private version = 0

  constructor(private readonly deps: ChatDeps) {
    this.outbox = new Outbox(deps.newId)
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now()
  }

  // --- subscription (useSyncExternalStore) -------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getVersion = (): number => this.version

  private changed(): void {
    this.version += 1
    this.listeners.forEach((listener) => listener())
  }

  log(id: string): ConversationLog {
    return this.logs.get(id) ?? emptyLog
  }

  pending(id: string): Pending[] {
    return this.outbox.forConversation(id)
  }

  private setLog(id: string, next: ConversationLog): void {
    if (this.logs.get(id) === next) return
    this.logs.set(id, next)
    this.changed()
  }

  // --- connection ---------------------------------------------------------------------

  /** Keep a socket open (idempotent). */
  start(): void {
    this.wanted = true
    if (this.socket || this.reconnectTimer) return
    void this.connect()
  }

  /** Close and forget everything (sign-out). */
  stop(): void {
    this.wanted = false
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.closeSocket()
    this.logs.clear()
    this.outbox.clear()
    this.userId = null
    this.state = 'idle'
    this.changed()
  }

  /** The browser went offline: the socket cannot carry anything; wait for online. */
  wentOffline(): void {
    this.closeSocket()
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.state = 'offline'
    this.changed()
  }

  /** Back online: reconnect now. */
  cameOnline(): void {
    if (!this.wanted) return
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.attempts = 0
    if (!this.socket) void this.connect()
  }

  private closeSocket(): void {
    const socket = this.socket
    this.socket = null
    this.live = false
    clearInterval(this.heartbeatTimer)
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null
      try {
        socket.close(1000)
      } catch {
        // already closed
      }
    }
  }

  private async connect(): Promise<void> {
    if (!this.wanted) return
    if (!this.deps.online()) {
      this.state = 'offline'
      this.changed()
      return
    }
    this.state = 'connecting'
    this.changed()
    const token = await this.deps.token()
    if (!this.wanted || this.socket) return
    if (!token) {
      this.state = 'idle'
      this.changed()
      return
    }
    let socket: WebSocket
    try {
      socket = this.deps.createSocket(this.deps.url(), ['rentezy.v1', `bearer.${token}`])
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = socket
    this.lastFrameAt = this.now()
    socket.onmessage = (event: MessageEvent) => {
      this.lastFrameAt = this.now()
      let frame: Frame
      try {
        frame = JSON.parse(String(event.data)) as Frame
      } catch {
        return
      }
      this.handle(frame)
    }
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return
      this.socket = null
      this.live = false
      clearInterval(this.heartbeatTimer)
      if (!this.wanted) return
      if (event.code === 4401) {
        void this.deps.refresh().then((ok) => {
          if (ok) this.scheduleReconnect()
          else this.stop()
        })
        return
      }
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    if (!this.wanted || this.reconnectTimer) return
    if (!this.deps.online()) {
      this.state = 'offline'
      this.changed()
      return
    }
    this.state = 'connecting'
    this.changed()
    const base = Math.min(15_000, 500 * 2 ** this.attempts)
    this.attempts += 1
    const delay = base / 2 + Math.random() * (base / 2)
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      void this.connect()
    }, delay)
  }

  private sendFrame(frame: Frame): boolean {
    if (!this.socket || this.socket.readyState !== 1) return false
    this.socket.send(JSON.stringify(frame))
    return true
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = setInterval(() => {
      // Silent for two heartbeats (no pong): the connection is dead without saying so.
      if (this.now() - this.lastFrameAt > this.heartbeatMs * 2 + 5_000) {
        const socket = this.socket
        this.closeSocket()
        if (socket) this.scheduleReconnect()
        return
      }
      this.sendFrame({ type: 'ping' })
    }, this.heartbeatMs)
  }

  // --- frames -------------------------------------------------------------------------

  /** Handle one server frame (public for tests). */
  handle(frame: Frame): void {
    switch (frame.type) {
      case 'ready': {
        this.userId = String(frame.user_id)
        this.heartbeatMs = Number(frame.heartbeat_seconds ?? 25) * 1000
        this.attempts = 0
        this.startHeartbeat()
        // Ask for everything after what we hold; the server answers, then `resumed`.
        const conversations: Record<string, number> = {}
        for (const [id, log] of this.logs) if (log.loaded) conversations[id] = log.seen
        if (Object.keys(conversations).length > 0) {
          this.sendFrame({ type: 'resume', conversations })
        } else {
          this.goLive()
        }
        this.deps.onListChanged()
        break
      }
      case 'resumed':
        this.goLive()
        break
      case 'ack': {
        const message = frame.message as ChatMessage
        this.outbox.settle(String(frame.client_id))
        this.apply(message.conversation_id, [message], Number(frame.seq ?? message.seq))
        this.deps.onListChanged()
        break
      }
      case 'message.new':
      case 'message.edited':
      case 'message.deleted': {
        const message = frame.message as ChatMessage
        const id = String(frame.conversation_id)
        if (message.sender_id === this.userId) this.outbox.settle(message.client_id)
        const log = this.logs.get(id)
        if (log && message.sender_id !== this.userId && frame.type === 'message.new') {
          this.setLog(id, { ...log, typingUntil: 0 })
        }
        this.apply(id, [message], Number(frame.seq))
        this.deps.onListChanged()
        break
      }
      case 'read': {
        const id = String(frame.conversation_id)
        const log = this.logs.get(id)
        if (log && String(frame.user_id) !== this.userId) {
          this.setLog(id, { ...log, otherRead: Math.max(log.otherRead, Number(frame.seq)) })
        }
        this.deps.onListChanged()
        break
      }
      case 'typing': {
        const id = String(frame.conversation_id)
        if (String(frame.user_id) === this.userId) break
        const log = this.logs.get(id) ?? emptyLog
        this.setLog(id, { ...log, typingUntil: this.now() + TYPING_SHOWN_MS })
        setTimeout(() => this.changed(), TYPING_SHOWN_MS + 50)
        break
      }
      case 'conversation.started':
        this.deps.onListChanged()
        break
      case 'error': {
        const clientId = frame.client_id ? String(frame.client_id) : null
        const message = String(frame.message ?? 'That did not work.')
        if (clientId) {
          if (frame.code === 'rate_limited') {
            this.outbox.delay(clientId, Number(frame.retry_after ?? 1) * 1000, this.now())
            this.scheduleDue()
          } else {
            this.outbox.fail(clientId, message)
          }
        } else if (frame.code !== 'rate_limited') {
          this.notice = message
        }
        this.changed()
        break
      }
      default:
        break // pong, presence: nothing to do
    }
  }

  /** Messages for a conversation; only kept for conversations this tab holds. */
  private apply(id: string, messages: ChatMessage[], seen: number): void {
    const log = this.logs.get(id)
    if (!log || !log.loaded) {
      this.changed()
      return
    }
    this.setLog(id, withMessages(log, messages, seen))
    this.changed()
  }

  private goLive(): void {
    this.live = true
    this.state = 'open'
    this.changed()
    this.flush()
  }

  /** Send every pending message that is due (after each (re)connect, and each new one). */
  private flush(): void {
    if (!this.live) return
    for (const item of this.outbox.due(this.now())) {
      this.sendFrame({
        type: 'send',
        conversation_id: item.conversation_id,
        client_id: item.client_id,
        body: item.body,
        ...(item.attachment ? { attachment_id: item.attachment.id } : {}),
      })
    }
    this.scheduleDue()
  }

  private scheduleDue(): void {
    clearTimeout(this.dueTimer)
    const next = this.outbox.nextDue()
    if (next === null) return
    this.dueTimer = setTimeout(() => this.flush(), Math.max(0, next - this.now()) + 10)
  }

  // --- what pages do ------------------------------------------------------------------

  /** Load a conversation's latest messages (once), then keep it live. */
  async open(id: string): Promise<void> {
    const known = this.logs.get(id)
    if (known?.loaded) return
    const page = await this.deps.fetchMessages(id, { limit: PAGE })
    const current = this.logs.get(id) ?? emptyLog
    const next = withMessages(
      { ...current, loaded: true, hasOlder: current.loaded ? current.hasOlder : page.has_more },
      page.results,
      page.last_seq,
    )
    this.setLog(id, next)
    // Changes between that page and now came live before this tab held the conversation:
    // ask for them (a repeat is merged away).
    if (this.live) this.sendFrame({ type: 'resume', conversations: { [id]: page.last_seq } })
  }

  /** Older messages (scrolling up). */
  async loadOlder(id: string): Promise<void> {
    const log = this.logs.get(id)
    if (!log?.loaded || !log.hasOlder || this.loadingOlder.has(id)) return
    const oldest = log.messages[0]?.seq
    if (oldest === undefined) return
    this.loadingOlder.add(id)
    try {
      const page = await this.deps.fetchMessages(id, { before: oldest, limit: PAGE })
      const current = this.logs.get(id) ?? log
      this.setLog(id, { ...withMessages(current, page.results), hasOlder: page.has_more })
    } finally {
      this.loadingOlder.delete(id)
    }
  }

  isLoadingOlder(id: string): boolean {
    return this.loadingOlder.has(id)
  }

  /** Seed the other participant's read marker (from the conversation's REST answer). */
  seedRead(id: string, otherRead: number): void {
    const log = this.logs.get(id) ?? emptyLog
    if (otherRead > log.otherRead) this.setLog(id, { ...log, otherRead })
  }

  /** Send a message: shown as pending at once, sent now or when the socket is back. */
  send(conversationId: string, body: string, attachment: ChatAttachment | null = null): Pending {
    const item = this.outbox.add(conversationId, body, attachment, this.now())
    this.changed()
    this.flush()
    return item
  }

  retry(clientId: string): void {
    this.outbox.retry(clientId)
    this.changed()
    this.flush()
  }

  discard(clientId: string): void {
    this.outbox.drop(clientId)
    this.changed()
  }

  /** The user is typing: tell the other side, at most every 2 s. */
  typing(conversationId: string): void {
    const last = this.typingSentAt.get(conversationId) ?? 0
    if (this.now() - last < TYPING_SEND_MS) return
    if (this.live && this.sendFrame({ type: 'typing', conversation_id: conversationId })) {
      this.typingSentAt.set(conversationId, this.now())
    }
  }

  /** Mark read up to `seq` (the server keeps the highest). */
  read(conversationId: string, seq: number): boolean {
    return this.live && this.sendFrame({ type: 'read', conversation_id: conversationId, seq })
  }

  dismissNotice(): void {
    this.notice = null
    this.changed()
  }
}
