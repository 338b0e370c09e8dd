// One notification, in the bell's drawer and on the inbox page: title (a link to what it
// is about, which also marks it read), body, time in the user's zone, and its actions.
// An action that fails says so under the item it was about.
import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { archive, markRead, type Notification } from '../api/notificationEndpoints'
import { useFormat } from '../lib/format'
import { CATEGORY_LABEL, notificationHref } from '../lib/notifications'
import { useSession } from '../session/useSession'
import { ErrorAlert } from './common'
import { LIST_KEY, UNREAD_KEY } from './NotificationBell'

export function useNotificationAction(action: (id: string) => Promise<unknown>) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: action,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: LIST_KEY })
      void client.invalidateQueries({ queryKey: UNREAD_KEY })
    },
  })
}

export function NotificationItem({
  notification: n,
  compact = false,
  onOpen,
}: {
  notification: Notification
  compact?: boolean
  onOpen?: () => void
}) {
  const { user } = useSession()
  const format = useFormat()
  const read = useNotificationAction(markRead)
  const archiveIt = useNotificationAction(archive)
  const target = notificationHref(n, user?.role)
  const open = () => {
    if (!n.read) read.mutate(n.id)
    onOpen?.()
  }
  const title = (
    <Text fw={n.read ? 500 : 700} component="span">
      {n.title}
    </Text>
  )
  return (
    <Card
      withBorder
      padding={compact ? 'sm' : 'md'}
      data-notification-id={n.id}
      data-read={n.read ? 'true' : 'false'}
      data-kind={n.kind}
      style={n.read ? undefined : { borderLeft: '4px solid var(--mantine-color-blue-8)' }}
      component="article"
      aria-label={`${n.read ? '' : 'Unread: '}${n.title}`}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
          {target ? (
            target.external ? (
              <Anchor href={target.href} onClick={open} c="dark" rel="noopener noreferrer">
                {title}
              </Anchor>
            ) : (
              <Anchor component={Link} to={target.href} onClick={open} c="dark">
                {title}
              </Anchor>
            )
          ) : (
            title
          )}
          {!n.read && (
            <Badge size="xs" variant="light" color="blue" style={{ flexShrink: 0 }}>
              New
            </Badge>
          )}
        </Group>
        {n.body && (
          <Text size="sm" lineClamp={compact ? 2 : undefined}>
            {n.body}
          </Text>
        )}
        <Group justify="space-between" gap="xs">
          <Text size="xs" c="dimmed">
            <time dateTime={n.created_at}>{format.instant(n.created_at)}</time> · {CATEGORY_LABEL[n.category] ?? n.category}
          </Text>
          {!compact && (
            <Group gap="xs">
              {!n.read && (
                <Button size="compact-sm" variant="subtle" onClick={() => read.mutate(n.id)} loading={read.isPending}>
                  Mark read
                </Button>
              )}
              <Button
                size="compact-sm"
                variant="subtle"
                color="gray"
                onClick={() => archiveIt.mutate(n.id)}
                loading={archiveIt.isPending}
                aria-label={`Archive: ${n.title}`}
              >
                Archive
              </Button>
            </Group>
          )}
        </Group>
        <ErrorAlert error={read.error ?? archiveIt.error} />
      </Stack>
    </Card>
  )
}
