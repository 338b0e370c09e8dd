import { Skeleton } from '@mantine/core'
import { lazy, Suspense } from 'react'
import type { MapViewProps } from './MapView'

const MapView = lazy(() => import('./MapView'))

export function LazyMap(props: MapViewProps) {
  return (
    <Suspense fallback={<Skeleton height="100%" mih={260} aria-label="Loading the map" />}>
      <MapView {...props} />
    </Suspense>
  )
}
