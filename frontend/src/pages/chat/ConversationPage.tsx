// One conversation (/messages/:id): its messages live over the chat socket, older ones
// as you scroll up (cursor), typing and seen marks, sending that survives a dropped
// connection (pending → sent, never twice: src/chat/client.ts), attachments with upload
// progress, block and report.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  CloseButton,
  Group,
  Loader,
  Menu,
  Modal,
  Progress,
  Select,
  Skeleton,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react'
import { Link, useParams } from 'react-router'
import {
  block,
  getConversation,
  listBlocks,
  report,
  unblock,
  uploadAttachment,
  type ChatAttachment,
  type ChatConversation,
  type ChatMessage,
  type ReportReason,
} from '../../api/chatEndpoints'
import { ApiError } from '../../api/client'
import { downloadFile } from '../../api/download'
import { accessToken } from '../../session/session'
import { ErrorAlert, NotFoundContent } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { chatDay, chatTime, dayOf } from '../../chat/format'
import { lastSeenByOther, visibleItems } from '../../chat/log'
import type { Pending } from '../../chat/outbox'
import { useChat } from '../../chat/useChat'
import { usePreferences, type Preferences } from '../../lib/format'
import { usePageTitle } from '../../lib/usePageTitle'
import { useSession } from '../../session/useSession'
import { otherParty } from './MessagesPage'
import { ConnectionNotice } from './parts'
import './chat.css'

export default function ConversationPage() {
  return (
    <RequireAuth>
      <ConversationLoader />
    </RequireAuth>
  )
}

function ConversationLoader() {
  const { id = '' } = useParams()
  const conversation = useQuery({
    queryKey: ['chat', 'conversation', id],
    queryFn: () => getConversation(id),
  })
  usePageTitle(conversation.data ? `Messages · ${conversation.data.property_title}` : 'Messages')
  if (conversation.isPending) return <ThreadSkeleton />
  if (conversation.isError) {
    if (conversation.error instanceof ApiError && conversation.error.status === 404) {
      return <NotFoundContent what="conversation" />
    }
    return <ErrorAlert error={conversation.error} />
  }
  return <Conversation key={id} conversation={conversation.data} />
}

function ThreadSkeleton() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading the conversation" maw={820}>
      <Skeleton height={28} width="50%" />
      {[60, 40, 70, 50].map((w, i) => (
        <Skeleton key={i} height={40} width={`${w}%`} ml={i % 2 ? 'auto' : 0} radius="lg" />
      ))}
    </Stack>
  )
}

type Item = ReturnType<typeof visibleItems>[number]

function Conversation({ conversation }: { conversation: ChatConversation }) {
  const chat = useChat()
  const { user } = useSession()
  const prefs = usePreferences()
  const me = user?.id ?? ''
  const id = conversation.id
  const other = conversation.participants.find((p) => p.user_id !== me)
  const otherId = other?.user_id ?? (conversation.tenant_id === me ? conversation.landlord_id : conversation.tenant_id)
  const [loadError, setLoadError] = useState<unknown>(null)

  useEffect(() => {
    chat.seedRead(id, other?.last_read_seq ?? 0)
    chat.open(id).catch(setLoadError)
  }, [chat, id, other?.last_read_seq])

  const log = chat.log(id)
  const items = visibleItems(log, chat.pending(id), me)
  const seenSeq = lastSeenByOther(log, me)
  const typing = useBefore(log.typingUntil)
  const latest = log.messages[log.messages.length - 1]

  // Read what is on screen: mark up to the latest message while the tab is visible.
  const readSent = useRef(conversation.last_read_seq ?? 0)
  useEffect(() => {
    const mark = () => {
      if (!latest || document.visibilityState !== 'visible') return
      if (latest.seq > readSent.current && chat.read(id, latest.seq)) readSent.current = latest.seq
    }
    mark()
    document.addEventListener('visibilitychange', mark)
    return () => document.removeEventListener('visibilitychange', mark)
  }, [chat, id, latest, chat.state])

  return (
    <Stack gap="sm" maw={820} mx="auto">
      <Header conversation={conversation} otherId={otherId} me={me} />
      <ConnectionNotice state={chat.state} />
      {chat.notice && (
        <Alert color="red" role="alert" withCloseButton onClose={() => chat.dismissNotice()} closeButtonLabel="Dismiss">
          {chat.notice}
        </Alert>
      )}
      {loadError ? (
        <ErrorAlert error={loadError} title="Could not load the messages" />
      ) : (
        <Thread
          items={items}
          loaded={log.loaded}
          hasOlder={log.hasOlder}
          loadingOlder={chat.isLoadingOlder(id)}
          onOlder={() => chat.loadOlder(id).catch(setLoadError)}
          me={me}
          seenSeq={seenSeq}
          prefs={prefs}
          onRetry={(clientId) => chat.retry(clientId)}
          onDiscard={(clientId) => chat.discard(clientId)}
        />
      )}
      <Text size="sm" c="dimmed" role="status" aria-live="polite" mih={20} data-testid="typing">
        {typing ? `${otherParty(conversation, me) === 'the landlord' ? 'The landlord' : 'The tenant'} is typing…` : ''}
      </Text>
      <Composer conversationId={id} onTyping={() => chat.typing(id)} onSend={(body, a) => chat.send(id, body, a)} />
    </Stack>
  )
}

