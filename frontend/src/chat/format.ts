// Chat times in the user's own time zone (their profile's; lib/format.ts Preferences):
// today's as a time, this year's with the day, older with the year.
import type { Preferences } from '../lib/format'

function dayKey(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(date)
}

export function chatTime(iso: string, prefs: Preferences, now = new Date()): string {
  const date = new Date(iso)
  try {
    const time: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', timeZone: prefs.timeZone }
    if (dayKey(date, prefs.timeZone) === dayKey(now, prefs.timeZone)) {
      return new Intl.DateTimeFormat(prefs.locale, time).format(date)
    }
    const sameYear = dayKey(date, prefs.timeZone).slice(0, 4) === dayKey(now, prefs.timeZone).slice(0, 4)
    return new Intl.DateTimeFormat(prefs.locale, {
      ...time,
      day: 'numeric',
      month: 'short',
      ...(sameYear ? {} : { year: 'numeric' }),
    }).format(date)
  } catch {
    return iso
  }
}

/** The day heading above a day's messages ("Today", or the date). */
export function chatDay(iso: string, prefs: Preferences, now = new Date()): string {
  const date = new Date(iso)
  try {
    const key = dayKey(date, prefs.timeZone)
    if (key === dayKey(now, prefs.timeZone)) return 'Today'
    if (key === dayKey(new Date(now.getTime() - 86_400_000), prefs.timeZone)) return 'Yesterday'
    return new Intl.DateTimeFormat(prefs.locale, { dateStyle: 'full', timeZone: prefs.timeZone }).format(date)
  } catch {
    return iso.slice(0, 10)
  }
}

export function dayOf(iso: string, timeZone: string): string {
  try {
    return dayKey(new Date(iso), timeZone)
  } catch {
    return iso.slice(0, 10)
  }
}
