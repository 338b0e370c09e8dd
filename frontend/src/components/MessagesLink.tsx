// The "Messages" nav link with the signed-in user's total unread count. The count comes
// from the conversation list (refetched whenever the chat socket says something changed),
// and the socket code is a chunk of its own, loaded after the page (LiveUnread).
import { Anchor, Badge, Group, VisuallyHidden } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense } from 'react'
import { NavLink } from 'react-router'
import { call } from '../api/call'

const LiveUnread = lazy(() => import('../chat/LiveUnread'))

export default function MessagesLink() {
  const list = useQuery({
    queryKey: ['chat', 'conversations', 'page', 1],
    queryFn: () => call('get', '/api/chat/conversations/'),
    refetchInterval: 60_000,
  })
  const unread = (list.data?.results ?? []).reduce((sum, c) => sum + (c.unread_count ?? 0), 0)
  return (
    <>
      <Anchor
        component={NavLink}
        to="/messages"
        c="dark"
        fw={500}
        underline="never"
        style={({ isActive }: { isActive: boolean }) =>
          isActive ? { textDecoration: 'underline', textUnderlineOffset: 6 } : undefined
        }
      >
        <Group gap={6} wrap="nowrap" component="span">
          Messages
          {unread > 0 && (
            <Badge size="sm" circle={unread < 10} color="red" data-testid="unread-total">
              {unread > 99 ? '99+' : unread}
              <VisuallyHidden> unread</VisuallyHidden>
            </Badge>
          )}
        </Group>
      </Anchor>
      <Suspense fallback={null}>
        <LiveUnread />
      </Suspense>
    </>
  )
}