function Header({ conversation, otherId, me }: { conversation: ChatConversation; otherId: string; me: string }) {
  const queryClient = useQueryClient()
  const [reporting, setReporting] = useState(false)
  const blocks = useQuery({ queryKey: ['chat', 'blocks'], queryFn: () => listBlocks() })
  const blocked = (blocks.data?.results ?? []).some((b) => b.user_id === otherId)
  const toggle = useMutation({
    mutationFn: () => (blocked ? unblock(otherId) : block(otherId)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['chat', 'blocks'] }),
  })
  const who = otherParty(conversation, me)
  return (
    <Stack gap={6}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Anchor component={Link} to="/messages" size="sm">
            ← All messages
          </Anchor>
          <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
            {conversation.property_title}
          </Title>
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              with {who}
            </Text>
            <Anchor component={Link} to={`/listings/${conversation.property_id}`} size="sm">
              View listing
            </Anchor>
            {conversation.booking_id && (
              <Anchor
                component={Link}
                to={conversation.tenant_id === me ? `/bookings/${conversation.booking_id}` : '/landlord/bookings'}
                size="sm"
              >
                Booking
              </Anchor>
            )}
            {blocked && (
              <Badge color="gray" variant="light">
                Blocked
              </Badge>
            )}
          </Group>
        </Stack>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button variant="default" size="sm" aria-label="More actions">
              More
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => toggle.mutate()} disabled={blocks.isPending}>
              {blocked ? `Unblock ${who}` : `Block ${who}`}
            </Menu.Item>
            <Menu.Item color="red" onClick={() => setReporting(true)}>
              Report…
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      {toggle.isError && <ErrorAlert error={toggle.error} />}
      {blocked && (
        <Alert color="gray" title="You blocked this person">
          Neither of you can send messages until you unblock them. The history stays here.
        </Alert>
      )}
      <ReportDialog opened={reporting} onClose={() => setReporting(false)} conversationId={conversation.id} />
    </Stack>
  )
}

const REASONS: { value: ReportReason; label: string }[] = [
  { value: 'spam', label: 'Spam' },
  { value: 'scam', label: 'Scam or fraud' },
  { value: 'harassment', label: 'Harassment' },
  { value: 'inappropriate', label: 'Inappropriate content' },
  { value: 'other', label: 'Something else' },
]

