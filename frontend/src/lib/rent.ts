// Rent's arithmetic for display: amounts are decimal strings from the API ("12500.00"),
// added and compared in minor units (integers), never as floats.
import type { Invoice, InvoiceStatus, LeaseStatus, RentRollTotal } from '../api/types'

/** "12500.5" -> 1250050 (two decimals: the API's amounts and every currency we list). */
export function toMinor(amount: string | number | null | undefined): number {
  if (amount === null || amount === undefined || amount === '') return 0
  const text = String(amount).trim()
  const negative = text.startsWith('-')
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.')
  const minor = Number(whole || '0') * 100 + Number((fraction + '00').slice(0, 2))
  return negative ? -minor : minor
}

/** 1250050 -> "12500.50" */
export function fromMinor(minor: number): string {
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(Math.round(minor))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** What a person typed as an amount ("5,000", "5000.5", " 20 ") as the API's decimal
 * string, or null when it is not a positive amount with at most two decimals. */
export function parseAmount(input: string): string | null {
  const text = input.trim().replace(/[,\s_]/g, '')
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return null
  const minor = toMinor(text)
  return minor > 0 ? fromMinor(minor) : null
}

export function isPayable(invoice: Pick<Invoice, 'status' | 'balance'>): boolean {
  return (invoice.status === 'open' || invoice.status === 'partially_paid') && toMinor(invoice.balance) > 0
}

/** Upcoming (due today or later, or still owed) and past (settled or closed) invoices,
 * the soonest due first in the first list, the latest first in the second. */
export function splitInvoices<T extends Pick<Invoice, 'status' | 'balance' | 'due_date'>>(
  invoices: T[],
): { upcoming: T[]; past: T[] } {
  const upcoming = invoices.filter(isPayable).sort((a, b) => a.due_date.localeCompare(b.due_date))
  const past = invoices
    .filter((i) => !isPayable(i))
    .sort((a, b) => b.due_date.localeCompare(a.due_date))
  return { upcoming, past }
}

/** The rent roll's totals as bars: each currency's collected and outstanding share of
 * what was expected (0..1). */
export function rollBars(totals: RentRollTotal[]): {
  currency: string
  expected: number
  collected: number
  outstanding: number
}[] {
  return totals.map((t) => {
    const expected = toMinor(t.expected)
    const share = (x: string) => (expected > 0 ? Math.min(1, Math.max(0, toMinor(x) / expected)) : 0)
    return { currency: t.currency, expected, collected: share(t.collected), outstanding: share(t.outstanding) }
  })
}

/** "2026-12" in a time zone (the month a landlord's rent roll opens on). */
export function currentMonth(timeZone: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })
      .format(now)
      .slice(0, 7)
  } catch {
    return now.toISOString().slice(0, 7)
  }
}

/** "2026-12" -> "2027-01" (delta months later; negative: earlier). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const index = y * 12 + (m - 1) + delta
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

export const INVOICE_STATUS: Record<InvoiceStatus, { label: string; color: string }> = {
  open: { label: 'Due', color: 'yellow' },
  partially_paid: { label: 'Partly paid', color: 'orange' },
  paid: { label: 'Paid', color: 'green' },
  void: { label: 'Void', color: 'gray' },
  uncollectible: { label: 'Uncollectible', color: 'red' },
}

export const LEASE_STATUS: Record<LeaseStatus, { label: string; color: string }> = {
  upcoming: { label: 'Upcoming', color: 'blue' },
  active: { label: 'Active', color: 'green' },
  ending: { label: 'Ending', color: 'orange' },
  ended: { label: 'Ended', color: 'gray' },
  terminated: { label: 'Terminated', color: 'gray' },
}
