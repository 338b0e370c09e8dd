import { Alert } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { ConnectionState } from '../../chat/client'

/** Says when live updates are off, and that messages wait rather than being lost. A
 * (re)connection that takes under 2 s is not worth a banner. */
export function ConnectionNotice({ state }: { state: ConnectionState }) {
  // Which connecting spell has lasted 2 s: a new one (state left and came back) starts
  // unflagged, without a state update in the effect's body.
  const [spell, setSpell] = useState(0)
  const [slowSpell, setSlowSpell] = useState(-1)
  useEffect(() => {
    if (state !== 'connecting') return
    const timer = setTimeout(() => setSlowSpell(spell), 2_000)
    return () => {
      clearTimeout(timer)
      setSpell((n) => n + 1)
    }
  }, [state, spell])
  const slow = slowSpell === spell
  if (state === 'offline') {
    return (
      <Alert color="orange" role="status" title="Offline" data-testid="chat-connection">
        Messages you send are kept and go out as soon as you are back online.
      </Alert>
    )
  }
  if (state === 'connecting' && slow) {
    return (
      <Alert color="gray" role="status" title="Connecting…" data-testid="chat-connection">
        Reconnecting to chat. Messages you send wait and go out once connected.
      </Alert>
    )
  }
  return null
}
