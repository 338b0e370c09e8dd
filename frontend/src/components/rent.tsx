// Pieces shared by the tenant's and the landlord's rent pages.
import { Badge, Button, Table, Text, VisuallyHidden } from '@mantine/core'
import { useMutation, useQuery } from '@tanstack/react-query'
import { getProperty } from '../api/endpoints'
import { downloadReceipt, listPayments } from '../api/rentEndpoints'
import type { Invoice, InvoiceStatus, LeaseStatus, RentPayment } from '../api/types'
import { useFormat } from '../lib/format'
import { INVOICE_STATUS, LEASE_STATUS } from '../lib/rent'
import { ErrorAlert } from './common'

export function InvoiceBadge({ status }: { status: InvoiceStatus }) {
  const info = INVOICE_STATUS[status]
  return (
    <Badge color={info.color} variant="light" data-status={status}>
      {info.label}
    </Badge>
  )
}

export function LeaseBadge({ status }: { status: LeaseStatus }) {
  const info = LEASE_STATUS[status]
  return (
    <Badge color={info.color} variant="light" data-status={status}>
      {info.label}
    </Badge>
  )
}

/** A property's title (public for a published one), or a short id while unknown. */
export function usePropertyTitle(id: string): string {
  const property = useQuery({
    queryKey: ['property', id],
    queryFn: ({ signal }) => getProperty(id, signal),
    retry: false,
    staleTime: 60_000,
  })
  return property.data?.title ?? `Property ${id.slice(0, 8)}`
}

export function ReceiptButton({ payment }: { payment: RentPayment }) {
  const download = useMutation({ mutationFn: () => downloadReceipt(payment.id) })
  return (
    <>
      <Button size="xs" variant="light" onClick={() => download.mutate()} loading={download.isPending}>
        Receipt (PDF)
      </Button>
      <ErrorAlert error={download.error} />
    </>
  )
}

/** A wide table that scrolls sideways on a phone: a focusable, labelled region, so a
 * keyboard can scroll it (axe: scrollable-region-focusable). */
export function WideTable({ label, minWidth, children }: { label: string; minWidth: number; children: React.ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <Table striped miw={minWidth}>
        {children}
      </Table>
    </div>
  )
}

const PAYMENT_COLORS = { pending: 'yellow', succeeded: 'green', failed: 'red', canceled: 'gray' } as const

/** A lease's payments, newest first; `actions` adds the landlord's or tenant's buttons. */
export function PaymentsTable({
  leaseId,
  invoices,
  actions,
}: {
  leaseId: string
  invoices: Invoice[]
  actions: (payment: RentPayment) => React.ReactNode
}) {
  const format = useFormat()
  const payments = useQuery({ queryKey: ['rent-payments', leaseId], queryFn: () => listPayments({ lease_id: leaseId }) })
  if (payments.isError) return <ErrorAlert error={payments.error} />
  const rows = payments.data?.results ?? []
  if (payments.isPending) return <Text c="dimmed">Loading payments…</Text>
  if (rows.length === 0) return <Text c="dimmed">No payments yet.</Text>
  const period = (id: string | null) => {
    const invoice = invoices.find((i) => i.id === id)
    return invoice ? `${format.day(invoice.period_start)} – ${format.day(invoice.period_end)}` : '—'
  }
  return (
    <WideTable label="Payments" minWidth={560}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Date</Table.Th>
            <Table.Th>For</Table.Th>
            <Table.Th>Amount</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((p) => (
            <Table.Tr key={p.id} data-payment-id={p.id} data-payment-status={p.status}>
              <Table.Td>{format.instant(p.succeeded_at ?? p.created_at)}</Table.Td>
              <Table.Td>{period(p.invoice_id)}</Table.Td>
              <Table.Td>
                {format.money(p.amount, p.currency)}
                {Number(p.refunded) > 0 && (
                  <Text span size="sm" c="dimmed">
                    {' '}
                    ({format.money(p.refunded, p.currency)} refunded)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={PAYMENT_COLORS[p.status]}>
                  {p.status === 'succeeded' ? 'Paid' : p.status}
                </Badge>
                {p.failure_message && (
                  <Text size="sm" c="red.9">
                    {p.failure_message}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{actions(p)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </WideTable>
  )
}
