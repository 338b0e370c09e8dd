// Amounts and dates with Intl, in the user's locale and time zone (their profile; the
// browser's when signed out). Amounts keep the listing's own currency: never converted.
import { useMemo } from 'react'
import { useSession } from '../session/useSession'

export interface Preferences {
  locale: string
  timeZone: string
}

export function browserPreferences(): Preferences {
  const options = Intl.DateTimeFormat().resolvedOptions()
  return { locale: navigator.language || options.locale || 'en', timeZone: options.timeZone || 'UTC' }
}

export function formatMoney(
  amount: string | number | null | undefined,
  currency: string | null | undefined,
  locale: string,
): string {
  if (amount === null || amount === undefined || amount === '') return '—'
  const value = typeof amount === 'number' ? amount : Number(amount)
  const maximumFractionDigits = Number.isInteger(value) ? 0 : 2
  try {
    // A search result may not know its currency (the document allows null): the number alone.
    if (!currency) return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value)
    return new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits }).format(value)
  } catch {
    return `${value.toFixed(2)} ${currency ?? ''}`.trim()
  }
}

/** A calendar date ("2026-12-01") as written, whatever the time zone. */
export function formatDay(day: string | null | undefined, locale: string): string {
  if (!day) return '—'
  const [y, m, d] = day.split('-').map(Number)
  if (!y || !m || !d) return day
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

/** An instant ("2026-12-03T08:15:00Z") in the user's time zone. */
export function formatInstant(iso: string | null | undefined, prefs: Preferences): string {
  if (!iso) return '—'
  try {
    return new Intl.DateTimeFormat(prefs.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: prefs.timeZone,
    }).format(new Date(iso))
  } catch {
    return iso
  }
}

/** mm:ss (or h:mm:ss) left until `until`, never negative. */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const mm = String(m).padStart(h ? 2 : 1, '0')
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`
}

/** Today in the user's time zone, as YYYY-MM-DD. */
export function today(timeZone: string, offsetDays = 0): string {
  const now = new Date(Date.now() + offsetDays * 86_400_000)
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone }).format(now)
  } catch {
    return now.toISOString().slice(0, 10)
  }
}

export function usePreferences(): Preferences {
  const { user } = useSession()
  return useMemo(() => {
    const browser = browserPreferences()
    return {
      locale: user?.locale || browser.locale,
      timeZone: user?.time_zone || browser.timeZone,
    }
  }, [user?.locale, user?.time_zone])
}

export function useFormat() {
  const prefs = usePreferences()
  return useMemo(
    () => ({
      prefs,
      money: (amount: string | number | null | undefined, currency: string | null | undefined) =>
        formatMoney(amount, currency, prefs.locale),
      day: (day: string | null | undefined) => formatDay(day, prefs.locale),
      instant: (iso: string | null | undefined) => formatInstant(iso, prefs),
      number: (n: number) => new Intl.NumberFormat(prefs.locale).format(n),
    }),
    [prefs],
  )
}