function ReportDialog({ opened, onClose, conversationId }: { opened: boolean; onClose: () => void; conversationId: string }) {
  const [reason, setReason] = useState<ReportReason>('spam')
  const [note, setNote] = useState('')
  const send = useMutation({ mutationFn: () => report({ conversation_id: conversationId, reason, note }) })
  const close = () => {
    send.reset()
    onClose()
  }
  return (
    <Modal opened={opened} onClose={close} title="Report this conversation" closeButtonProps={{ 'aria-label': 'Close' }}>
      {send.isSuccess ? (
        <Stack>
          <Alert color="green" title="Thank you">
            Our team will look at this conversation. You can also block this person.
          </Alert>
          <Button onClick={close}>Done</Button>
        </Stack>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            send.mutate()
          }}
        >
          <Stack>
            <Select
              label="Reason"
              data={REASONS}
              value={reason}
              onChange={(value) => value && setReason(value as ReportReason)}
              allowDeselect={false}
            />
            <Textarea label="What happened? (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={2000} autosize minRows={3} />
            {send.isError && <ErrorAlert error={send.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={send.isPending}>
                Send report
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  )
}

function Thread({
  items,
  loaded,
  hasOlder,
  loadingOlder,
  onOlder,
  me,
  seenSeq,
  prefs,
  onRetry,
  onDiscard,
}: {
  items: Item[]
  loaded: boolean
  hasOlder: boolean
  loadingOlder: boolean
  onOlder: () => void
  me: string
  seenSeq: number | null
  prefs: Preferences
  onRetry: (clientId: string) => void
  onDiscard: (clientId: string) => void
}) {
  const box = useRef<HTMLDivElement>(null)
  const sentinel = useRef<HTMLDivElement>(null)
  const fromBottom = useRef(0)
  const firstKey = items[0] ? key(items[0]) : ''
  const last = items[items.length - 1]
  // A pending message that fails grows (its reason, its buttons): follow that too.
  const lastKey = last ? key(last) + (last.kind === 'pending' ? last.pending.state : '') : ''
  const previousFirst = useRef(firstKey)
  const previousLast = useRef('')

  // Keep the view where it was when older messages arrive above; follow new ones at the
  // bottom when the reader was at the bottom (or sent them).
  useLayoutEffect(() => {
    const el = box.current
    if (!el) return
    if (previousFirst.current !== firstKey && previousLast.current === lastKey) {
      el.scrollTop = el.scrollHeight - fromBottom.current
    } else if (previousLast.current !== lastKey) {
      const mine = items.length > 0 && isMine(items[items.length - 1]!, me)
      if (fromBottom.current - el.clientHeight < 120 || mine || !previousLast.current) el.scrollTop = el.scrollHeight
    }
    previousFirst.current = firstKey
    previousLast.current = lastKey
    fromBottom.current = el.scrollHeight - el.scrollTop
  })

  useEffect(() => {
    const el = sentinel.current
    if (!el || !hasOlder) return
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onOlder()
    }, { root: box.current, rootMargin: '200px 0px 0px 0px' })
    observer.observe(el)
    return () => observer.disconnect()
  }, [hasOlder, onOlder, loaded])

  // Each message's local day, for a heading where the day changes.
  const days = items.map((item) =>
    dayOf(item.kind === 'message' ? item.message.created_at : item.pending.created_at, prefs.timeZone),
  )
  return (
    <Card
      withBorder
      padding="sm"
      ref={box}
      className="chat-thread"
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget
        fromBottom.current = el.scrollHeight - el.scrollTop
      }}
    >
      {!loaded ? (
        <Stack gap="sm" aria-busy="true" aria-label="Loading messages">
          {[50, 35, 60].map((w, i) => (
            <Skeleton key={i} height={38} width={`${w}%`} ml={i % 2 ? 'auto' : 0} radius="lg" />
          ))}
        </Stack>
      ) : (
        <>
          <div ref={sentinel} />
          {hasOlder && (
            <Group justify="center" py="xs">
              <Button variant="subtle" size="xs" onClick={onOlder} loading={loadingOlder}>
                Load older messages
              </Button>
            </Group>
          )}
          {items.length === 0 ? (
            <Text c="dimmed" ta="center" py="xl">
              No messages yet. Say hello!
            </Text>
          ) : (
            <Stack gap={6} data-testid="messages">
              {items.map((item, index) => {
                const at = item.kind === 'message' ? item.message.created_at : item.pending.created_at
                const heading = index === 0 || days[index] !== days[index - 1]
                return (
                  <Fragment key={key(item)}>
                    {heading && (
                      <Text size="xs" c="dimmed" ta="center" py={4}>
                        {chatDay(at, prefs)}
                      </Text>
                    )}
                    {item.kind === 'message' ? (
                      <Bubble message={item.message} mine={item.message.sender_id === me} prefs={prefs} seen={item.message.seq === seenSeq} />
                    ) : (
                      <PendingBubble pending={item.pending} prefs={prefs} onRetry={onRetry} onDiscard={onDiscard} />
                    )}
                  </Fragment>
                )
              })}
            </Stack>
          )}
        </>
      )}
    </Card>
  )
}

