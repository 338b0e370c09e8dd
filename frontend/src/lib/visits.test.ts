import { describe, expect, it } from 'vitest'
import type { VisitSlot } from '../api/types'
import { dayHeading, groupSlotsByDay, offsetMinutes, timeIn, viewerTime, weekOf } from './visits'

const slot = (start: string, local_start: string, local_date: string): VisitSlot => ({
  start,
  end: start,
  local_start,
  local_end: local_start,
  local_date,
  kind: 'private',
  capacity: 1,
  remaining: 1,
})

describe('slots by local day', () => {
  it('groups by the property day, not UTC, in time order', () => {
    // 00:30 in Kolkata on the 8th is still the 7th in UTC.
    const days = groupSlotsByDay([
      slot('2026-12-07T19:00:00Z', '2026-12-08T00:30:00+05:30', '2026-12-08'),
      slot('2026-12-07T04:30:00Z', '2026-12-07T10:00:00+05:30', '2026-12-07'),
      slot('2026-12-07T04:00:00Z', '2026-12-07T09:30:00+05:30', '2026-12-07'),
    ])
    expect(days.map((d) => d.date)).toEqual(['2026-12-07', '2026-12-08'])
    expect(days[0]!.slots.map((s) => s.local_start)).toEqual([
      '2026-12-07T09:30:00+05:30',
      '2026-12-07T10:00:00+05:30',
    ])
  })

  it('keeps the repeated hour of a fall-back day as two slots', () => {
    const days = groupSlotsByDay([
      slot('2026-11-01T06:30:00Z', '2026-11-01T01:30:00-05:00', '2026-11-01'),
      slot('2026-11-01T05:30:00Z', '2026-11-01T01:30:00-04:00', '2026-11-01'),
    ])
    expect(days).toHaveLength(1)
    expect(days[0]!.slots.map((s) => s.start)).toEqual(['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z'])
  })
})

describe('time zones', () => {
  it('shows the property time in its own zone', () => {
    expect(timeIn('2026-12-07T04:30:00Z', 'Asia/Kolkata', 'en-GB')).toBe('10:00')
    expect(timeIn('2026-12-07T04:30:00Z', 'Europe/London', 'en-GB')).toMatch(/^0?4:30$/)
  })

  it('knows offsets across DST', () => {
    expect(offsetMinutes('2026-07-01T12:00:00Z', 'Europe/London')).toBe(60)
    expect(offsetMinutes('2026-12-01T12:00:00Z', 'Europe/London')).toBe(0)
    expect(offsetMinutes('2026-12-01T12:00:00Z', 'Asia/Kolkata')).toBe(330)
  })

  it("adds the viewer's time only when their clock reads differently", () => {
    expect(viewerTime('2026-12-07T04:30:00Z', 'Asia/Kolkata', 'Asia/Kolkata', 'en-GB')).toBeNull()
    // Another zone name with the same offset at that instant: the same clock.
    expect(viewerTime('2026-12-07T04:30:00Z', 'Europe/London', 'Europe/Lisbon', 'en-GB')).toBeNull()
    expect(viewerTime('2026-12-07T04:30:00Z', 'Asia/Kolkata', 'Europe/Berlin', 'en-GB')).toMatch(/^0?5:30 (CET|GMT\+1)$/)
    // A different day for the viewer says which.
    expect(viewerTime('2026-12-07T04:30:00Z', 'Asia/Kolkata', 'America/New_York', 'en-GB')).toMatch(/^Sun,? 23:30 (EST|GMT-5)$/)
  })

  it('heads a day and lays out its week, Monday first', () => {
    expect(dayHeading('2026-12-07', 'en-GB')).toBe('Mon 7 Dec')
    expect(weekOf('2026-12-10')).toEqual([
      '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13',
    ])
    expect(weekOf('2026-12-07', 1)[0]).toBe('2026-12-14')
  })
})
