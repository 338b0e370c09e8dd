// Create and edit a listing step by step: details, photos (upload with progress,
// reordering, cover), rooms and units, then publish. Field-level errors come from the
// API's error shape (details per field, nested for address and location).
import { zodResolver } from '@hookform/resolvers/zod'
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Fieldset,
  Group,
  List,
  NumberInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { z } from 'zod'
import { ApiError, newIdempotencyKey } from '../../api/client'
import {
  createProperty,
  createRoom,
  deletePhoto,
  deleteRoom,
  getProperty,
  publishProperty,
  unpublishProperty,
  updatePhoto,
  updateProperty,
  updateRoom,
  uploadPhoto,
} from '../../api/endpoints'
import {
  AMENITIES,
  PROPERTY_TYPES,
  type Photo,
  type Property,
  type PropertyCreate,
  type Room,
} from '../../api/types'
import { ErrorAlert, FormAlert, NotFoundContent, PageSkeleton, PropertyBadge } from '../../components/common'
import { LazyMap } from '../../components/LazyMap'
import { RequireAuth } from '../../components/RequireAuth'
import { useFormat } from '../../lib/format'
import { applyApiError, errorMessage } from '../../lib/forms'
import { amenityLabel, humanize, typeLabel } from '../../lib/labels'
import { usePageTitle } from '../../lib/usePageTitle'

export default function PropertyEditPage() {
  return (
    <RequireAuth roles={['landlord', 'admin']}>
      <Editor />
    </RequireAuth>
  )
}

const TABS = ['details', 'photos', 'rooms', 'publish'] as const
type Tab = (typeof TABS)[number]

