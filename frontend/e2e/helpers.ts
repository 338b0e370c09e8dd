import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { expect, type Browser, type Page } from '@playwright/test'

const require = createRequire(import.meta.url)
const AXE = require.resolve('axe-core/axe.min.js')
export const ARTIFACTS = process.env.WEB_ARTIFACTS ?? '../.rentezy/test-artifacts/web'
export const PASSWORD = 'e2e-Browser-pass-2026'
export const RUN = Math.random().toString(36).slice(2, 8)
export const SIZES = {
  phone: { width: 390, height: 844 },
  laptop: { width: 1440, height: 900 },
} as const

/** A distinct client address per user: the test gateway trusts one proxy hop, as a
 * load balancer in front of it would, so per-IP limits count per user. */
function clientIp(): string {
  const n = () => Math.floor(Math.random() * 250) + 1
  return `198.18.${n()}.${n()}`
}

export async function newUser(browser: Browser, options: { timezoneId?: string } = {}) {
  // bypassCSP: axe-core is injected as a script tag, which the app's CSP rightly refuses.
  const context = await browser.newContext({
    extraHTTPHeaders: { 'X-Forwarded-For': clientIp() },
    bypassCSP: true,
    acceptDownloads: true,
    ...options,
  })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`))
  return { context, page }
}

/** The quality gates of a page, at both sizes: no serious or critical axe-core
 * violation, and a screenshot of each (test artifacts). */
export async function checkPage(page: Page, name: string): Promise<void> {
  const dir = `${ARTIFACTS}/screenshots`
  mkdirSync(dir, { recursive: true })
  const original = page.viewportSize()
  for (const [label, size] of Object.entries(SIZES)) {
    await page.setViewportSize(size)
    await page.waitForTimeout(250)
    await page.screenshot({ path: `${dir}/${name}-${label}.png`, fullPage: true })
    await page.addScriptTag({ path: AXE })
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (c?: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe
      const result = await axe.run()
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`)
    })
    expect(violations, `axe on ${name} at ${label}`).toEqual([])
  }
  if (original) await page.setViewportSize(original)
}

export function inDays(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000)
  return d.toISOString().slice(0, 10)
}

export async function registerUi(page: Page, role: 'tenant' | 'landlord', name: string): Promise<string> {
  const email = `${role}-${RUN}-${Math.random().toString(36).slice(2, 7)}@example.com`
  await page.goto('/register')
  await page.getByLabel(role === 'landlord' ? 'List my property (landlord)' : 'Rent a place (tenant)').check()
  await page.getByLabel('Full name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.locator('input[autocomplete="new-password"]').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByRole('link', { name: `Account of ${name}` })).toBeVisible()
  return email
}

/** A small JPEG (a real image the property service decodes), made in the page. */
export async function jpeg(page: Page): Promise<Buffer> {
  const data = await page.evaluate(() => {
    const canvas = document.createElement('canvas')
    canvas.width = 320
    canvas.height = 240
    const ctx = canvas.getContext('2d')!
    ctx.fillStyle = '#7db7e8'
    ctx.fillRect(0, 0, 320, 160)
    ctx.fillStyle = '#4c9a4c'
    ctx.fillRect(0, 160, 320, 80)
    ctx.fillStyle = '#e8c39e'
    ctx.fillRect(100, 100, 120, 90)
    return canvas.toDataURL('image/jpeg', 0.8).split(',')[1]!
  })
  return Buffer.from(data, 'base64')
}

/** Call the API as the page's user, for set-up a test does not test (a listing it needs):
 * a fresh access token from the session cookie, as the app itself gets one. */
export async function apiAs<T = unknown>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ({ method, path, body }) => {
      const session = await fetch('/api/session/refresh', { method: 'POST', headers: { 'X-CSRF': '1' } })
      const { access } = (await session.json()) as { access: string }
      const response = await fetch(path, {
        method,
        headers: {
          Authorization: `Bearer ${access}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': crypto.randomUUID(),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: response.status, text: await response.text() }
    },
    { method, path, body },
  )
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`)
  return (answer.text ? JSON.parse(answer.text) : undefined) as T
}

/** A published listing with one room, made through the API: its id. */
export async function publishedListing(page: Page, title: string): Promise<string> {
  const property = await apiAs<{ id: string }>(page, 'POST', '/api/properties/', {
    title,
    description: 'Bright rooms in a quiet flat, five minutes from the metro.',
    property_type: 'apartment',
    address: {
      line1: '4 Residency Road', line2: '', locality: 'Richmond Town', city: 'Bengaluru',
      state: 'Karnataka', postal_code: '560025', country: 'IN',
    },
    location: { lat: 12.9656, lon: 77.601 },
    currency: 'INR',
    monthly_price: '12000.00',
    deposit: '24000.00',
    bedrooms: 2,
    bathrooms: 1,
    furnished: true,
    amenities: ['wifi'],
    house_rules: '',
  })
  await apiAs(page, 'POST', `/api/properties/${property.id}/rooms/`, {
    name: 'Twin room', total_units: 1, monthly_price: '12000.00',
  })
  await apiAs(page, 'POST', `/api/properties/${property.id}/publish/`)
  return property.id
}
