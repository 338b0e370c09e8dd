import { changesBetween } from '../pages/notifications/PreferencesPage'
import { notificationHref } from './notifications'

const n = (link: string | null, kind = 'booking.confirmed.tenant', data: Record<string, unknown> = {}) => ({
  link,
  kind,
  data,
})
const ORIGIN = 'http://127.0.0.1:8000'

describe('where a notification leads', () => {
  it('follows the API link, without the trailing slash of the service', () => {
    expect(notificationHref(n('/bookings/b1'), 'tenant', ORIGIN)).toEqual({ href: '/bookings/b1', external: false })
    expect(notificationHref(n('/visits/', 'visit.confirmed.tenant'), 'tenant', ORIGIN)?.href).toBe('/visits')
    expect(notificationHref(n('/chat/?conversation=c1', 'chat.message'), 'tenant', ORIGIN)?.href).toBe(
      '/chat?conversation=c1',
    )
  })

  it("moves a landlord's rent and visits links to the landlord's pages", () => {
    expect(notificationHref(n('/visits/', 'visit.requested.landlord'), 'landlord', ORIGIN)?.href).toBe('/landlord/visits')
    expect(notificationHref(n('/rent/', 'lease.created.landlord'), 'landlord', ORIGIN)?.href).toBe('/landlord/rent')
    expect(notificationHref(n('/landlord/rent/', 'refund.failed'), 'landlord', ORIGIN)?.href).toBe('/landlord/rent')
    expect(notificationHref(n('/rent/', 'lease.created.tenant'), 'tenant', ORIGIN)?.href).toBe('/rent')
  })

  it('makes a link on this origin relative and keeps another site absolute', () => {
    expect(notificationHref(n(`${ORIGIN}/dev/checkout/b1`), 'tenant', ORIGIN)).toEqual({
      href: '/dev/checkout/b1',
      external: false,
    })
    expect(notificationHref(n('https://checkout.stripe.com/c/pay/x'), 'tenant', ORIGIN)).toEqual({
      href: 'https://checkout.stripe.com/c/pay/x',
      external: true,
    })
  })

  it('derives the page from the data when there is no link', () => {
    expect(notificationHref(n(null, 'x', { booking_id: 'b9' }), 'tenant', ORIGIN)?.href).toBe('/bookings/b9')
    expect(notificationHref(n(null, 'x', { visit_id: 'v1' }), 'landlord', ORIGIN)?.href).toBe('/landlord/visits')
    expect(notificationHref(n(null, 'x', { invoice_id: 'i1' }), 'tenant', ORIGIN)?.href).toBe('/rent')
    expect(notificationHref(n(null, 'x', {}), 'tenant', ORIGIN)).toBeNull()
  })
})

describe('preferences to save', () => {
  const saved = {
    security: { locked: true, in_app: true, email: true },
    bookings: { locked: false, in_app: true, email: true },
  }
  it('are only what changed', () => {
    expect(changesBetween(saved, saved)).toEqual({})
    expect(
      changesBetween(saved, { ...saved, bookings: { locked: false, in_app: true, email: false } }),
    ).toEqual({ bookings: { email: false } })
  })
})
