// The landlord's rent: leases per property (create, edit while upcoming, end), each
// lease's invoices (waive a late fee) and payments (refund), and the month's rent roll
// with a chart and a CSV download.
import {
  Alert,
  Button,
  Card,
  Collapse,
  Group,
  Modal,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { zodResolver } from '@hookform/resolvers/zod'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { z } from 'zod'
import { newIdempotencyKey } from '../../api/client'
import { myProperties } from '../../api/endpoints'
import { createLease, downloadRentRoll, listInvoices, listLeases, refundPayment, rentRoll, terminateLease, updateLease, waiveLateFee } from '../../api/rentEndpoints'
import type { Invoice, Lease, LeaseListItem, Property, RentPayment, RentRoll } from '../../api/types'
import { CardsSkeleton, EmptyState, ErrorAlert, FormAlert } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { WideTable, InvoiceBadge, LeaseBadge, PaymentsTable, ReceiptButton } from '../../components/rent'
import { today, useFormat } from '../../lib/format'
import { applyApiError } from '../../lib/forms'
import { currentMonth, parseAmount, rollBars, shiftMonth, toMinor } from '../../lib/rent'
import { usePageTitle } from '../../lib/usePageTitle'
import { allPages } from '../../lib/pages'

export default function LandlordRentPage() {
  usePageTitle('Rent')
  return (
    <RequireAuth roles={['landlord', 'admin']}>
      <LandlordRent />
    </RequireAuth>
  )
}

function LandlordRent() {
  return (
    <Stack gap="md">
      <Title order={1}>Rent</Title>
      <Tabs defaultValue="roll" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="roll">Rent roll</Tabs.Tab>
          <Tabs.Tab value="leases">Leases</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="roll" pt="md">
          <Roll />
        </Tabs.Panel>
        <Tabs.Panel value="leases" pt="md">
          <Leases />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}

// --- leases --------------------------------------------------------------------------------

function Leases() {
  const properties = useQuery({ queryKey: ['my-properties', 'all'], queryFn: () => allPages(myProperties) })
  const leases = useQuery({ queryKey: ['leases'], queryFn: () => allPages((page) => listLeases({ page })) })
  if (properties.isPending || leases.isPending) return <CardsSkeleton count={2} />
  if (properties.isError) return <ErrorAlert error={properties.error} />
  if (leases.isError) return <ErrorAlert error={leases.error} />
  const props = properties.data.results
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Text c="dimmed">Leases come from confirmed bookings, or you add them by hand.</Text>
        <LeaseForm properties={props} />
      </Group>
      {leases.data.results.length === 0 && (
        <EmptyState title="No leases yet">When a booking is confirmed, its lease appears here.</EmptyState>
      )}
      {props
        .filter((p) => leases.data.results.some((l) => l.property_id === p.id))
        .map((p) => (
          <section key={p.id} aria-labelledby={`leases-${p.id}`}>
            <Title order={2} size="h3" id={`leases-${p.id}`} mb="sm">
              {p.title}
            </Title>
            <Stack gap="sm">
              {leases.data.results
                .filter((l) => l.property_id === p.id)
                .map((lease) => (
                  <LeaseRow key={lease.id} lease={lease} properties={props} />
                ))}
            </Stack>
          </section>
        ))}
      {/* Leases of properties past the first page of listings: under their own heading. */}
      {leases.data.results.some((l) => !props.some((p) => p.id === l.property_id)) && (
        <section aria-labelledby="leases-other">
          <Title order={2} size="h3" id="leases-other" mb="sm">
            Other properties
          </Title>
          <Stack gap="sm">
            {leases.data.results
              .filter((l) => !props.some((p) => p.id === l.property_id))
              .map((lease) => (
                <LeaseRow key={lease.id} lease={lease} properties={props} />
              ))}
          </Stack>
        </section>
      )}
    </Stack>
  )
}

function LeaseRow({ lease, properties }: { lease: LeaseListItem; properties: Property[] }) {
  const format = useFormat()
  const [opened, { toggle }] = useDisclosure(false)
  return (
    <Card withBorder padding="md" data-lease-id={lease.id}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Stack gap={2}>
            <Group gap="xs">
              <Text fw={600}>{lease.tenant_name || `Tenant ${lease.tenant_id}`}</Text>
              <LeaseBadge status={lease.status} />
            </Group>
            <Text size="sm" c="dimmed">
              {format.money(lease.monthly_rent, lease.currency)} a month, due day {lease.due_day} ·{' '}
              {format.day(lease.start_date)} – {lease.end_date ? format.day(lease.end_date) : 'month to month'} ·
              balance {format.money(lease.balance, lease.currency)} · credit {format.money(lease.credit, lease.currency)}
            </Text>
          </Stack>
          <Group gap="xs">
            {lease.status === 'upcoming' && <LeaseForm properties={properties} lease={lease} />}
            <EndLease lease={lease} />
            <Button size="xs" variant="default" onClick={toggle} aria-expanded={opened}>
              {opened ? 'Hide invoices' : 'Invoices and payments'}
            </Button>
          </Group>
        </Group>
        <Collapse in={opened}>{opened && <LeaseMoney lease={lease} />}</Collapse>
      </Stack>
    </Card>
  )
}

function LeaseMoney({ lease }: { lease: Lease }) {
  const format = useFormat()
  const invoices = useQuery({ queryKey: ['invoices', lease.id], queryFn: () => allPages((page) => listInvoices({ lease_id: lease.id, page })) })
  if (invoices.isError) return <ErrorAlert error={invoices.error} />
  const rows = invoices.data?.results ?? []
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        Invoices
      </Title>
      {rows.length === 0 ? (
        <Text c="dimmed">{invoices.isPending ? 'Loading…' : 'No invoices yet.'}</Text>
      ) : (
        <WideTable label="Invoices" minWidth={560}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Due</Table.Th>
                <Table.Th>Rent</Table.Th>
                <Table.Th>Late fee</Table.Th>
                <Table.Th>Balance</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((invoice) => (
                <Table.Tr key={invoice.id} data-invoice-id={invoice.id}>
                  <Table.Td>{format.day(invoice.due_date)}</Table.Td>
                  <Table.Td>{format.money(invoice.rent, invoice.currency)}</Table.Td>
                  <Table.Td>
                    {format.money(invoice.late_fee, invoice.currency)}
                    {toMinor(invoice.waived) > 0 && ` (waived ${format.money(invoice.waived, invoice.currency)})`}
                  </Table.Td>
                  <Table.Td>{format.money(invoice.balance, invoice.currency)}</Table.Td>
                  <Table.Td>
                    <InvoiceBadge status={invoice.status} />
                  </Table.Td>
                  <Table.Td>
                    <WaiveLateFee invoice={invoice} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </WideTable>
      )}
      <Title order={3} size="h5">
        Payments
      </Title>
      <PaymentsTable
        leaseId={lease.id}
        invoices={rows}
        actions={(p) =>
          p.status === 'succeeded' ? (
            <Group gap="xs" wrap="nowrap">
              <ReceiptButton payment={p} />
              {p.kind !== 'checkout' && toMinor(p.refunded) < toMinor(p.amount) && <Refund payment={p} />}
            </Group>
          ) : null
        }
      />
    </Stack>
  )
}

function WaiveLateFee({ invoice }: { invoice: Invoice }) {
  const client = useQueryClient()
  const waive = useMutation({
    mutationFn: () => waiveLateFee(invoice.id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['invoices', invoice.lease_id] })
      void client.invalidateQueries({ queryKey: ['leases'] })
    },
  })
  if (toMinor(invoice.late_fee) <= 0 || toMinor(invoice.waived) > 0) return null
  return (
    <>
      <Button size="xs" variant="light" onClick={() => waive.mutate()} loading={waive.isPending}>
        Waive late fee
      </Button>
      <ErrorAlert error={waive.error} />
    </>
  )
}