function key(item: Item): string {
  return item.kind === 'message' ? `m${item.message.seq}` : `p${item.pending.client_id}`
}

function isMine(item: Item, me: string): boolean {
  return item.kind === 'pending' || item.message.sender_id === me
}

function Bubble({ message, mine, prefs, seen }: { message: ChatMessage; mine: boolean; prefs: Preferences; seen: boolean }) {
  return (
    <div className={mine ? 'chat-bubble chat-mine' : 'chat-bubble'} data-seq={message.seq} data-state="sent">
      {message.deleted ? (
        <Text fs="italic" c="dimmed" size="sm">
          Message deleted
        </Text>
      ) : (
        <>
          {message.attachment && <AttachmentView attachment={message.attachment} />}
          {message.body && <Text className="chat-body">{message.body}</Text>}
        </>
      )}
      <Text size="xs" c="dimmed" ta={mine ? 'right' : 'left'}>
        {chatTime(message.created_at, prefs)}
        {message.edited_at && !message.deleted ? ' · edited' : ''}
        {mine && (seen ? ' · Seen' : ' · Sent')}
      </Text>
    </div>
  )
}

function PendingBubble({
  pending,
  prefs,
  onRetry,
  onDiscard,
}: {
  pending: Pending
  prefs: Preferences
  onRetry: (clientId: string) => void
  onDiscard: (clientId: string) => void
}) {
  return (
    <div className="chat-bubble chat-mine chat-pending" data-state={pending.state} data-client-id={pending.client_id}>
      {pending.attachment && <Text size="sm">{pending.attachment.name}</Text>}
      {pending.body && <Text className="chat-body">{pending.body}</Text>}
      {pending.state === 'failed' ? (
        <Stack gap={4} align="flex-end">
          <Text size="xs" c="red.9" role="alert">
            Not sent: {pending.error}
          </Text>
          <Group gap="xs">
            <Button size="compact-xs" variant="light" onClick={() => onRetry(pending.client_id)}>
              Try again
            </Button>
            <Button size="compact-xs" variant="subtle" color="gray" onClick={() => onDiscard(pending.client_id)}>
              Discard
            </Button>
          </Group>
        </Stack>
      ) : (
        <Text size="xs" c="dimmed" ta="right">
          {chatTime(pending.created_at, prefs)} · Sending…
        </Text>
      )}
    </div>
  )
}

/** An attachment: images shown (fetched with the token: a plain <img> cannot send it),
 * PDFs downloaded. */
function AttachmentView({ attachment }: { attachment: ChatAttachment }) {
  const image = useQuery({
    queryKey: ['chat', 'attachment', attachment.id],
    enabled: attachment.kind === 'image',
    staleTime: Infinity,
    queryFn: async () => {
      const response = await fetch(attachment.url, {
        headers: { Authorization: `Bearer ${accessToken() ?? ''}` },
      })
      if (!response.ok) throw new ApiError(response.status, 'attachment', 'The image could not be loaded.')
      return URL.createObjectURL(await response.blob())
    },
  })
  if (attachment.kind === 'pdf') {
    return (
      <Button
        variant="default"
        size="xs"
        mb={4}
        onClick={() => void downloadFile(attachment.url, attachment.name, 'application/pdf')}
      >
        Download {attachment.name}
      </Button>
    )
  }
  if (image.isError) return <Text size="sm">Image {attachment.name} could not be loaded.</Text>
  if (!image.data) return <Skeleton height={120} width={160} />
  return (
    <img
      src={image.data}
      alt={`Photo: ${attachment.name}`}
      className="chat-image"
      width={attachment.width ?? undefined}
      height={attachment.height ?? undefined}
    />
  )
}

