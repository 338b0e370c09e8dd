// The header's bell: the unread count, live in every open tab over /ws/notifications/
// (one socket per tab; the gateway authenticates it with the token in the subprotocol,
// never the URL), and a drawer with the latest few. Small on purpose: it is in the main
// bundle; the drawer's content is a lazy chunk (BellPanel).
import { Badge, UnstyledButton } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { lazy, Suspense, useEffect } from 'react'
import { call } from '../api/call'
import { backoff, badgeText, bellLabel, parseFrame, socketUrl, unreadOf } from '../lib/bell'
import { accessToken, refresh } from '../session/session'
import { useSession } from '../session/useSession'
import { LazyDrawer } from './LazyDrawer'

const BellPanel = lazy(() => import('./BellPanel'))

/** The query keys the bell and the inbox share. */
export const UNREAD_KEY = ['notifications', 'unread'] as const
export const LIST_KEY = ['notifications', 'list'] as const

const PING_MS = 25_000 // below the proxies' usual 60 s idle timeout

/** Keep this tab's socket open while signed in as `userId`; frames move the count. */
function useNotificationSocket(userId: string | undefined, queryClient: QueryClient): void {
  useEffect(() => {
    if (!userId) return
    let socket: WebSocket | null = null
    let attempt = 0
    let opened = false // connected at least once: a later "ready" is a reconnection
    let stopped = false
    let retry: ReturnType<typeof setTimeout> | undefined
    let ping: ReturnType<typeof setInterval> | undefined

    const again = () => {
      clearTimeout(retry)
      if (!stopped) retry = setTimeout(connect, backoff(attempt++))
    }
    const connect = () => {
      const token = accessToken()
      if (stopped || !token) return again()
      const ws = new WebSocket(socketUrl(window.location), ['rentezy.v1', `bearer.${token}`])
      socket = ws
      ws.onopen = () => {
        attempt = 0
        ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_MS)
      }
      ws.onmessage = (event: MessageEvent) => {
        const frame = parseFrame(event.data)
        const unread = unreadOf(frame)
        if (unread !== null) queryClient.setQueryData(UNREAD_KEY, unread)
        if (frame?.type === 'ready') {
          // Back after a gap: what came meanwhile is only in the inbox, read it again.
          if (opened) void queryClient.invalidateQueries({ queryKey: ['notifications'] })
          opened = true
        } else if (frame?.type === 'notification' || frame?.type === 'unread') {
          void queryClient.invalidateQueries({ queryKey: LIST_KEY })
        }
      }
      ws.onclose = (event: CloseEvent) => {
        clearInterval(ping)
        if (socket === ws) socket = null
        if (stopped) return
        // 4401: the session ended or the token was refused; a fresh token, or signed out
        // (then the session's listeners unmount us). Several failed handshakes in a row
        // may be an expired token too.
        if (event.code === 4401 || attempt >= 2) {
          void refresh().then((ok) => (ok ? again() : undefined))
        } else {
          again()
        }
      }
    }
    const online = () => {
      if (socket || stopped) return
      attempt = 0
      clearTimeout(retry)
      connect()
    }
    connect()
    window.addEventListener('online', online)
    return () => {
      stopped = true
      clearTimeout(retry)
      clearInterval(ping)
      window.removeEventListener('online', online)
      socket?.close(1000)
    }
  }, [userId, queryClient])
}

export function NotificationBell() {
  const { status, user } = useSession()
  const userId = status === 'signed-in' ? user?.id : undefined
  const [opened, { open, close }] = useDisclosure(false)
  const count = useQuery({
    queryKey: UNREAD_KEY,
    queryFn: async ({ signal }) => (await call('get', '/api/notifications/unread-count/', { signal })).unread,
    enabled: Boolean(userId),
    staleTime: 0,
    refetchOnWindowFocus: true, // a tab back in front: the count may have moved meanwhile
  })
  useNotificationSocket(userId, useQueryClient())
  if (!userId) return null
  const unread = count.data
  const text = badgeText(unread)
  return (
    <>
      <UnstyledButton
        onClick={open}
        aria-label={bellLabel(unread)}
        aria-haspopup="dialog"
        data-testid="bell"
        data-unread={unread ?? ''}
        className="bell"
      >
        <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {text && (
          <Badge size="sm" color="red" variant="filled" className="bell-badge" aria-hidden="true">
            {text}
          </Badge>
        )}
      </UnstyledButton>
      <LazyDrawer opened={opened} onClose={close} title="Notifications" position="right" size="md">
        <Suspense fallback={null}>
          <BellPanel onClose={close} />
        </Suspense>
      </LazyDrawer>
    </>
  )
}
