// Messages this tab is sending, until the server has stored them. Each gets a
// client-generated id (`client_id`, a UUID) when the user presses Send; every attempt
// (the first, and each resend after a reconnect) carries the same id, and chat_service
// stores a message once per (conversation, sender, client id), answering a repeat with
// the first one (`duplicate: true`). So a message is resent until acknowledged and is
// never stored twice. Pure state, no socket: client.ts drives it; outbox.test.ts tests it.
import type { ChatAttachment } from '../api/chatEndpoints'

export type PendingState = 'pending' | 'failed'

export interface Pending {
  client_id: string
  conversation_id: string
  body: string
  attachment: ChatAttachment | null
  created_at: string
  state: PendingState
  /** Why it failed (blocked, invalid, ...): shown with a retry. */
  error: string | null
  /** Not before this time (ms), after a rate limit. */
  notBefore: number
}

export class Outbox {
  private items: Pending[] = []

  constructor(private readonly newId: () => string = () => crypto.randomUUID()) {}

  /** A new message to send; it is pending until acknowledged. */
  add(conversationId: string, body: string, attachment: ChatAttachment | null = null, now = Date.now()): Pending {
    const item: Pending = {
      client_id: this.newId(),
      conversation_id: conversationId,
      body,
      attachment,
      created_at: new Date(now).toISOString(),
      state: 'pending',
      error: null,
      notBefore: 0,
    }
    this.items = [...this.items, item]
    return item
  }

  /** Stored by the server (an ack, or its copy came live): no longer ours to send.
   * True when it was still here. */
  settle(clientId: string): boolean {
    const before = this.items.length
    this.items = this.items.filter((item) => item.client_id !== clientId)
    return this.items.length !== before
  }

  /** Refused for good (blocked, invalid): kept, shown as failed, until retried or dropped. */
  fail(clientId: string, error: string): void {
    this.update(clientId, { state: 'failed', error })
  }

  /** Refused for now (rate limited): sent again after `ms`. */
  delay(clientId: string, ms: number, now = Date.now()): void {
    this.update(clientId, { notBefore: now + ms })
  }

  /** The user asks to try a failed one again (same client id: still never twice). */
  retry(clientId: string): void {
    this.update(clientId, { state: 'pending', error: null, notBefore: 0 })
  }

  /** Sign-out: nothing of this user's is sent for the next one. */
  clear(): void {
    this.items = []
  }

  drop(clientId: string): void {
    this.settle(clientId)
  }

  /** What to (re)send now, oldest first: after every (re)connect, all that are pending. */
  due(now = Date.now()): Pending[] {
    return this.items.filter((item) => item.state === 'pending' && item.notBefore <= now)
  }

  /** The earliest time a delayed item becomes due, if any. */
  nextDue(): number | null {
    const times = this.items.filter((i) => i.state === 'pending' && i.notBefore > 0).map((i) => i.notBefore)
    return times.length ? Math.min(...times) : null
  }

  forConversation(conversationId: string): Pending[] {
    return this.items.filter((item) => item.conversation_id === conversationId)
  }

  get size(): number {
    return this.items.length
  }

  private update(clientId: string, changes: Partial<Pending>): void {
    this.items = this.items.map((item) => (item.client_id === clientId ? { ...item, ...changes } : item))
  }
}
