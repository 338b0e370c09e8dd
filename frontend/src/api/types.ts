// The platform's shapes, typed by hand from docs/contracts and docs/services (no OpenAPI
// document has landed yet; switch to generated types when it does).

export type Role = 'tenant' | 'landlord' | 'admin'

export interface User {
  id: string
  email: string
  full_name: string
  phone: string
  role: Role
  time_zone: string
  locale: string
  is_active: boolean
  created_at: string
  updated_at: string
  last_login: string | null
}

export interface SessionAnswer {
  access: string
  token_type: 'Bearer'
  access_expires_in: number
  user: User | null
}

export interface Address {
  line1: string
  line2: string
  locality: string
  city: string
  state: string
  postal_code: string
  country: string
}

export interface GeoPoint {
  lat: number
  lon: number
}

export type PropertyStatus = 'draft' | 'published' | 'archived' | 'deleted'
export type PropertyType = 'apartment' | 'house' | 'studio' | 'room' | 'shared' | 'villa'

export interface Room {
  id: string
  name: string
  total_units: number
  monthly_price: string
  deposit: string
  deposit_inherited: boolean
  currency: string
}

export interface Photo {
  id: string
  url: string
  position: number
  is_cover: boolean
  content_type: string
  width: number
  height: number
  size_bytes: number
}

export interface Property {
  id: string
  owner_id: string
  status: PropertyStatus
  title: string
  description: string
  property_type: PropertyType
  address: Address
  location: GeoPoint | null
  currency: string
  monthly_price: string | null
  deposit: string
  bedrooms: number
  bathrooms: number
  area_sqft: number | null
  furnished: boolean
  amenities: string[]
  house_rules: string
  available_from: string | null
  rooms: Room[]
  photos: Photo[]
  cover_photo_url: string | null
  created_at: string
  updated_at: string
  published_at: string | null
}

export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export interface SearchHit {
  id: string
  title: string
  city: string
  locality: string
  monthly_price: string
  currency: string
  bedrooms: number
  bathrooms: number
  property_type: PropertyType
  furnished: boolean
  amenities: string[]
  available_from: string | null
  available_units: number
  cover_photo_url: string | null
  location: GeoPoint | null
  published_at: string | null
  distance_km?: number
  highlight?: { title?: string[]; description?: string[] }
}

export interface FacetValue {
  value: string
  count: number
}

export interface PriceRange {
  value: string
  from: number
  to: number | null
  count: number
  params: { price_min?: string; price_max?: string }
}

export interface SearchResponse {
  count: number
  page: number | null
  page_size: number
  results: SearchHit[]
  facets: {
    amenities: FacetValue[]
    property_types: FacetValue[]
    cities: FacetValue[]
    price_ranges: PriceRange[]
  }
  next_cursor: string | null
}

export interface Suggestion {
  text: string
  kind: 'city' | 'locality' | 'title'
  id?: string
}

export type BookingStatus =
  | 'PENDING'
  | 'CONFIRMED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'FAILED'
  | 'REFUNDED'

export interface Booking {
  id: string
  status: BookingStatus
  reason: string | null
  tenant_id: string
  owner_id: string
  property_id: string
  room_id: string
  quantity: number
  move_in_date: string
  currency: string
  monthly_amount: string
  deposit_amount: string
  amount: string
  amount_paid: string
  amount_refunded: string
  refund_status: string
  expires_at: string | null
  checkout_url: string
  last_payment_error: string
  created_at: string
  updated_at: string
  confirmed_at: string | null
  ended_at: string | null
}

export interface Availability {
  room_id: string
  property_id: string
  bookable: boolean
  total_units: number
  available_units: number
  held_units: number
  booked_units: number
  refused_total_units: number | null
  monthly_price: string
  deposit: string
  currency: string
}

export interface CancellationQuote {
  booking_id: string
  status: BookingStatus
  currency: string
  cancellable: boolean
  refund_amount: string | null
  refund_policy: 'unpaid' | 'full' | 'partial' | null
  error: { code: string; message: string } | null
}

export interface SimulationAnswer {
  event: { id: string; type: string }
  webhook: { status: number; response: unknown }
  booking: Booking
}

// The contract's amenity vocabulary (docs/contracts/property-events.md), in its order.
export const AMENITIES = [
  'wifi',
  'parking',
  'air_conditioning',
  'heating',
  'washing_machine',
  'kitchen',
  'refrigerator',
  'tv',
  'gym',
  'swimming_pool',
  'lift',
  'power_backup',
  'security',
  'balcony',
  'pet_friendly',
  'wheelchair_access',
  'housekeeping',
  'meals',
  'water_purifier',
  'geyser',
] as const

export const PROPERTY_TYPES: PropertyType[] = [
  'apartment',
  'house',
  'studio',
  'room',
  'shared',
  'villa',
]
