// The tenant's rent: each lease with its terms, balance and credit, upcoming and past
// invoices (pay in full or in part), a saved card and autopay, payments with receipts.
import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  Modal,
  Radio,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { newIdempotencyKey } from '../../api/client'
import { listInvoices, listLeases, payInvoice, saveCard, setAutopay, simulateCard } from '../../api/rentEndpoints'
import type { Invoice, Lease } from '../../api/types'
import { CardsSkeleton, EmptyState, ErrorAlert } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { WideTable, InvoiceBadge, LeaseBadge, PaymentsTable, ReceiptButton, usePropertyTitle } from '../../components/rent'
import { useFormat } from '../../lib/format'
import { parseAmount, splitInvoices, toMinor } from '../../lib/rent'
import { usePageTitle } from '../../lib/usePageTitle'
import { useSession } from '../../session/useSession'
import { allPages } from '../../lib/pages'

export default function MyRentPage() {
  usePageTitle('My rent')
  return (
    <RequireAuth roles={['tenant', 'admin']}>
      <MyRent />
    </RequireAuth>
  )
}

function MyRent() {
  const { user } = useSession()
  const [params] = useSearchParams()
  const leases = useQuery({ queryKey: ['leases'], queryFn: () => allPages((page) => listLeases({ page })) })
  return (
    <Stack gap="lg">
      <Title order={1}>My rent</Title>
      {params.get('paid') && (
        <Alert color="green" role="status" title="Payment received" data-testid="rent-paid">
          Thank you: your payment is on the invoice. The receipt is under Payments.
        </Alert>
      )}
      {leases.isPending ? (
        <CardsSkeleton count={2} />
      ) : leases.isError ? (
        <ErrorAlert error={leases.error} />
      ) : leases.data.results.length === 0 ? (
        <EmptyState title="No leases yet">
          A lease starts when a booking is confirmed, or when your landlord adds it. A
          landlord adding it by hand needs your tenant ID: <Code>{user?.id}</Code>
        </EmptyState>
      ) : (
        leases.data.results.map((lease) => <LeaseCard key={lease.id} lease={lease} />)
      )}
    </Stack>
  )
}

function LeaseCard({ lease }: { lease: Lease }) {
  const format = useFormat()
  const title = usePropertyTitle(lease.property_id)
  const invoices = useQuery({
    queryKey: ['invoices', lease.id],
    queryFn: () => allPages((page) => listInvoices({ lease_id: lease.id, page })),
  })
  const { upcoming, past } = splitInvoices(invoices.data?.results ?? [])
  const headingId = `lease-${lease.id}`
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={headingId} data-lease-id={lease.id}>
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Stack gap={2}>
            <Group gap="sm">
              <Title order={2} size="h3" id={headingId}>
                <Anchor component={Link} to={`/listings/${lease.property_id}`} inherit>
                  {title}
                </Anchor>
              </Title>
              <LeaseBadge status={lease.status} />
            </Group>
            <Text c="dimmed">
              {format.money(lease.monthly_rent, lease.currency)} a month, due on day {lease.due_day} ·{' '}
              {format.day(lease.start_date)} – {lease.end_date ? format.day(lease.end_date) : 'month to month'}
            </Text>
          </Stack>
          <SimpleGrid cols={2} spacing="lg">
            <Stack gap={0}>
              <Text size="sm" c="dimmed">
                Balance
              </Text>
              <Text fw={700} data-testid="balance">
                {format.money(lease.balance, lease.currency)}
              </Text>
            </Stack>
            <Stack gap={0}>
              <Text size="sm" c="dimmed">
                Credit
              </Text>
              <Text fw={700} data-testid="credit">
                {format.money(lease.credit, lease.currency)}
              </Text>
            </Stack>
          </SimpleGrid>
        </Group>

        <Autopay lease={lease} />

        <Title order={3} size="h4">
          Upcoming invoices
        </Title>
        {invoices.isError ? (
          <ErrorAlert error={invoices.error} />
        ) : invoices.isPending ? (
          <Text c="dimmed">Loading invoices…</Text>
        ) : upcoming.length === 0 ? (
          <Text c="dimmed">Nothing to pay right now.</Text>
        ) : (
          <InvoiceTable invoices={upcoming} lease={lease} label="Upcoming invoices" />
        )}
        {past.length > 0 && (
          <>
            <Title order={3} size="h4">
              Past invoices
            </Title>
            <InvoiceTable invoices={past} lease={lease} label="Past invoices" />
          </>
        )}
        <Title order={3} size="h4">
          Payments
        </Title>
        <PaymentsTable
          leaseId={lease.id}
          invoices={invoices.data?.results ?? []}
          actions={(p) => (p.status === 'succeeded' ? <ReceiptButton payment={p} /> : null)}
        />
      </Stack>
    </Card>
  )
}