function Refund({ payment }: { payment: RentPayment }) {
  const format = useFormat()
  const client = useQueryClient()
  const [opened, { open, close }] = useDisclosure(false)
  const [amount, setAmount] = useState('')
  const [destination, setDestination] = useState<'credit' | 'card'>('credit')
  const [reason, setReason] = useState('')
  const parsed = parseAmount(amount)
  const refund = useMutation({
    mutationFn: () => refundPayment(payment.id, { amount: parsed!, destination, reason }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['rent-payments', payment.lease_id] })
      void client.invalidateQueries({ queryKey: ['invoices', payment.lease_id] })
      void client.invalidateQueries({ queryKey: ['leases'] })
      close()
    },
  })
  return (
    <>
      <Button size="xs" variant="outline" color="red" onClick={open}>
        Refund
      </Button>
      <Modal opened={opened} onClose={close} title="Refund this payment" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            if (parsed) refund.mutate()
          }}
        >
          <Stack gap="md">
            <Text>
              Paid {format.money(payment.amount, payment.currency)}
              {toMinor(payment.refunded) > 0 && `, ${format.money(payment.refunded, payment.currency)} refunded already`}.
            </Text>
            <TextInput
              label={`Amount (${payment.currency})`}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value)}
              error={amount && !parsed ? 'Enter an amount above zero, with at most two decimals.' : undefined}
              data-autofocus
            />
            <NativeSelect
              label="Refund to"
              value={destination}
              onChange={(e) => setDestination(e.currentTarget.value as 'credit' | 'card')}
              data={[
                { value: 'credit', label: "The tenant's credit (applied to the next invoice)" },
                { value: 'card', label: 'The card it was paid with' },
              ]}
            />
            <TextInput label="Reason (optional)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
            <ErrorAlert error={refund.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" color="red" disabled={!parsed} loading={refund.isPending}>
                Refund
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  )
}

