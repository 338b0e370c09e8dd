// The conversation list (/messages): latest activity first, each with its last message
// and unread count; refetched whenever the chat socket reports a change (useChat).
import { Badge, Card, Group, Skeleton, Stack, Text, Title, UnstyledButton, VisuallyHidden } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { listConversations, type ChatConversation } from '../../api/chatEndpoints'
import { EmptyState, ErrorAlert } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { chatTime } from '../../chat/format'
import { CONVERSATIONS_KEY, useChat } from '../../chat/useChat'
import { usePreferences } from '../../lib/format'
import { usePageTitle } from '../../lib/usePageTitle'
import { useSession } from '../../session/useSession'
import { ConnectionNotice } from './parts'
import './chat.css'

export default function MessagesPage() {
  usePageTitle('Messages')
  return (
    <RequireAuth>
      <Conversations />
    </RequireAuth>
  )
}

export function otherParty(conversation: ChatConversation, me: string | undefined): string {
  return conversation.tenant_id === me ? 'the landlord' : 'the tenant'
}

export function preview(conversation: ChatConversation, me: string | undefined): string {
  const last = conversation.last_message
  if (!last) return 'No messages yet'
  const who = last.sender_id === me ? 'You: ' : ''
  if (last.deleted) return `${who}Message deleted`
  if (last.body) return who + last.body
  if (last.attachment) return `${who}${last.attachment.kind === 'pdf' ? 'PDF' : 'Photo'}: ${last.attachment.name}`
  return who
}

function Conversations() {
  const chat = useChat()
  const { user } = useSession()
  const prefs = usePreferences()
  const list = useQuery({
    queryKey: [...CONVERSATIONS_KEY, 'page', 1],
    queryFn: () => listConversations(1),
    refetchInterval: 60_000,
  })
  const conversations = [...(list.data?.results ?? [])].sort((a, b) =>
    b.last_activity_at.localeCompare(a.last_activity_at),
  )
  return (
    <Stack gap="md" maw={760}>
      <Title order={1}>Messages</Title>
      <ConnectionNotice state={chat.state} />
      {list.isError ? (
        <ErrorAlert error={list.error} />
      ) : list.isPending ? (
        <Stack gap="sm" aria-busy="true" aria-label="Loading conversations">
          {[0, 1, 2].map((i) => (
            <Card key={i} withBorder padding="md">
              <Skeleton height={16} width="45%" mb={10} />
              <Skeleton height={12} width="80%" />
            </Card>
          ))}
        </Stack>
      ) : conversations.length === 0 ? (
        <EmptyState title="No conversations yet">
          {user?.role === 'landlord'
            ? 'Tenants who write about your listings appear here. You can also message a tenant from your bookings.'
            : 'Write to a landlord from a listing ("Contact landlord") or from one of your bookings.'}
        </EmptyState>
      ) : (
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Conversations">
          {conversations.map((c) => {
            const unread = c.unread_count ?? 0
            return (
              <li key={c.id}>
                <UnstyledButton
                  component={Link}
                  to={`/messages/${c.id}`}
                  w="100%"
                  data-conversation-id={c.id}
                >
                  <Card withBorder padding="md" className="chat-row">
                    <Group justify="space-between" wrap="nowrap" align="flex-start" gap="sm">
                      <Stack gap={2} style={{ minWidth: 0 }}>
                        <Text fw={unread ? 700 : 600} truncate>
                          {c.property_title}
                        </Text>
                        <Text size="sm" c="dimmed">
                          with {otherParty(c, user?.id)}
                          {c.tenant_id !== user?.id && ` (#${c.tenant_id})`}
                        </Text>
                        <Text size="sm" truncate fw={unread ? 600 : 400} data-testid="preview">
                          {preview(c, user?.id)}
                        </Text>
                      </Stack>
                      <Stack gap={6} align="flex-end" style={{ flexShrink: 0 }}>
                        <Text size="xs" c="dimmed">
                          {chatTime(c.last_activity_at, prefs)}
                        </Text>
                        {unread > 0 && (
                          <Badge color="red" circle={unread < 10} data-testid="unread">
                            {unread}
                            <VisuallyHidden> unread</VisuallyHidden>
                          </Badge>
                        )}
                      </Stack>
                    </Group>
                  </Card>
                </UnstyledButton>
              </li>
            )
          })}
        </Stack>
      )}
    </Stack>
  )
}
