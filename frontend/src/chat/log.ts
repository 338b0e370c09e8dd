// A conversation as this tab knows it: the messages it has (by seq, each at its latest
// change), how far it has seen the conversation's log (`seen`: the highest change
// number it was told of, what a `resume` asks after), and the messages of its own still
// on their way (outbox.ts). Pure functions, so the merge and dedupe rules are tested
// on their own (log.test.ts).
import type { ChatMessage } from '../api/chatEndpoints'
import type { Pending } from './outbox'

export interface ConversationLog {
  /** Messages in seq order, no seq twice, each at its highest change_seq. */
  messages: ChatMessage[]
  /** The highest change number seen (ready, acks, message.*, a REST page's last_seq). */
  seen: number
  /** Older messages remain on the server (scroll up for them). */
  hasOlder: boolean
  /** The first page has arrived. */
  loaded: boolean
  /** The other participant's read marker (seen marks). */
  otherRead: number
  /** Until when (ms since epoch) the other participant shows as typing. */
  typingUntil: number
}

export const emptyLog: ConversationLog = {
  messages: [],
  seen: 0,
  hasOlder: false,
  loaded: false,
  otherRead: 0,
  typingUntil: 0,
}

/** Messages merged by seq: a seq seen twice keeps its latest change (an edit or a
 * deletion overtakes the original, a late copy of the original never overtakes them). */
export function mergeMessages(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return current
  const bySeq = new Map<number, ChatMessage>()
  for (const message of current) bySeq.set(message.seq, message)
  let changed = false
  for (const message of incoming) {
    const known = bySeq.get(message.seq)
    if (!known || message.change_seq > known.change_seq) {
      bySeq.set(message.seq, message)
      changed = true
    }
  }
  if (!changed) return current
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq)
}

/** A log with messages added; `seen` moves forward only. */
export function withMessages(log: ConversationLog, incoming: ChatMessage[], seen = 0): ConversationLog {
  const messages = mergeMessages(log.messages, incoming)
  const top = Math.max(seen, ...incoming.map((m) => m.change_seq))
  if (messages === log.messages && top <= log.seen) return log
  return { ...log, messages, seen: Math.max(log.seen, top) }
}

/** What the page shows: the stored messages, then this tab's messages still on their
 * way, minus those the server already has (same client id and sender): a message is
 * never shown twice, whichever of the ack and the live copy arrives first. */
export function visibleItems(
  log: ConversationLog,
  pending: readonly Pending[],
  me: string,
): ({ kind: 'message'; message: ChatMessage } | { kind: 'pending'; pending: Pending })[] {
  const stored = new Set(log.messages.filter((m) => m.sender_id === me).map((m) => m.client_id))
  return [
    ...log.messages.map((message) => ({ kind: 'message' as const, message })),
    ...pending
      .filter((p) => !stored.has(p.client_id))
      .map((p) => ({ kind: 'pending' as const, pending: p })),
  ]
}

/** The seq of the last message of mine the other participant has read, for "Seen". */
export function lastSeenByOther(log: ConversationLog, me: string): number | null {
  let found: number | null = null
  for (const message of log.messages) {
    if (message.sender_id === me && message.seq <= log.otherRead) found = message.seq
  }
  return found
}
