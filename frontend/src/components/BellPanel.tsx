// The bell's drawer: the latest few notifications, "mark all read", the way to the inbox
// and the preferences. A lazy chunk, loaded the first time the bell is opened.
import { Anchor, Button, Group, Skeleton, Stack, Text } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { inbox, markAllRead } from '../api/notificationEndpoints'
import { ErrorAlert } from './common'
import { LIST_KEY, UNREAD_KEY } from './NotificationBell'
import { NotificationItem } from './NotificationItem'

const LATEST = 5

export default function BellPanel({ onClose }: { onClose: () => void }) {
  const client = useQueryClient()
  const latest = useQuery({
    queryKey: [...LIST_KEY, 'latest'],
    queryFn: ({ signal }) => inbox({ limit: LATEST }, signal),
    staleTime: 0,
  })
  const readAll = useMutation({
    mutationFn: markAllRead,
    onSuccess: (answer) => client.setQueryData(UNREAD_KEY, answer.unread),
    onSettled: () => client.invalidateQueries({ queryKey: LIST_KEY }),
  })
  const unread = latest.data?.unread ?? 0
  return (
    <Stack gap="sm" data-testid="bell-panel">
      <Group justify="space-between">
        <Text size="sm" c="dimmed" role="status">
          {latest.data ? (unread ? `${unread} unread` : 'All caught up') : ''}
        </Text>
        <Button size="compact-sm" variant="light" onClick={() => readAll.mutate()} loading={readAll.isPending} disabled={!unread}>
          Mark all read
        </Button>
      </Group>
      <ErrorAlert error={readAll.error} />
      {latest.isPending ? (
        <Stack gap="sm" aria-busy="true" aria-label="Loading notifications">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} height={72} />
          ))}
        </Stack>
      ) : latest.isError ? (
        <ErrorAlert error={latest.error} title="Notifications could not be loaded" />
      ) : latest.data.results.length === 0 ? (
        <Text c="dimmed" py="md" ta="center">
          No notifications yet. Bookings, rent, visits and messages will show up here.
        </Text>
      ) : (
        latest.data.results.map((n) => <NotificationItem key={n.id} notification={n} compact onOpen={onClose} />)
      )}
      <Group justify="space-between" mt="xs">
        <Anchor component={Link} to="/notifications" onClick={onClose}>
          See all notifications
        </Anchor>
        <Anchor component={Link} to="/notifications/preferences" onClick={onClose}>
          Preferences
        </Anchor>
      </Group>
    </Stack>
  )
}
