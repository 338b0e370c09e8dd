// Leaflet, loaded only with the pages that show a map (its own chunk). Tiles come from
// VITE_TILE_URL (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png) set at build time;
// without one the map shows markers on a plain background, which is what the tests and
// machines without a tile server get.
import 'leaflet/dist/leaflet.css'
import L from 'leaflet'
import { useEffect, useRef } from 'react'

export interface Marker {
  id: string
  lat: number
  lon: number
  label: string
  title: string
  active?: boolean
}

export interface MapViewProps {
  markers: Marker[]
  label: string
  onSelect?: (id: string) => void
  onPick?: (lat: number, lon: number) => void
  zoom?: number
}

const TILE_URL = import.meta.env.VITE_TILE_URL ?? ''
const TILE_ATTRIBUTION = import.meta.env.VITE_TILE_ATTRIBUTION ?? '© OpenStreetMap contributors'
const WORLD: L.LatLngTuple = [20.5937, 78.9629]

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export default function MapView({ markers, label, onSelect, onPick, zoom = 13 }: MapViewProps) {
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<L.Map | null>(null)
  const layer = useRef<L.LayerGroup | null>(null)
  const select = useRef(onSelect)
  const pick = useRef(onPick)
  // The latest callbacks, for Leaflet's handlers (bound once): updated after each render.
  useEffect(() => {
    select.current = onSelect
    pick.current = onPick
  })

  useEffect(() => {
    if (!box.current) return
    const instance = L.map(box.current, {
      center: WORLD,
      zoom: 4,
      scrollWheelZoom: false,
      attributionControl: Boolean(TILE_URL),
    })
    if (TILE_URL) L.tileLayer(TILE_URL, { attribution: TILE_ATTRIBUTION, maxZoom: 19 }).addTo(instance)
    instance.on('click', (event: L.LeafletMouseEvent) => pick.current?.(event.latlng.lat, event.latlng.lng))
    layer.current = L.layerGroup().addTo(instance)
    map.current = instance
    // The container is laid out by now: make Leaflet measure it again.
    const resize = new ResizeObserver(() => instance.invalidateSize())
    resize.observe(box.current)
    return () => {
      resize.disconnect()
      instance.remove()
      map.current = null
    }
  }, [])

  // Markers follow the results: redrawn and fitted whenever they change.
  const key = markers.map((m) => `${m.id}:${m.lat}:${m.lon}:${m.label}:${m.active ? 1 : 0}`).join('|')
  useEffect(() => {
    const instance = map.current
    const group = layer.current
    if (!instance || !group) return
    group.clearLayers()
    for (const marker of markers) {
      const icon = L.divIcon({
        className: 'map-pin-icon',
        html: `<span class="map-pin${marker.active ? ' is-active' : ''}">${escapeHtml(marker.label)}</span>`,
        iconSize: null as unknown as L.PointExpression, // sized by its label
      })
      L.marker([marker.lat, marker.lon], {
        icon,
        title: marker.title,
        alt: marker.title,
        keyboard: true,
        riseOnHover: true,
      })
        .on('click', () => select.current?.(marker.id))
        .on('keypress', (event: L.LeafletKeyboardEvent) => {
          if (event.originalEvent.key === 'Enter') select.current?.(marker.id)
        })
        .addTo(group)
        .getElement()
        ?.setAttribute('data-marker-id', marker.id)
    }
    if (markers.length === 1) {
      instance.setView([markers[0]!.lat, markers[0]!.lon], zoom)
    } else if (markers.length > 1) {
      instance.fitBounds(L.latLngBounds(markers.map((m) => [m.lat, m.lon] as L.LatLngTuple)), {
        padding: [40, 40],
        maxZoom: 15,
      })
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, zoom])

  return (
    <div
      ref={box}
      className="map-box"
      role="region"
      aria-label={label}
      data-testid="map"
      data-markers={markers.length}
    />
  )
}
