// /notifications: the inbox, newest first, a page at a time ("Load more": the API's
// cursor), all or unread only; read, mark all read, archive. Live: a pushed notification
// refetches the list (NotificationBell's socket invalidates it).
import { Anchor, Button, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { inbox, markAllRead } from '../../api/notificationEndpoints'
import { CardsSkeleton, EmptyState, ErrorAlert } from '../../components/common'
import { LIST_KEY, UNREAD_KEY } from '../../components/NotificationBell'
import { NotificationItem } from '../../components/NotificationItem'
import { RequireAuth } from '../../components/RequireAuth'
import { usePageTitle } from '../../lib/usePageTitle'

const PAGE = 20

export default function NotificationsPage() {
  usePageTitle('Notifications')
  return (
    <RequireAuth>
      <Inbox />
    </RequireAuth>
  )
}

function Inbox() {
  const client = useQueryClient()
  const [params, setParams] = useSearchParams()
  const unreadOnly = params.get('show') === 'unread'
  const list = useInfiniteQuery({
    queryKey: [...LIST_KEY, 'inbox', unreadOnly ? 'unread' : 'all'],
    queryFn: ({ pageParam, signal }) =>
      inbox({ limit: PAGE, cursor: pageParam || undefined, unread: unreadOnly ? true : undefined }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: 0,
  })
  const readAll = useMutation({
    mutationFn: markAllRead,
    onSuccess: (answer) => client.setQueryData(UNREAD_KEY, answer.unread),
    onSettled: () => client.invalidateQueries({ queryKey: LIST_KEY }),
  })
  const items = list.data?.pages.flatMap((p) => p.results) ?? []
  const unread = list.data?.pages[0]?.unread ?? 0

  return (
    <Stack gap="md" maw={760}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={4}>
          <Title order={1}>Notifications</Title>
          <Text c="dimmed" role="status">
            {list.data ? (unread ? `${unread} unread` : 'All caught up') : '\u00a0'}
          </Text>
        </Stack>
        <Group gap="sm">
          <Anchor component={Link} to="/notifications/preferences">
            Preferences
          </Anchor>
          <Button variant="light" onClick={() => readAll.mutate()} loading={readAll.isPending} disabled={!unread}>
            Mark all read
          </Button>
        </Group>
      </Group>
      <ErrorAlert error={readAll.error} />
      <SegmentedControl
        w="fit-content"
        aria-label="Show"
        value={unreadOnly ? 'unread' : 'all'}
        onChange={(value) => setParams(value === 'unread' ? { show: 'unread' } : {}, { replace: true })}
        data={[
          { value: 'all', label: 'All' },
          { value: 'unread', label: 'Unread' },
        ]}
      />
      {list.isPending ? (
        <CardsSkeleton count={3} />
      ) : list.isError ? (
        <ErrorAlert error={list.error} title="Your notifications could not be loaded" />
      ) : items.length === 0 ? (
        <EmptyState title={unreadOnly ? 'Nothing unread' : 'No notifications yet'}>
          {unreadOnly
            ? 'You have read everything.'
            : 'Updates about your bookings, rent, visits and messages will show up here.'}
        </EmptyState>
      ) : (
        <Stack gap="sm" component="section" aria-label="Notifications">
          {items.map((n) => (
            <NotificationItem key={n.id} notification={n} />
          ))}
        </Stack>
      )}
      {list.isFetchNextPageError && <ErrorAlert error={list.error} title="More could not be loaded" />}
      {list.hasNextPage && (
        <Button variant="default" w="fit-content" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          Load more
        </Button>
      )}
    </Stack>
  )
}