function EndLease({ lease }: { lease: Lease }) {
  const client = useQueryClient()
  const [opened, { open, close }] = useDisclosure(false)
  const [reason, setReason] = useState('')
  const end = useMutation({
    mutationFn: () => terminateLease(lease.id, reason),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['leases'] })
      close()
    },
  })
  if (lease.status === 'ended' || lease.status === 'terminated') return null
  return (
    <>
      <Button size="xs" variant="outline" color="red" onClick={open}>
        End lease
      </Button>
      <Modal opened={opened} onClose={close} title="End this lease now?" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack gap="md">
          <Text>
            The lease is terminated today: open invoices after today are voided. To end it
            with notice instead, the tenant or you give notice.
          </Text>
          <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-autofocus />
          <ErrorAlert error={end.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep lease
            </Button>
            <Button color="red" onClick={() => end.mutate()} loading={end.isPending}>
              End lease
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}

const amount = z
  .string()
  .trim()
  .refine((v) => parseAmount(v) !== null, 'Enter an amount above zero, with at most two decimals.')
const optionalAmount = z
  .string()
  .trim()
  .refine((v) => v === '' || parseAmount(v) !== null || v === '0', 'Enter an amount, with at most two decimals.')

const leaseSchema = z.object({
  property_id: z.string().min(1, 'Choose the property.'),
  tenant_id: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, "Enter the tenant's ID (on their Rent page)."),
  monthly_rent: amount,
  currency: z.string().trim().regex(/^[A-Za-z]{3}$/, 'A three-letter currency code, e.g. INR.'),
  start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the start date.'),
  end_date: z.string(),
  due_day: z.string().regex(/^([1-9]|1\d|2[0-8])?$/, 'A day from 1 to 28, or empty for the start day.'),
  deposit_held: optionalAmount,
  late_fee_kind: z.enum(['none', 'flat', 'percent']),
  late_fee_amount: optionalAmount,
  grace_days: z.string().regex(/^\d{0,2}$/, 'A number of days.'),
})
type LeaseValues = z.infer<typeof leaseSchema>
const LEASE_FIELDS = Object.keys(leaseSchema.shape)

