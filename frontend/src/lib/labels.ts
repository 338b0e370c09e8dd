import type { BookingStatus, PropertyStatus, PropertyType } from '../api/types'

export function humanize(code: string): string {
  const words = code.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const AMENITY_LABELS: Record<string, string> = {
  wifi: 'Wi-Fi',
  tv: 'TV',
  air_conditioning: 'Air conditioning',
  lift: 'Lift / elevator',
  geyser: 'Water heater (geyser)',
}

export const amenityLabel = (code: string) => AMENITY_LABELS[code] ?? humanize(code)
export const typeLabel = (type: PropertyType | string) => humanize(type)

export const BOOKING_STATUS: Record<BookingStatus, { label: string; color: string }> = {
  PENDING: { label: 'Awaiting payment', color: 'yellow' },
  CONFIRMED: { label: 'Confirmed', color: 'green' },
  EXPIRED: { label: 'Expired', color: 'gray' },
  CANCELLED: { label: 'Cancelled', color: 'gray' },
  FAILED: { label: 'Payment failed', color: 'red' },
  REFUNDED: { label: 'Refunded', color: 'blue' },
}

export const PROPERTY_STATUS: Record<PropertyStatus, { label: string; color: string }> = {
  draft: { label: 'Draft', color: 'gray' },
  published: { label: 'Published', color: 'green' },
  archived: { label: 'Unpublished', color: 'yellow' },
  deleted: { label: 'Deleted', color: 'red' },
}

const REASONS: Record<string, string> = {
  hold_expired: 'The hold ran out before payment.',
  checkout_expired: 'The payment page expired.',
  paid_after_expiry: 'Paid after the hold ended; the room was still free.',
  sold_out_after_payment: 'Paid after the hold ended, but the room had sold out: refunded.',
  paid_after_cancellation: 'Paid after cancelling: refunded.',
  cancelled_by_tenant: 'Cancelled by the tenant.',
  cancelled_by_landlord: 'Cancelled by the landlord.',
  cancelled_by_admin: 'Cancelled by RentEzy support.',
  payment_failed: 'The payment failed.',
}

export const reasonLabel = (reason: string | null) => (reason ? (REASONS[reason] ?? humanize(reason)) : '')
