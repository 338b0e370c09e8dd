import { backoff, badgeText, bellLabel, parseFrame, socketUrl, unreadOf, BACKOFF_MAX_MS } from './bell'

describe('the bell count from socket frames', () => {
  it('takes the count of ready, notification and unread frames', () => {
    expect(unreadOf(parseFrame('{"type":"ready","user_id":"7","unread":3}'))).toBe(3)
    expect(unreadOf(parseFrame('{"type":"notification","notification":{"id":"n1"},"unread":4}'))).toBe(4)
    expect(unreadOf(parseFrame('{"type":"unread","unread":0}'))).toBe(0)
  })

  it('ignores pongs, unknown frames, garbage and bad numbers', () => {
    expect(unreadOf(parseFrame('{"type":"pong"}'))).toBeNull()
    expect(parseFrame('{"type":"typing","unread":9}')).toBeNull()
    expect(parseFrame('not json')).toBeNull()
    expect(parseFrame(new ArrayBuffer(2))).toBeNull()
    expect(unreadOf(parseFrame('{"type":"unread","unread":-1}'))).toBeNull()
    expect(unreadOf(parseFrame('{"type":"unread","unread":"5"}'))).toBeNull()
    expect(unreadOf(parseFrame('{"type":"unread","unread":1.5}'))).toBeNull()
  })

  it('reconnects after a doubling, capped, jittered wait', () => {
    expect(backoff(0, () => 0)).toBe(500)
    expect(backoff(0, () => 1)).toBe(1000)
    expect(backoff(3, () => 0)).toBe(4000)
    expect(backoff(3, () => 1)).toBe(8000)
    expect(backoff(20, () => 1)).toBe(BACKOFF_MAX_MS)
    expect(backoff(20, () => 0)).toBe(BACKOFF_MAX_MS / 2)
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(backoff(attempt + 1, () => 0.5)).toBeGreaterThanOrEqual(backoff(attempt, () => 0.5))
    }
  })

  it('shows nothing at zero, the number, then 99+', () => {
    expect(badgeText(undefined)).toBeNull()
    expect(badgeText(0)).toBeNull()
    expect(badgeText(7)).toBe('7')
    expect(badgeText(99)).toBe('99')
    expect(badgeText(100)).toBe('99+')
    expect(bellLabel(0)).toBe('Notifications, none unread')
    expect(bellLabel(3)).toBe('Notifications, 3 unread')
  })

  it('opens the socket on the page origin, never with a token in the URL', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8000' })).toBe('ws://127.0.0.1:8000/ws/notifications/')
    expect(socketUrl({ protocol: 'https:', host: 'rentezy.example' })).toBe('wss://rentezy.example/ws/notifications/')
  })
})
