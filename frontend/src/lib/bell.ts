// The bell's live unread count: the frames of /ws/notifications/ (docs/services/
// notifications.md, "Live push"), the reconnection backoff, the badge's text. Pure, and
// small: it is in the main bundle with the bell.

/** What the notifications socket sends (the service's frames; unknown ones are ignored). */
export type Frame =
  | { type: 'ready'; user_id: string; unread: number }
  | { type: 'notification'; notification: { id: string }; unread: number }
  | { type: 'unread'; unread: number }
  | { type: 'pong' }

const TYPES = new Set(['ready', 'notification', 'unread', 'pong'])

export function parseFrame(text: unknown): Frame | null {
  if (typeof text !== 'string') return null
  try {
    const frame = JSON.parse(text) as { type?: unknown }
    return frame && typeof frame === 'object' && TYPES.has(frame.type as string) ? (frame as Frame) : null
  } catch {
    return null
  }
}

/** The count a frame tells, or null when it tells none (a pong, garbage, a bad number). */
export function unreadOf(frame: Frame | null): number | null {
  if (!frame || frame.type === 'pong') return null
  const n = frame.unread
  return Number.isInteger(n) && n >= 0 ? n : null
}

export const BACKOFF_BASE_MS = 1_000
export const BACKOFF_MAX_MS = 30_000

/** Wait before reconnect attempt `attempt` (0, 1, 2…): doubling from 1 s up to 30 s, with
 * "equal jitter" (half fixed, half random) so tabs dropped together by a restart do not
 * all come back in the same instant. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt))
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

/** The badge: nothing at 0, "99+" past 99. */
export function badgeText(unread: number | undefined): string | null {
  if (!unread || unread < 0) return null
  return unread > 99 ? '99+' : String(unread)
}

/** The bell's accessible name, which says the count. */
export function bellLabel(unread: number | undefined): string {
  if (!unread) return 'Notifications, none unread'
  return `Notifications, ${unread} unread`
}

/** The socket's address on this page's origin (ws: or wss:). Never a token in it. */
export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/notifications/`
}