const MAX_BYTES = 10 * 1024 * 1024
const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp,application/pdf'

function Composer({
  conversationId,
  onTyping,
  onSend,
}: {
  conversationId: string
  onTyping: () => void
  onSend: (body: string, attachment: ChatAttachment | null) => void
}) {
  const [body, setBody] = useState('')
  const [attachment, setAttachment] = useState<ChatAttachment | null>(null)
  const [progress, setProgress] = useState<number | null>(null)
  const [error, setError] = useState<unknown>(null)
  const file = useRef<HTMLInputElement>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  const canSend = (body.trim().length > 0 || attachment) && progress === null

  const submit = () => {
    if (!canSend) return
    onSend(body.trim(), attachment)
    setBody('')
    setAttachment(null)
    setError(null)
    input.current?.focus()
  }

  const pick = async (chosen: File | undefined) => {
    if (!chosen) return
    setError(null)
    if (chosen.size > MAX_BYTES) {
      setError(new ApiError(413, 'too_large', 'That file is larger than 10 MB.'))
      return
    }
    setProgress(0)
    try {
      setAttachment(await uploadAttachment(conversationId, chosen, setProgress))
    } catch (e) {
      setError(e)
    } finally {
      setProgress(null)
      if (file.current) file.current.value = ''
    }
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
    >
      <Stack gap="xs">
        {error ? <ErrorAlert error={error} title="The file was not attached" /> : null}
        {progress !== null && (
          <Stack gap={2}>
            <Text size="sm">Uploading… {Math.round(progress * 100)}%</Text>
            <Progress value={progress * 100} aria-label="Upload progress" />
          </Stack>
        )}
        {attachment && (
          <Group gap="xs">
            <Badge variant="light" color="blue" size="lg" tt="none">
              {attachment.kind === 'pdf' ? 'PDF' : 'Photo'}: {attachment.name}
            </Badge>
            <CloseButton aria-label={`Remove ${attachment.name}`} onClick={() => setAttachment(null)} />
          </Group>
        )}
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <input
            ref={file}
            type="file"
            accept={ACCEPT}
            hidden
            aria-hidden
            tabIndex={-1}
            data-testid="attach-input"
            onChange={(e) => void pick(e.currentTarget.files?.[0])}
          />
          <Button variant="default" onClick={() => file.current?.click()} disabled={progress !== null} aria-label="Attach a photo or PDF">
            {progress !== null ? <Loader size="xs" /> : 'Attach'}
          </Button>
          <Textarea
            ref={input}
            aria-label="Message"
            placeholder="Write a message"
            value={body}
            onChange={(e) => {
              setBody(e.currentTarget.value)
              if (e.currentTarget.value) onTyping()
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault()
                submit()
              }
            }}
            autosize
            minRows={1}
            maxRows={6}
            maxLength={4000}
            style={{ flex: 1 }}
          />
          <Button type="submit" disabled={!canSend}>
            Send
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

/** True from when `deadline` (epoch ms) is set until it passes: re-renders at the
 * deadline, without reading the clock during render. */
function useBefore(deadline: number): boolean {
  const [passed, setPassed] = useState(0) // the last deadline seen to pass
  useEffect(() => {
    if (!deadline) return
    const timer = setTimeout(() => setPassed(deadline), Math.max(0, deadline - Date.now()))
    return () => clearTimeout(timer)
  }, [deadline])
  return deadline > 0 && passed !== deadline
}
