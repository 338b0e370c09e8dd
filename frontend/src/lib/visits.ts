// Visit times: slots come with UTC instants and the property's wall clock
// (`local_start` with its offset, `local_date`). The property's time is the one shown;
// the viewer's own (their profile's zone) is added when it differs.
import type { VisitSlot } from '../api/types'

export interface SlotDay {
  date: string
  slots: VisitSlot[]
}

/** Slots grouped by the property's local day (not the viewer's, not UTC), days and
 * slots in time order. */
export function groupSlotsByDay(slots: VisitSlot[]): SlotDay[] {
  const days = new Map<string, VisitSlot[]>()
  for (const slot of [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
    const list = days.get(slot.local_date) ?? []
    list.push(slot)
    days.set(slot.local_date, list)
  }
  return [...days.keys()].sort().map((date) => ({ date, slots: days.get(date)! }))
}

/** An instant's wall-clock time in a zone ("10:30 AM"). */
export function timeIn(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone }).format(
    new Date(iso),
  )
}

/** An instant's date and time in a zone, with the zone's short name. */
export function dateTimeIn(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso))
}

/** The UTC offset of a zone at an instant, in minutes. */
export function offsetMinutes(iso: string, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(iso))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'))
  const instant = Math.floor(Date.parse(iso) / 1000) * 1000
  return Math.round((asUtc - instant) / 60_000)
}

/** The viewer's own time of an instant ("4:00 PM GMT+1, your time") when their zone's
 * clock differs from the property's at that instant; null when it reads the same. */
export function viewerTime(
  iso: string,
  propertyZone: string,
  viewerZone: string,
  locale: string,
): string | null {
  if (!viewerZone || viewerZone === propertyZone) return null
  try {
    if (offsetMinutes(iso, propertyZone) === offsetMinutes(iso, viewerZone)) return null
    return new Intl.DateTimeFormat(locale, {
      hour: 'numeric',
      minute: '2-digit',
      timeZone: viewerZone,
      timeZoneName: 'short',
      ...(sameDay(iso, propertyZone, viewerZone) ? {} : { weekday: 'short' }),
    }).format(new Date(iso))
  } catch {
    return null
  }
}

function sameDay(iso: string, a: string, b: string): boolean {
  const day = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(iso))
  return day(a) === day(b)
}

/** A local date ("2026-12-07") as a heading ("Mon, 7 Dec"), as written. */
export function dayHeading(date: string, locale: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

/** The seven local dates of the week (Monday first) holding `date`, shifted by `weeks`. */
export function weekOf(date: string, weeks = 0): string[] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const base = new Date(Date.UTC(y, m - 1, d + weeks * 7))
  const monday = new Date(base.getTime() - ((base.getUTCDay() + 6) % 7) * 86_400_000)
  return Array.from({ length: 7 }, (_, i) =>
    new Date(monday.getTime() + i * 86_400_000).toISOString().slice(0, 10),
  )
}

/** "2026-12-07T10:30:00+05:30" -> "2026-12-07" (the wall-clock date as written). */
export const localDateOf = (localIso: string) => localIso.slice(0, 10)

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const

export const VISIT_STATUS = {
  PENDING: { label: 'Awaiting confirmation', color: 'yellow' },
  CONFIRMED: { label: 'Confirmed', color: 'green' },
  DECLINED: { label: 'Declined', color: 'red' },
  CANCELLED: { label: 'Cancelled', color: 'gray' },
} as const
