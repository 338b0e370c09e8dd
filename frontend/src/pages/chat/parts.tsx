import { Alert } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { ConnectionState } from '../../chat/client'

/** Says when live updates are off, and that messages wait rather than being lost. A
 * (re)connection that takes under 2 s is not worth a banner. */
export function ConnectionNotice({ state }: { state: ConnectionState }) {
  // Reset when the state changes (React's "information from previous renders" pattern:
  // no state set in an effect's body, and safe under StrictMode's double effects).
  const [slow, setSlow] = useState(false)
  const [seen, setSeen] = useState(state)
  if (seen !== state) {
    setSeen(state)
    setSlow(false)
  }
  useEffect(() => {
    if (state !== 'connecting') return
    const timer = setTimeout(() => setSlow(true), 2_000)
    return () => clearTimeout(timer)
  }, [state])
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
