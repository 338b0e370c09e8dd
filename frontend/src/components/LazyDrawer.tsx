// Mantine's Drawer, loaded the first time one opens: it brings a scroll area and
// positioning code the landing page does not otherwise need (the phone menu and filters).
import type { DrawerProps } from '@mantine/core'
import { lazy, Suspense, useState } from 'react'

const Drawer = lazy(() => import('./DrawerImpl'))

export function LazyDrawer(props: DrawerProps) {
  const [used, setUsed] = useState(false)
  if (props.opened && !used) setUsed(true)
  if (!used && !props.opened) return null
  return (
    <Suspense fallback={null}>
      <Drawer closeButtonProps={{ 'aria-label': 'Close' }} {...props} />
    </Suspense>
  )
}