function InvoiceTable({ invoices, lease, label }: { invoices: Invoice[]; lease: Lease; label: string }) {
  const format = useFormat()
  return (
    <WideTable label={label} minWidth={640}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Period</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th>Amount</Table.Th>
            <Table.Th>Paid</Table.Th>
            <Table.Th>Balance</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>
<VisuallyHidden>Pay</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invoices.map((invoice) => {
            const total = toMinor(invoice.rent) + toMinor(invoice.late_fee) + toMinor(invoice.adjustments) - toMinor(invoice.waived)
            return (
              <Table.Tr key={invoice.id} data-invoice-id={invoice.id}>
                <Table.Td>
                  {format.day(invoice.period_start)} – {format.day(invoice.period_end)}
                  {invoice.prorated && (
                    <Text span size="sm" c="dimmed">
                      {' '}
                      (prorated)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{format.day(invoice.due_date)}</Table.Td>
                <Table.Td>
                  {format.money(total / 100, invoice.currency)}
                  {toMinor(invoice.late_fee) > 0 && (
                    <Text size="sm" c="dimmed">
                      incl. late fee {format.money(invoice.late_fee, invoice.currency)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{format.money(invoice.paid, invoice.currency)}</Table.Td>
                <Table.Td data-testid="invoice-balance">{format.money(invoice.balance, invoice.currency)}</Table.Td>
                <Table.Td>
                  <InvoiceBadge status={invoice.status} />
                </Table.Td>
                <Table.Td>
                  {(invoice.status === 'open' || invoice.status === 'partially_paid') && (
                    <PayInvoice invoice={invoice} lease={lease} />
                  )}
                </Table.Td>
              </Table.Tr>
            )
          })}
        </Table.Tbody>
      </WideTable>
  )
}

/** Pay the balance or a part of it: the payment is created (with its own idempotency
 * key, so a double click pays once), then the card is charged on the payment page. */
function PayInvoice({ invoice, lease }: { invoice: Invoice; lease: Lease }) {
  const format = useFormat()
  const navigate = useNavigate()
  const [opened, { open, close }] = useDisclosure(false)
  const [mode, setMode] = useState<'full' | 'part'>('full')
  const [amount, setAmount] = useState('')
  const [key, setKey] = useState(newIdempotencyKey)
  const parsed = mode === 'full' ? invoice.balance : parseAmount(amount)
  const pay = useMutation({
    mutationFn: () => payInvoice(invoice.id, mode === 'full' ? undefined : (parsed ?? undefined), key),
    onSuccess: (payment) => {
      setKey(newIdempotencyKey())
      // On one machine the dev payment page stands in for Stripe's (rent's simulator).
      navigate(`/dev/rent-checkout/${payment.id}`)
    },
  })
  const invalid = mode === 'part' && amount !== '' && parsed === null
  return (
    <>
      <Button size="xs" onClick={open}>
        Pay
      </Button>
      <Modal opened={opened} onClose={close} title="Pay this invoice" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <form
          onSubmit={(event) => {
            event.preventDefault()
            if (parsed) pay.mutate()
          }}
        >
          <Stack gap="md">
            <Text>
              Balance due {format.day(invoice.due_date)}:{' '}
              <strong>{format.money(invoice.balance, invoice.currency)}</strong>
            </Text>
            <Radio.Group value={mode} onChange={(v) => setMode(v as 'full' | 'part')} label="How much?">
              <Stack gap="xs" mt="xs">
                <Radio value="full" label={`The full balance, ${format.money(invoice.balance, invoice.currency)}`} />
                <Radio value="part" label="Another amount" />
              </Stack>
            </Radio.Group>
            {mode === 'part' && (
              <TextInput
                label={`Amount (${lease.currency})`}
                inputMode="decimal"
                value={amount}
                onChange={(e) => setAmount(e.currentTarget.value)}
                error={invalid ? 'Enter an amount above zero, with at most two decimals.' : undefined}
                data-autofocus
              />
            )}
            <ErrorAlert error={pay.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Not now
              </Button>
              <Button type="submit" disabled={!parsed} loading={pay.isPending}>
                {parsed ? `Pay ${format.money(parsed, invoice.currency)}` : 'Pay'}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  )
}

/** A saved card and autopay. Saving a card is Stripe's SetupIntent; on one machine the
 * simulator completes it with a test Visa. */
function Autopay({ lease }: { lease: Lease }) {
  const client = useQueryClient()
  const [setup, setSetup] = useState(false)
  const update = (next: Lease) => {
    client.setQueryData(['leases'], (old: { results: Lease[] } | undefined) =>
      old ? { ...old, results: old.results.map((l) => (l.id === next.id ? next : l)) } : old,
    )
  }
  const start = useMutation({ mutationFn: () => saveCard(lease.id), onSuccess: () => setSetup(true) })
  const complete = useMutation({
    mutationFn: () => simulateCard(lease.id),
    onSuccess: (answer) => {
      update(answer.lease)
      setSetup(false)
    },
  })
  const autopay = useMutation({ mutationFn: (enabled: boolean) => setAutopay(lease.id, enabled), onSuccess: update })
  const live = lease.status === 'upcoming' || lease.status === 'active' || lease.status === 'ending'
  if (!live) return null
  return (
    <Card withBorder padding="sm" bg="gray.0">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Text>{lease.card_saved ? 'A card is saved for this lease.' : 'No card saved.'}</Text>
          {!lease.card_saved && !setup && (
            <Button size="xs" variant="light" onClick={() => start.mutate()} loading={start.isPending}>
              Save a card
            </Button>
          )}
        </Group>
        {setup && (
          <Alert color="blue" title="Development card page">
            <Stack gap="xs">
              <Text size="sm">Stripe's card form can't be reached from this machine: save Stripe's test Visa instead.</Text>
              <Button size="xs" w="fit-content" onClick={() => complete.mutate()} loading={complete.isPending}>
                Save the test Visa card
              </Button>
            </Stack>
          </Alert>
        )}
        <Switch
          checked={lease.autopay}
          disabled={!lease.card_saved || autopay.isPending}
          onChange={(e) => autopay.mutate(e.currentTarget.checked)}
          label="Autopay: charge the saved card on each due date"
          description={lease.card_saved ? undefined : 'Save a card first.'}
        />
        <ErrorAlert error={start.error ?? complete.error ?? autopay.error} />
      </Stack>
    </Card>
  )
}
