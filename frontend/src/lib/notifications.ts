// The inbox's vocabulary and where each notification leads (the pages are lazy chunks;
// this module goes with them, not with the bell).
import type { Category, Notification } from '../api/notificationEndpoints'
import type { Role } from '../api/types'

export const CATEGORIES: { value: Category; label: string; description: string }[] = [
  { value: 'security', label: 'Security', description: 'Password and email changes, reset links. Always on.' },
  { value: 'account', label: 'Account', description: 'Welcome and account news.' },
  { value: 'bookings', label: 'Bookings', description: 'Holds, payments, confirmations, cancellations, refunds.' },
  { value: 'rent', label: 'Rent', description: 'Leases, invoices, reminders, late fees, payments, deposits.' },
  { value: 'visits', label: 'Visits', description: 'Viewing requests, confirmations, changes and reminders.' },
  { value: 'chat', label: 'Messages', description: 'New chat messages (email: a digest of what stays unread).' },
]

export const CATEGORY_LABEL = Object.fromEntries(CATEGORIES.map((c) => [c.value, c.label])) as Record<
  Category,
  string
>

export const CHANNELS = [
  { value: 'in_app', label: 'In the app' },
  { value: 'email', label: 'Email' },
] as const
export type Channel = (typeof CHANNELS)[number]['value']

const str = (value: unknown): string | null =>
  typeof value === 'string' && value ? value : typeof value === 'number' ? String(value) : null

/** Where a notification leads in this app: the API's link (made relative when it points
 * at this origin), moved to the landlord's pages for a landlord (the service links rent
 * and visits to the tenant's), or, without a link, derived from its data. An address on
 * another site stays absolute (`external`). */
export function notificationHref(
  n: Pick<Notification, 'link' | 'data' | 'kind'>,
  role: Role | undefined,
  origin: string = typeof window !== 'undefined' ? window.location.origin : '',
): { href: string; external: boolean } | null {
  const landlord = role === 'landlord' || n.kind.endsWith('.landlord')
  let link = n.link ?? ''
  if (link && /^https?:\/\//i.test(link)) {
    if (origin && link.startsWith(origin + '/')) link = link.slice(origin.length)
    else return { href: link, external: true }
  }
  if (!link || link === '/') link = derived(n.data) ?? link
  if (!link) return null
  if (landlord && /^\/(visits|rent)(\/|\?|$)/.test(link)) link = `/landlord${link}`
  // The app's routes have no trailing slash ("/rent/" → "/rent"), queries kept.
  link = link.replace(/^([^?#]+?)\/+(?=[?#]|$)/, '$1')
  return { href: link || '/', external: false }
}

function derived(data: Notification['data']): string | null {
  const booking = str(data.booking_id)
  if (booking) return `/bookings/${booking}`
  if (str(data.visit_id)) return '/visits'
  if (str(data.invoice_id) || str(data.lease_id) || str(data.payment_id)) return '/rent'
  const conversation = str(data.conversation_id)
  if (conversation) return `/messages/${encodeURIComponent(conversation)}`
  return null
}
