// Test data for the chat client's and outbox's tests.
import type { ChatMessage } from '../api/chatEndpoints'

/** A stored message number `seq` of conversation `conv`, from user 2 unless `over` says otherwise. */
export function msg(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: String(seq),
    conversation_id: 'conv',
    seq,
    change_seq: seq,
    sender_id: '2',
    client_id: `x${seq}`,
    body: `message ${seq}`,
    attachment: null,
    created_at: '2026-12-03T10:00:00Z',
    edited_at: null,
    deleted_at: null,
    deleted: false,
    ...over,
  }
}
