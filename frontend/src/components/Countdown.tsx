import { Text, VisuallyHidden } from '@mantine/core'
import { useEffect, useState } from 'react'
import { formatCountdown } from '../lib/format'

/** Time left until `until`, ticking each second; `onEnd` once when it reaches zero. */
export function Countdown({ until, onEnd }: { until: string; onEnd?: () => void }) {
  const end = new Date(until).getTime()
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const left = end - now
  useEffect(() => {
    if (left <= 0) onEnd?.()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [left <= 0])
  const minutes = Math.max(0, Math.ceil(left / 60_000))
  return (
    <Text fw={700} fz="xl" data-testid="countdown">
      <span aria-hidden="true">{formatCountdown(left)}</span>
      {/* Screen readers hear the minutes, not every second. */}
      <VisuallyHidden component="span">
        {left > 0 ? `About ${minutes} minute${minutes === 1 ? '' : 's'} left` : 'Time is up'}
      </VisuallyHidden>
    </Text>
  )
}