/** A new lease, or an upcoming one's terms; field errors from the form, then the API. */
function LeaseForm({ properties, lease }: { properties: Property[]; lease?: Lease }) {
  const client = useQueryClient()
  const format = useFormat()
  const [opened, { open, close }] = useDisclosure(false)
  const [key] = useState(newIdempotencyKey)
  const [topError, setTopError] = useState<string | null>(null)
  const form = useForm<LeaseValues>({
    resolver: zodResolver(leaseSchema),
    defaultValues: {
      property_id: lease?.property_id ?? properties[0]?.id ?? '',
      tenant_id: lease?.tenant_id ?? '',
      monthly_rent: lease?.monthly_rent ?? properties[0]?.monthly_price ?? '',
      currency: lease?.currency ?? properties[0]?.currency ?? 'INR',
      start_date: lease?.start_date ?? today(format.prefs.timeZone),
      end_date: lease?.end_date ?? '',
      due_day: lease ? String(lease.due_day) : '',
      deposit_held: lease?.deposit.held ?? '',
      late_fee_kind: lease?.late_fee.kind ?? 'percent',
      late_fee_amount: lease?.late_fee.amount ?? '5',
      grace_days: lease ? String(lease.late_fee.grace_days) : '5',
    },
  })
  const save = useMutation({
    mutationFn: (v: LeaseValues) => {
      const terms = {
        monthly_rent: parseAmount(v.monthly_rent)!,
        currency: v.currency.toUpperCase(),
        start_date: v.start_date,
        end_date: v.end_date || null,
        ...(v.due_day ? { due_day: Number(v.due_day) } : {}),
        late_fee_kind: v.late_fee_kind,
        ...(v.late_fee_amount ? { late_fee_amount: v.late_fee_amount } : {}),
        ...(v.grace_days ? { grace_days: Number(v.grace_days) } : {}),
      }
      if (lease) return updateLease(lease.id, terms)
      return createLease(
        {
          ...terms,
          property_id: v.property_id,
          tenant_id: v.tenant_id,
          ...(v.deposit_held ? { deposit_held: v.deposit_held } : {}),
        },
        key,
      )
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['leases'] })
      close()
    },
    onError: (error) => setTopError(applyApiError(error, form.setError, LEASE_FIELDS)),
  })
  const err = (name: keyof LeaseValues) => form.formState.errors[name]?.message
  return (
    <>
      <Button size={lease ? 'xs' : 'sm'} variant={lease ? 'light' : 'filled'} onClick={open}>
        {lease ? 'Edit terms' : 'New lease'}
      </Button>
      <Modal opened={opened} onClose={close} title={lease ? 'Edit the lease' : 'New lease'} size="lg" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <form
          noValidate
          onSubmit={form.handleSubmit((v) => {
            setTopError(null)
            save.mutate(v)
          })}
        >
          <Stack gap="sm">
            <FormAlert message={topError} />
            {!lease && (
              <>
                <NativeSelect
                  label="Property"
                  data={properties.map((p) => ({ value: p.id, label: p.title }))}
                  {...form.register('property_id')}
                  error={err('property_id')}
                />
                <TextInput
                  label="Tenant ID"
                  description="The tenant finds it on their Rent page."
                  {...form.register('tenant_id')}
                  error={err('tenant_id')}
                />
              </>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="Monthly rent" inputMode="decimal" {...form.register('monthly_rent')} error={err('monthly_rent')} />
              <TextInput label="Currency" {...form.register('currency')} error={err('currency')} />
              <TextInput label="Start date" type="date" {...form.register('start_date')} error={err('start_date')} />
              <TextInput
                label="End date (empty: month to month)"
                type="date"
                {...form.register('end_date')}
                error={err('end_date')}
              />
              <TextInput label="Due day (1-28)" inputMode="numeric" {...form.register('due_day')} error={err('due_day')} />
              {!lease && (
                <TextInput label="Deposit held" inputMode="decimal" {...form.register('deposit_held')} error={err('deposit_held')} />
              )}
              <NativeSelect
                label="Late fee"
                data={[
                  { value: 'none', label: 'None' },
                  { value: 'flat', label: 'A flat amount' },
                  { value: 'percent', label: 'A percentage of the overdue balance' },
                ]}
                {...form.register('late_fee_kind')}
                error={err('late_fee_kind')}
              />
              <TextInput label="Late fee amount" inputMode="decimal" {...form.register('late_fee_amount')} error={err('late_fee_amount')} />
              <TextInput label="Grace days" inputMode="numeric" {...form.register('grace_days')} error={err('grace_days')} />
            </SimpleGrid>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {lease ? 'Save terms' : 'Create lease'}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  )
}

// --- the rent roll -----------------------------------------------------------------------

function Roll() {
  const format = useFormat()
  const [month, setMonth] = useState(() => currentMonth(format.prefs.timeZone))
  const roll = useQuery({ queryKey: ['rent-roll', month], queryFn: () => rentRoll(month) })
  const csv = useMutation({ mutationFn: () => downloadRentRoll(month) })
  const label = new Intl.DateTimeFormat(format.prefs.locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${month}-01T00:00:00Z`),
  )
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setMonth(shiftMonth(month, -1))} aria-label="Previous month">
            ‹
          </Button>
          <Title order={2} size="h3" data-testid="roll-month" data-month={month}>
            {label}
          </Title>
          <Button variant="default" size="xs" onClick={() => setMonth(shiftMonth(month, 1))} aria-label="Next month">
            ›
          </Button>
        </Group>
        <Button variant="light" onClick={() => csv.mutate()} loading={csv.isPending}>
          Download CSV
        </Button>
      </Group>
      <ErrorAlert error={csv.error} />
      {roll.isPending ? (
        <CardsSkeleton count={1} />
      ) : roll.isError ? (
        <ErrorAlert error={roll.error} />
      ) : (
        <RollView roll={roll.data} />
      )}
    </Stack>
  )
}

function RollView({ roll }: { roll: RentRoll }) {
  const format = useFormat()
  if (roll.rows.length === 0) {
    return <EmptyState title="No rent due this month">Invoices of your leases due this month appear here.</EmptyState>
  }
  const overdueByCurrency = new Map<string, number>()
  for (const row of roll.overdue) {
    overdueByCurrency.set(row.currency, (overdueByCurrency.get(row.currency) ?? 0) + toMinor(row.outstanding))
  }
  return (
    <Stack gap="md">
      {roll.totals.map((t) => (
        <SimpleGrid key={t.currency} cols={{ base: 2, sm: 4 }} data-testid={`roll-totals-${t.currency}`}>
          <Figure label="Expected" value={format.money(t.expected, t.currency)} testId="roll-expected" />
          <Figure label="Collected" value={format.money(t.collected, t.currency)} testId="roll-collected" />
          <Figure label="Outstanding" value={format.money(t.outstanding, t.currency)} testId="roll-outstanding" />
          <Figure
            label="Overdue"
            value={format.money((overdueByCurrency.get(t.currency) ?? 0) / 100, t.currency)}
            testId="roll-overdue"
          />
        </SimpleGrid>
      ))}
      <RollChart roll={roll} />
      {roll.overdue.length > 0 && (
        <Alert color="orange" title={`${roll.overdue.length} overdue`}>
          {roll.overdue
            .map((r) => `${r.tenant_name}: ${format.money(r.outstanding, r.currency)}, ${r.days_overdue} days`)
            .join(' · ')}
        </Alert>
      )}
      <WideTable label="Rent roll" minWidth={640}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tenant</Table.Th>
              <Table.Th>Due</Table.Th>
              <Table.Th>Expected</Table.Th>
              <Table.Th>Collected</Table.Th>
              <Table.Th>Outstanding</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {roll.rows.map((r) => (
              <Table.Tr key={r.invoice_id} data-roll-invoice={r.invoice_id}>
                <Table.Td>{r.tenant_name || r.tenant_id}</Table.Td>
                <Table.Td>
                  {format.day(r.due_date)}
                  {r.days_overdue > 0 && ` (${r.days_overdue} days overdue)`}
                </Table.Td>
                <Table.Td>{format.money(r.expected, r.currency)}</Table.Td>
                <Table.Td>{format.money(r.collected, r.currency)}</Table.Td>
                <Table.Td>{format.money(r.outstanding, r.currency)}</Table.Td>
                <Table.Td>
                  <InvoiceBadge status={r.status} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </WideTable>
    </Stack>
  )
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="lg" data-testid={testId}>
        {value}
      </Text>
    </Card>
  )
}

/** One stacked bar per currency: collected (green) and outstanding (orange) as shares of
 * what was expected. Plain SVG: a chart library would cost more than this whole page. */
function RollChart({ roll }: { roll: RentRoll }) {
  const format = useFormat()
  const bars = rollBars(roll.totals)
  const summary = roll.totals
    .map((t) => `${t.currency}: ${format.money(t.collected, t.currency)} collected of ${format.money(t.expected, t.currency)} expected`)
    .join('; ')
  // Widths in percent: the bars follow the page's width, the text stays its size.
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`
  return (
    <figure style={{ margin: 0 }}>
      <Stack gap={6} role="img" aria-label={`Collected and outstanding rent. ${summary}`}>
        {bars.map((b) => (
          <Group key={b.currency} gap="sm" wrap="nowrap" aria-hidden>
            <Text size="sm" w={40}>
              {b.currency}
            </Text>
            <svg width="100%" height={24} style={{ flex: 1 }}>
              <rect x="0" y="0" width="100%" height="24" fill="#e9ecef" rx="4" />
              <rect x="0" y="0" width={pct(b.collected)} height="24" fill="#2b8a3e" rx="4" />
              <rect x={pct(b.collected)} y="0" width={pct(b.outstanding)} height="24" fill="#e8590c" />
            </svg>
          </Group>
        ))}
      </Stack>
      <figcaption>
        <Group gap="md">
          <Text size="sm">
            <span aria-hidden style={{ display: 'inline-block', width: 10, height: 10, background: '#2b8a3e', marginRight: 4 }} />
            Collected
          </Text>
          <Text size="sm">
            <span aria-hidden style={{ display: 'inline-block', width: 10, height: 10, background: '#e8590c', marginRight: 4 }} />
            Outstanding
          </Text>
        </Group>
      </figcaption>
    </figure>
  )
}
