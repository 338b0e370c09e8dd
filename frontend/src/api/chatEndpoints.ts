// The chat service's REST calls (chat_service, docs/services/chat.md), typed by the
// OpenAPI document like endpoints.ts; a module of its own, out of the search page's
// first load. Live traffic goes over the socket (src/chat/client.ts).
import { call, url } from './call'
import { upload } from './client'
import type { components } from './schema'

type Schemas = components['schemas']
export type ChatConversation = Schemas['ChatConversation']
export type ChatMessage = Schemas['ChatMessage']
export type ChatAttachment = Schemas['ChatAttachment']
export type ChatMessagePage = Schemas['ChatMessagePage']
export type ReportReason = Schemas['ReportReason']

export const listConversations = (page = 1) =>
  call('get', '/api/chat/conversations/', { query: { page: page > 1 ? page : undefined } })

export const getConversation = (id: string) =>
  call('get', '/api/chat/conversations/{conversation_id}/', { path: { conversation_id: id } })

/** Start the conversation about a property (or get the existing one: 200). */
export const startConversation = (body: { property_id: string; tenant_id?: string; booking_id?: string }) =>
  call('post', '/api/chat/conversations/', { body })

export const listMessages = (id: string, query: { before?: number; after?: number; limit?: number } = {}) =>
  call('get', '/api/chat/conversations/{conversation_id}/messages/', {
    path: { conversation_id: id },
    query,
  })

export const markRead = (id: string, seq: number) =>
  call('post', '/api/chat/conversations/{conversation_id}/read/', {
    path: { conversation_id: id },
    body: { seq },
  })

export const listBlocks = () => call('get', '/api/chat/blocks/')

export const block = (userId: string) => call('post', '/api/chat/blocks/', { body: { user_id: userId } })

export const unblock = (userId: string) =>
  call('delete', '/api/chat/blocks/{user_id}/', { path: { user_id: userId } })

export const report = (body: { conversation_id: string; reason: ReportReason; note?: string; message_id?: number }) =>
  call('post', '/api/chat/reports/', { body })

/** Upload an image or PDF into a conversation (sent afterwards by a message naming it). */
export function uploadAttachment(conversationId: string, file: File, onProgress: (fraction: number) => void) {
  const form = new FormData()
  form.append('conversation_id', conversationId)
  form.append('file', file)
  return upload<ChatAttachment>(url('/api/chat/attachments/'), form, onProgress)
}
