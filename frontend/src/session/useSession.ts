import { useSyncExternalStore } from 'react'
import { getSnapshot, subscribe, type Snapshot } from './session'

export function useSession(): Snapshot {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}