function Editor() {
  const { id } = useParams()
  const [params, setParams] = useSearchParams()
  const tab = (TABS.includes(params.get('step') as Tab) ? params.get('step') : 'details') as Tab
  const listing = useQuery({
    queryKey: ['property', id],
    queryFn: ({ signal }) => getProperty(id!, signal),
    enabled: Boolean(id),
  })
  usePageTitle(id ? (listing.data ? `Edit ${listing.data.title}` : 'Edit listing') : 'New listing')
  if (!id) {
    return (
      <Stack gap="md" maw={880}>
        <Title order={1}>New listing</Title>
        <Text c="dimmed">Step 1 of 4: the details. Photos, rooms and publishing come next.</Text>
        <DetailsForm />
      </Stack>
    )
  }
  if (listing.isPending) return <PageSkeleton />
  if (listing.isError) {
    if (listing.error instanceof ApiError && listing.error.status === 404) return <NotFoundContent what="listing" />
    return <ErrorAlert error={listing.error} />
  }
  const property = listing.data
  return (
    <Stack gap="md" maw={880}>
      <Group gap="sm">
        <Title order={1}>{property.title}</Title>
        <PropertyBadge status={property.status} />
      </Group>
      <Tabs value={tab} onChange={(value) => setParams({ step: value ?? 'details' }, { replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="details">1. Details</Tabs.Tab>
          <Tabs.Tab value="photos">2. Photos ({property.photos.length})</Tabs.Tab>
          <Tabs.Tab value="rooms">3. Rooms ({property.rooms.length})</Tabs.Tab>
          <Tabs.Tab value="publish">4. Publish</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <DetailsForm property={property} />
        </Tabs.Panel>
        <Tabs.Panel value="photos" pt="md">
          <Photos property={property} />
        </Tabs.Panel>
        <Tabs.Panel value="rooms" pt="md">
          <Rooms property={property} />
        </Tabs.Panel>
        <Tabs.Panel value="publish" pt="md">
          <Publish property={property} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}

// --- details ----------------------------------------------------------------------------

const optionalNumber = z.union([z.number(), z.literal('')])
const detailsSchema = z
  .object({
    title: z.string().trim().min(1, 'Give the listing a title.').max(200),
    description: z.string().max(10_000),
    property_type: z.enum(PROPERTY_TYPES),
    address: z.object({
      line1: z.string().trim().min(1, 'Enter the street address.').max(200),
      line2: z.string().max(200),
      locality: z.string().max(120),
      city: z.string().trim().min(1, 'Enter the city.').max(120),
      state: z.string().max(120),
      postal_code: z.string().max(20),
      country: z.string().trim().length(2, 'Two letters, e.g. IN.'),
    }),
    lat: optionalNumber.refine((v) => v === '' || (v >= -90 && v <= 90), 'Between -90 and 90.'),
    lon: optionalNumber.refine((v) => v === '' || (v >= -180 && v <= 180), 'Between -180 and 180.'),
    currency: z.string().trim().length(3, 'Three letters, e.g. INR.'),
    monthly_price: optionalNumber.refine((v) => v === '' || v > 0, 'Must be more than 0.'),
    deposit: z.number({ message: 'Enter a deposit (0 for none).' }).min(0, 'Cannot be negative.'),
    bedrooms: z.number().int().min(0).max(50),
    bathrooms: z.number().int().min(0).max(50),
    area_sqft: optionalNumber,
    furnished: z.boolean(),
    amenities: z.array(z.string()),
    house_rules: z.string().max(5_000),
    available_from: z.string(),
  })
  .refine((v) => (v.lat === '') === (v.lon === ''), {
    path: ['lon'],
    message: 'Enter both latitude and longitude, or neither.',
  })
type Details = z.infer<typeof detailsSchema>

const DETAIL_FIELDS = [
  'title', 'description', 'property_type', 'address.line1', 'address.line2', 'address.locality',
  'address.city', 'address.state', 'address.postal_code', 'address.country', 'lat', 'lon',
  'currency', 'monthly_price', 'deposit', 'bedrooms', 'bathrooms', 'area_sqft', 'furnished',
  'amenities', 'house_rules', 'available_from',
]

function toForm(property?: Property): Details {
  return {
    title: property?.title ?? '',
    description: property?.description ?? '',
    property_type: property?.property_type ?? 'apartment',
    address: {
      line1: property?.address.line1 ?? '',
      line2: property?.address.line2 ?? '',
      locality: property?.address.locality ?? '',
      city: property?.address.city ?? '',
      state: property?.address.state ?? '',
      postal_code: property?.address.postal_code ?? '',
      country: property?.address.country ?? 'IN',
    },
    lat: property?.location?.lat ?? '',
    lon: property?.location?.lon ?? '',
    currency: property?.currency ?? 'INR',
    monthly_price: property?.monthly_price ? Number(property.monthly_price) : '',
    deposit: property ? Number(property.deposit) : 0,
    bedrooms: property?.bedrooms ?? 1,
    bathrooms: property?.bathrooms ?? 1,
    area_sqft: property?.area_sqft ?? '',
    furnished: property?.furnished ?? false,
    amenities: property?.amenities ?? [],
    house_rules: property?.house_rules ?? '',
    available_from: property?.available_from ?? '',
  }
}

/** The whole form: a new listing, or every field of one being edited (PATCH). */
function toApi(values: Details): PropertyCreate {
  return {
    title: values.title,
    description: values.description,
    property_type: values.property_type,
    address: { ...values.address, country: values.address.country.toUpperCase() },
    location: values.lat === '' || values.lon === '' ? null : { lat: values.lat, lon: values.lon },
    currency: values.currency.toUpperCase(),
    monthly_price: values.monthly_price === '' ? null : values.monthly_price.toFixed(2),
    deposit: values.deposit.toFixed(2),
    bedrooms: values.bedrooms,
    bathrooms: values.bathrooms,
    area_sqft: values.area_sqft === '' ? null : values.area_sqft,
    furnished: values.furnished,
    amenities: values.amenities,
    house_rules: values.house_rules,
    available_from: values.available_from || null,
  }
}

function NumberField({
  form,
  name,
  label,
  ...rest
}: {
  form: ReturnType<typeof useForm<Details>>
  name: 'lat' | 'lon' | 'monthly_price' | 'deposit' | 'bedrooms' | 'bathrooms' | 'area_sqft'
  label: string
  required?: boolean
  decimalScale?: number
  min?: number
  max?: number
  description?: string
}) {
  return (
    <Controller
      control={form.control}
      name={name}
      render={({ field, fieldState }) => (
        <NumberInput
          label={label}
          value={field.value as number | string}
          onChange={(value) => field.onChange(value === '' ? (name === 'deposit' || name === 'bedrooms' || name === 'bathrooms' ? 0 : '') : Number(value))}
          onBlur={field.onBlur}
          error={fieldState.error?.message}
          hideControls
          {...rest}
        />
      )}
    />
  )
}

function DetailsForm({ property }: { property?: Property }) {
  const navigate = useNavigate()
  const client = useQueryClient()
  const [key] = useState(newIdempotencyKey)
  const [formError, setFormError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const form = useForm<Details>({ resolver: zodResolver(detailsSchema), defaultValues: toForm(property) })
  const errors = form.formState.errors
  const lat = useWatch({ control: form.control, name: 'lat' })
  const lon = useWatch({ control: form.control, name: 'lon' })
  const submit = form.handleSubmit(async (values) => {
    setFormError(null)
    setSaved(false)
    try {
      const body = toApi(values)
      const result = property ? await updateProperty(property.id, body) : await createProperty(body, key)
      client.setQueryData(['property', result.id], result)
      client.invalidateQueries({ queryKey: ['my-properties'] })
      if (property) {
        form.reset(toForm(result))
        setSaved(true)
      } else {
        navigate(`/landlord/properties/${result.id}?step=photos`)
      }
    } catch (error) {
      setFormError(
        applyApiError(error, form.setError, DETAIL_FIELDS, {
          'location.lat': 'lat',
          'location.lon': 'lon',
          location: 'lat',
        }),
      )
    }
  })
  return (
    <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
      <Stack gap="md">
        <FormAlert message={formError} />
        {saved && (
          <Alert color="green" role="status">
            Saved.
          </Alert>
        )}
        <TextInput label="Title" required error={errors.title?.message} {...form.register('title')} />
        <Controller
          control={form.control}
          name="property_type"
          render={({ field, fieldState }) => (
            <Select
              label="Type"
              data={PROPERTY_TYPES.map((t) => ({ value: t, label: typeLabel(t) }))}
              value={field.value}
              onChange={(v) => field.onChange(v ?? 'apartment')}
              error={fieldState.error?.message}
              allowDeselect={false}
              required
            />
          )}
        />
        <Textarea label="Description" autosize minRows={3} error={errors.description?.message} {...form.register('description')} />
        <Fieldset legend="Address">
          <Stack gap="sm">
            <TextInput label="Street address" required error={errors.address?.line1?.message} {...form.register('address.line1')} />
            <TextInput label="Address line 2" error={errors.address?.line2?.message} {...form.register('address.line2')} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="Area / locality" error={errors.address?.locality?.message} {...form.register('address.locality')} />
              <TextInput label="City" required error={errors.address?.city?.message} {...form.register('address.city')} />
              <TextInput label="State" error={errors.address?.state?.message} {...form.register('address.state')} />
              <TextInput label="Postal code" error={errors.address?.postal_code?.message} {...form.register('address.postal_code')} />
              <TextInput label="Country code" required maxLength={2} error={errors.address?.country?.message} {...form.register('address.country')} />
            </SimpleGrid>
          </Stack>
        </Fieldset>
        <Fieldset legend="Location (needed to publish)">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Click the map to place the listing, or type the coordinates.
            </Text>
            <SimpleGrid cols={2}>
              <NumberField form={form} name="lat" label="Latitude" decimalScale={6} />
              <NumberField form={form} name="lon" label="Longitude" decimalScale={6} />
            </SimpleGrid>
            <div style={{ height: 260 }}>
              <LazyMap
                label="Map: click to set the listing's location"
                markers={
                  lat !== '' && lon !== ''
                    ? [{ id: 'here', lat: Number(lat), lon: Number(lon), label: 'Here', title: 'The listing', active: true }]
                    : []
                }
                onPick={(la, lo) => {
                  form.setValue('lat', Number(la.toFixed(6)), { shouldDirty: true, shouldValidate: true })
                  form.setValue('lon', Number(lo.toFixed(6)), { shouldDirty: true, shouldValidate: true })
                }}
              />
            </div>
          </Stack>
        </Fieldset>
        <Fieldset legend="Price">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Currency" required maxLength={3} error={errors.currency?.message} {...form.register('currency')} />
            <NumberField form={form} name="monthly_price" label="Monthly rent (needed to publish)" decimalScale={2} min={0} />
            <NumberField form={form} name="deposit" label="Deposit" decimalScale={2} min={0} required />
          </SimpleGrid>
        </Fieldset>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberField form={form} name="bedrooms" label="Bedrooms" min={0} max={50} />
          <NumberField form={form} name="bathrooms" label="Bathrooms" min={0} max={50} />
          <NumberField form={form} name="area_sqft" label="Area (sq ft)" min={1} />
        </SimpleGrid>
        <Controller
          control={form.control}
          name="furnished"
          render={({ field }) => (
            <Switch label="Furnished" checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />
          )}
        />
        <Controller
          control={form.control}
          name="amenities"
          render={({ field, fieldState }) => (
            <Checkbox.Group label="Amenities" value={field.value} onChange={field.onChange} error={fieldState.error?.message}>
              <SimpleGrid cols={{ base: 2, sm: 3 }} mt="xs">
                {AMENITIES.map((code) => (
                  <Checkbox key={code} value={code} label={amenityLabel(code)} />
                ))}
              </SimpleGrid>
            </Checkbox.Group>
          )}
        />
        <Textarea label="House rules" autosize minRows={2} error={errors.house_rules?.message} {...form.register('house_rules')} />
        <TextInput type="date" label="Available from" error={errors.available_from?.message} {...form.register('available_from')} />
        <Group>
          <Button type="submit" loading={form.formState.isSubmitting}>
            {property ? 'Save details' : 'Create draft and add photos'}
          </Button>
          {property && (
            <Button component={Link} to={`/landlord/properties/${property.id}?step=photos`} variant="subtle">
              Next: photos
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  )
}

// --- photos -----------------------------------------------------------------------------

interface UploadState {
  name: string
  progress: number
  error: string | null
}

function Photos({ property }: { property: Property }) {
  const client = useQueryClient()
  const input = useRef<HTMLInputElement>(null)
  const [uploads, setUploads] = useState<UploadState[]>([])
  const [error, setError] = useState<unknown>(null)
  const photos = [...property.photos].sort((a, b) => a.position - b.position)
  const reload = () => client.invalidateQueries({ queryKey: ['property', property.id] })

  const onFiles = async (files: FileList | null) => {
    if (!files?.length) return
    const list = Array.from(files)
    setUploads(list.map((f) => ({ name: f.name, progress: 0, error: null })))
    for (const [index, file] of list.entries()) {
      const set = (patch: Partial<UploadState>) =>
        setUploads((all) => all.map((u, i) => (i === index ? { ...u, ...patch } : u)))
      try {
        await uploadPhoto(property.id, file, (progress) => set({ progress }))
        set({ progress: 1 })
      } catch (failure) {
        const details = failure instanceof ApiError ? failure.fieldErrors().file?.join(' ') : null
        set({ error: details || errorMessage(failure) })
      }
    }
    if (input.current) input.current.value = ''
    await reload()
    setUploads((all) => all.filter((u) => u.error))
  }

  const change = useMutation({
    mutationFn: ({ photo, body }: { photo: Photo; body: { position?: number; is_cover?: boolean } }) =>
      updatePhoto(property.id, photo.id, body),
    onSuccess: reload,
    onError: setError,
  })
  const remove = useMutation({
    mutationFn: (photo: Photo) => deletePhoto(property.id, photo.id),
    onSuccess: reload,
    onError: setError,
  })

  return (
    <Stack gap="md">
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Text fw={500} component="label" htmlFor="photo-input">
            Add photos (JPEG, PNG or WebP, up to 10 MB each)
          </Text>
          <input
            id="photo-input"
            ref={input}
            type="file"
            accept="image/jpeg,image/png,image/webp"
            multiple
            onChange={(event) => void onFiles(event.currentTarget.files)}
          />
          {uploads.map((upload) => (
            <Stack key={upload.name} gap={4}>
              <Text size="sm">{upload.name}</Text>
              {upload.error ? (
                <Alert color="red" role="alert" p="xs">
                  {upload.error}
                </Alert>
              ) : (
                <Progress
                  value={Math.round(upload.progress * 100)}
                  aria-label={`Uploading ${upload.name}`}
                  animated={upload.progress < 1}
                />
              )}
            </Stack>
          ))}
        </Stack>
      </Card>
      <ErrorAlert error={error} />
      {photos.length === 0 ? (
        <Text c="dimmed">No photos yet. Listings with photos get far more bookings.</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} component="ol" style={{ listStyle: 'none', padding: 0 }}>
          {photos.map((photo, index) => (
            <Card key={photo.id} withBorder padding="xs" component="li" data-photo-id={photo.id}>
              <img className="photo-tile" src={photo.url} alt={`Photo ${index + 1}`} loading="lazy" />
              <Group justify="space-between" mt="xs" gap={4}>
                {photo.is_cover ? (
                  <Badge color="blue" variant="filled">
                    Cover
                  </Badge>
                ) : (
                  <Button size="compact-xs" variant="light" onClick={() => change.mutate({ photo, body: { is_cover: true } })}>
                    Make cover
                  </Button>
                )}
                <Group gap={4}>
                  <Button
                    size="compact-xs"
                    variant="default"
                    disabled={index === 0}
                    aria-label={`Move photo ${index + 1} earlier`}
                    onClick={() => change.mutate({ photo, body: { position: index - 1 } })}
                  >
                    ←
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="default"
                    disabled={index === photos.length - 1}
                    aria-label={`Move photo ${index + 1} later`}
                    onClick={() => change.mutate({ photo, body: { position: index + 1 } })}
                  >
                    →
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    aria-label={`Delete photo ${index + 1}`}
                    onClick={() => remove.mutate(photo)}
                  >
                    Delete
                  </Button>
                </Group>
              </Group>
            </Card>
          ))}
        </SimpleGrid>
      )}
      <Group>
        <Button component={Link} to={`/landlord/properties/${property.id}?step=rooms`} variant="light">
          Next: rooms
        </Button>
      </Group>
    </Stack>
  )
}

// --- rooms ------------------------------------------------------------------------------

const roomSchema = z.object({
  name: z.string().trim().min(1, 'Name the room, e.g. Double room.').max(120),
  total_units: z.number({ message: 'How many of this room?' }).int().min(1, 'At least 1.').max(10_000),
  monthly_price: z.number({ message: 'Enter the monthly rent.' }).positive('Must be more than 0.'),
  deposit: z.union([z.number().min(0, 'Cannot be negative.'), z.literal('')]),
})
type RoomValues = z.infer<typeof roomSchema>

function RoomForm({ property, room, onDone }: { property: Property; room?: Room; onDone?: () => void }) {
  const client = useQueryClient()
  const [key, setKey] = useState(newIdempotencyKey)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<RoomValues>({
    resolver: zodResolver(roomSchema),
    defaultValues: room
      ? {
          name: room.name,
          total_units: room.total_units,
          monthly_price: Number(room.monthly_price),
          deposit: room.deposit_inherited ? '' : Number(room.deposit),
        }
      : { name: '', total_units: 1, monthly_price: '' as unknown as number, deposit: '' },
  })
  const submit = form.handleSubmit(async (values) => {
    setFormError(null)
    const body = {
      name: values.name,
      total_units: values.total_units,
      monthly_price: values.monthly_price.toFixed(2),
      deposit: values.deposit === '' ? null : values.deposit.toFixed(2),
    }
    try {
      if (room) await updateRoom(property.id, room.id, body)
      else {
        await createRoom(property.id, body, key)
        setKey(newIdempotencyKey())
        form.reset()
      }
      await client.invalidateQueries({ queryKey: ['property', property.id] })
      onDone?.()
    } catch (error) {
      setFormError(applyApiError(error, form.setError, ['name', 'total_units', 'monthly_price', 'deposit']))
    }
  })
  const number = (name: 'total_units' | 'monthly_price' | 'deposit', label: string, extra: Record<string, unknown> = {}) => (
    <Controller
      control={form.control}
      name={name}
      render={({ field, fieldState }) => (
        <NumberInput
          label={label}
          value={field.value as number | string}
          onChange={(v) => field.onChange(v === '' ? '' : Number(v))}
          onBlur={field.onBlur}
          error={fieldState.error?.message}
          hideControls
          {...extra}
        />
      )}
    />
  )
  return (
    <form onSubmit={submit} noValidate>
    <Stack gap="sm">
      <FormAlert message={formError} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Room name" required error={form.formState.errors.name?.message} {...form.register('name')} />
        {number('total_units', 'Units of this room', { required: true, min: 1, allowDecimal: false })}
        {number('monthly_price', `Monthly rent (${property.currency})`, { required: true, min: 0, decimalScale: 2 })}
        {number('deposit', `Deposit (${property.currency})`, {
          min: 0,
          decimalScale: 2,
          description: 'Leave empty to use the listing’s deposit',
        })}
      </SimpleGrid>
      <Group>
        <Button type="submit" loading={form.formState.isSubmitting}>
          {room ? 'Save room' : 'Add room'}
        </Button>
        {onDone && room && (
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        )}
      </Group>
    </Stack>
    </form>
  )
}

function Rooms({ property }: { property: Property }) {
  const client = useQueryClient()
  const format = useFormat()
  const [editing, setEditing] = useState<string | null>(null)
  const remove = useMutation({
    mutationFn: (room: Room) => deleteRoom(property.id, room.id),
    onSuccess: () => client.invalidateQueries({ queryKey: ['property', property.id] }),
  })
  return (
    <Stack gap="md">
      <ErrorAlert error={remove.error} />
      {property.rooms.length === 0 && <Text c="dimmed">No rooms yet: tenants book rooms, so add at least one.</Text>}
      {property.rooms.map((room) => (
        <Card key={room.id} withBorder padding="md" data-room-id={room.id}>
          {editing === room.id ? (
            <RoomForm property={property} room={room} onDone={() => setEditing(null)} />
          ) : (
            <Group justify="space-between" wrap="wrap">
              <Stack gap={2}>
                <Text fw={600}>{room.name}</Text>
                <Text size="sm">
                  {room.total_units} unit{room.total_units === 1 ? '' : 's'} · {format.money(room.monthly_price, room.currency)} a
                  month · deposit {format.money(room.deposit, room.currency)}
                  {room.deposit_inherited ? ' (the listing’s)' : ''}
                </Text>
              </Stack>
              <Group gap="xs">
                <Button size="xs" variant="light" onClick={() => setEditing(room.id)}>
                  Edit {room.name}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(room)} loading={remove.isPending && remove.variables?.id === room.id}>
                  Delete {room.name}
                </Button>
              </Group>
            </Group>
          )}
        </Card>
      ))}
      <Card withBorder padding="lg">
        <Title order={2} size="h4" mb="sm">
          Add a room
        </Title>
        <RoomForm property={property} />
      </Card>
      <Group>
        <Button component={Link} to={`/landlord/properties/${property.id}?step=publish`} variant="light">
          Next: publish
        </Button>
      </Group>
    </Stack>
  )
}

// --- publish ----------------------------------------------------------------------------

function Publish({ property }: { property: Property }) {
  const client = useQueryClient()
  const checks = [
    { ok: Boolean(property.location), label: 'A location' },
    { ok: Boolean(property.monthly_price), label: 'A monthly price' },
    { ok: property.rooms.length > 0, label: 'At least one room' },
    { ok: property.photos.length > 0, label: 'Photos (recommended)' },
  ]
  const toggle = useMutation({
    mutationFn: () => (property.status === 'published' ? unpublishProperty(property.id) : publishProperty(property.id)),
    onSuccess: (updated) => {
      client.setQueryData(['property', updated.id], updated)
      client.invalidateQueries({ queryKey: ['my-properties'] })
    },
  })
  const missing = toggle.error instanceof ApiError ? toggle.error.fieldErrors() : {}
  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <List spacing={4}>
          {checks.map((check) => (
            <List.Item key={check.label}>
              {check.ok ? '✓' : '✗'} {check.label}
              <VisuallyHidden component="span">{check.ok ? ' (done)' : ' (missing)'}</VisuallyHidden>
            </List.Item>
          ))}
        </List>
        {toggle.error ? (
          <Alert color="red" role="alert" title="Not published">
            {toggle.error.message}
            {Object.keys(missing).length > 0 && (
              <List mt="xs">
                {Object.entries(missing).map(([field, messages]) => (
                  <List.Item key={field}>
                    {humanize(field)}: {messages.join(' ')}
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        ) : null}
        {property.status === 'published' && (
          <Alert color="green" role="status" title="Published">
            Tenants can find and book it. <Link to={`/listings/${property.id}`}>See the public page</Link>.
          </Alert>
        )}
        <Group>
          <Button onClick={() => toggle.mutate()} loading={toggle.isPending} color={property.status === 'published' ? 'gray' : 'blue'}>
            {property.status === 'published' ? 'Unpublish' : 'Publish'}
          </Button>
          <Button component={Link} to="/landlord/properties" variant="subtle">
            Back to my properties
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}
