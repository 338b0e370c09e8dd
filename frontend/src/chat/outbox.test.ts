import { Outbox } from './outbox'
import { lastSeenByOther, mergeMessages, visibleItems, withMessages, emptyLog } from './log'
import { msg } from './testing'

let n = 0
const ids = () => `c${++n}`

describe('Outbox', () => {
  it('keeps a message pending with one client id across resends until acknowledged', () => {
    const box = new Outbox(ids)
    const item = box.add('conv', 'hello')
    expect(item.state).toBe('pending')
    // Two (re)connects: the same message, the same client id, each time.
    expect(box.due().map((i) => i.client_id)).toEqual([item.client_id])
    expect(box.due().map((i) => i.client_id)).toEqual([item.client_id])
    expect(box.settle(item.client_id)).toBe(true)
    expect(box.due()).toEqual([])
    // A second ack (a duplicate answer) changes nothing.
    expect(box.settle(item.client_id)).toBe(false)
  })

  it('sends oldest first and keeps a failed message out of resends until retried', () => {
    const box = new Outbox(ids)
    const a = box.add('conv', 'a')
    box.add('conv', 'b')
    box.fail(a.client_id, 'You blocked this person.')
    expect(box.due().map((i) => i.body)).toEqual(['b'])
    box.retry(a.client_id)
    expect(box.due().map((i) => i.body)).toEqual(['a', 'b'])
    expect(box.forConversation('conv')[0]!.client_id).toBe(a.client_id)
  })

  it('holds a rate-limited message back until its time', () => {
    const box = new Outbox(ids)
    const a = box.add('conv', 'a', null, 1000)
    box.delay(a.client_id, 2000, 1000)
    expect(box.due(2000)).toEqual([])
    expect(box.nextDue()).toBe(3000)
    expect(box.due(3000).map((i) => i.body)).toEqual(['a'])
  })
})

describe('the log', () => {
  it('merges by seq: no message twice, the latest change wins', () => {
    const edited = msg(2, { change_seq: 5, body: 'edited' })
    const merged = mergeMessages([msg(1), msg(2)], [msg(3), edited, msg(2), msg(1)])
    expect(merged.map((m) => [m.seq, m.body])).toEqual([
      [1, 'message 1'],
      [2, 'edited'],
      [3, 'message 3'],
    ])
    // A late copy of the original never overtakes the edit.
    expect(mergeMessages(merged, [msg(2)]).find((m) => m.seq === 2)!.body).toBe('edited')
  })

  it('moves `seen` forward only', () => {
    const log = withMessages({ ...emptyLog, loaded: true }, [msg(1), msg(2)], 4)
    expect(log.seen).toBe(4)
    expect(withMessages(log, [msg(1)], 1).seen).toBe(4)
  })

  it('hides a pending message once the server has it (ack or live copy, whichever is first)', () => {
    const box = new Outbox(ids)
    const mine = box.add('conv', 'hi')
    let log = withMessages({ ...emptyLog, loaded: true }, [msg(1)])
    expect(visibleItems(log, box.forConversation('conv'), '7').map((i) => i.kind)).toEqual(['message', 'pending'])
    log = withMessages(log, [msg(2, { sender_id: '7', client_id: mine.client_id, body: 'hi' })])
    // Still in the outbox (no ack yet), but shown once: as the stored message.
    expect(visibleItems(log, box.forConversation('conv'), '7').map((i) => i.kind)).toEqual(['message', 'message'])
  })

  it('marks the last of my messages the other has read', () => {
    const log = { ...withMessages({ ...emptyLog, loaded: true }, [msg(1, { sender_id: '7' }), msg(2, { sender_id: '7' }), msg(3, { sender_id: '7' })]), otherRead: 2 }
    expect(lastSeenByOther(log, '7')).toBe(2)
    expect(lastSeenByOther({ ...log, otherRead: 0 }, '7')).toBeNull()
  })
})
