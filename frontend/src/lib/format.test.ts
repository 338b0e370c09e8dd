import { formatCountdown, formatDay, formatInstant, formatMoney, today } from './format'

describe('formatting with Intl', () => {
  it('writes amounts in the listing currency and the user locale', () => {
    expect(formatMoney('25000.00', 'INR', 'en-IN')).toBe('₹25,000')
    expect(formatMoney('1234.50', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€')
    expect(formatMoney(null, 'INR', 'en')).toBe('—')
  })
  it('keeps calendar days as written and shows instants in the user time zone', () => {
    expect(formatDay('2026-12-01', 'en-GB')).toBe('1 Dec 2026')
    expect(formatInstant('2026-12-03T20:00:00Z', { locale: 'en-GB', timeZone: 'Asia/Kolkata' })).toBe(
      '4 Dec 2026, 01:30',
    )
  })
  it('counts down', () => {
    expect(formatCountdown(9 * 60_000 + 5_000)).toBe('9:05')
    expect(formatCountdown(3_700_000)).toBe('1:01:40')
    expect(formatCountdown(-10)).toBe('0:00')
    expect(today('UTC')).toMatch(/^\d{4}-\d\d-\d\d$/)
  })
})
