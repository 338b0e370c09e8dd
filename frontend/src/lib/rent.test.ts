import { describe, expect, it } from 'vitest'
import { formatMoney } from './format'
import { currentMonth, fromMinor, isPayable, parseAmount, rollBars, shiftMonth, splitInvoices, toMinor } from './rent'

describe('money', () => {
  it('adds in minor units, never floats', () => {
    expect(toMinor('0.10') + toMinor('0.20')).toBe(30)
    expect(fromMinor(toMinor('12500.05') - toMinor('5000'))).toBe('7500.05')
    expect(toMinor('-3.5')).toBe(-350)
    expect(fromMinor(-350)).toBe('-3.50')
  })

  it('reads what a person typed as an amount, or refuses it', () => {
    expect(parseAmount('5,000')).toBe('5000.00')
    expect(parseAmount(' 5000.5 ')).toBe('5000.50')
    expect(parseAmount('0')).toBeNull()
    expect(parseAmount('-20')).toBeNull()
    expect(parseAmount('12.345')).toBeNull()
    expect(parseAmount('abc')).toBeNull()
  })

  it('formats in the lease currency and the user locale', () => {
    expect(formatMoney('12500.00', 'INR', 'en-IN')).toBe('₹12,500')
    expect(formatMoney('7500.05', 'INR', 'en-IN')).toBe('₹7,500.05')
    expect(formatMoney('1234.5', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€')
  })
})

describe('invoices', () => {
  const inv = (status: string, balance: string, due_date: string) =>
    ({ status, balance, due_date }) as Parameters<typeof isPayable>[0] & { due_date: string }

  it('is payable while open or partly paid with a balance', () => {
    expect(isPayable(inv('open', '100.00', '2026-12-01'))).toBe(true)
    expect(isPayable(inv('partially_paid', '0.01', '2026-12-01'))).toBe(true)
    expect(isPayable(inv('paid', '0.00', '2026-12-01'))).toBe(false)
    expect(isPayable(inv('void', '100.00', '2026-12-01'))).toBe(false)
  })

  it('splits upcoming (soonest first) from past (latest first)', () => {
    const { upcoming, past } = splitInvoices([
      inv('paid', '0.00', '2026-10-01'),
      inv('open', '10.00', '2027-01-01'),
      inv('partially_paid', '5.00', '2026-12-01'),
      inv('paid', '0.00', '2026-11-01'),
    ])
    expect(upcoming.map((i) => i.due_date)).toEqual(['2026-12-01', '2027-01-01'])
    expect(past.map((i) => i.due_date)).toEqual(['2026-11-01', '2026-10-01'])
  })
})

describe('the rent roll', () => {
  it('bars each currency by its share of what was expected', () => {
    expect(rollBars([{ currency: 'INR', expected: '20000.00', collected: '15000.00', outstanding: '5000.00' }])).toEqual([
      { currency: 'INR', expected: 2000000, collected: 0.75, outstanding: 0.25 },
    ])
    expect(rollBars([{ currency: 'USD', expected: '0.00', collected: '0.00', outstanding: '0.00' }])[0]!.collected).toBe(0)
  })

  it('knows the month in a time zone and moves across years', () => {
    const instant = new Date('2026-12-31T20:00:00Z')
    expect(currentMonth('Asia/Kolkata', instant)).toBe('2027-01')
    expect(currentMonth('America/New_York', instant)).toBe('2026-12')
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
    expect(shiftMonth('2027-01', -1)).toBe('2026-12')
  })
})
