// The tab's chat client (client.ts) wired to the session, the network and TanStack Query.
import { useEffect, useSyncExternalStore } from 'react'
import { listMessages } from '../api/chatEndpoints'
import { queryClient } from '../queryClient'
import { accessToken, refresh, subscribe as onSession, getSnapshot } from '../session/session'
import { ChatClient } from './client'

export const CONVERSATIONS_KEY = ['chat', 'conversations'] as const

let listTimer: ReturnType<typeof setTimeout> | undefined

function socketUrl(): string {
  const { protocol, host } = window.location
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/ws/chat/`
}

let client: ChatClient | null = null

export function chatClient(): ChatClient {
  if (client) return client
  const created = new ChatClient({
    token: async () => accessToken() ?? ((await refresh()) ? accessToken() : null),
    refresh,
    url: socketUrl,
    createSocket: (url, protocols) => new WebSocket(url, protocols),
    fetchMessages: (id, query) => listMessages(id, query),
    // Unread counts and order come from the list's own query: refetched, at most every 300 ms.
    onListChanged: () => {
      clearTimeout(listTimer)
      listTimer = setTimeout(() => void queryClient.invalidateQueries({ queryKey: CONVERSATIONS_KEY }), 300)
    },
    online: () => navigator.onLine,
  })
  client = created
  window.addEventListener('offline', () => created.wentOffline())
  window.addEventListener('online', () => created.cameOnline())
  onSession(() => {
    const { status } = getSnapshot()
    if (status === 'signed-out') created.stop()
    else if (status === 'signed-in') created.start()
  })
  return created
}

/** The chat client, connected while a signed-in page uses it; re-renders on any change. */
export function useChat(): ChatClient {
  const chat = chatClient()
  useSyncExternalStore(chat.subscribe, chat.getVersion, chat.getVersion)
  useEffect(() => {
    if (getSnapshot().status === 'signed-in') chat.start()
  }, [chat])
  return chat
}
