// Issue #19's rent and visits, in a real browser against the real platform: a landlord
// adds a lease by hand for a tenant (who gives their tenant ID); the tenant pays the
// first invoice in part, then the rest, on the dev payment page (rent's simulator sends
// Stripe's signed webhook), downloads a receipt, saves a card and turns autopay on; the
// landlord's rent roll shows the invoice collected and downloads as CSV. Then a tenant in
// another time zone asks for a viewing on the listing's slot picker and the landlord
// confirms it on the week calendar; the tenant adds it to a calendar and gets the feed.
// Every page is checked with axe-core and photographed at 390×844 and 1440×900.
import { readFileSync } from 'node:fs'
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { ARTIFACTS, checkPage, newUser, publishedListing, registerUi, RUN } from './helpers'

test.describe.configure({ mode: 'serial' })

const TITLE = `Rent and visits flat ${RUN}`
let landlord: { context: BrowserContext; page: Page }
let tenant: { context: BrowserContext; page: Page }
let propertyId = ''
let tenantId = ''

test.afterAll(async () => {
  await landlord?.context.close()
  await tenant?.context.close()
})

async function download(page: Page, click: () => Promise<void>, name: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()])
  const path = `${ARTIFACTS}/downloads/${name}`
  await file.saveAs(path)
  return readFileSync(path)
}

test('a landlord adds a lease; the tenant pays in part, then the rest, and gets a receipt', async ({ browser }) => {
  landlord = await newUser(browser)
  await registerUi(landlord.page, 'landlord', 'Lina Landlord')
  propertyId = await publishedListing(landlord.page, TITLE)

  // The tenant lives in Berlin (their profile's zone, from the browser at sign-up).
  tenant = await newUser(browser, { timezoneId: 'Europe/Berlin' })
  const t = tenant.page
  await registerUi(t, 'tenant', 'Tara Tenant')
  await t.goto('/rent')
  await expect(t.getByRole('heading', { name: 'No leases yet' })).toBeVisible()
  tenantId = (await t.locator('code').first().textContent())!.trim()
  expect(tenantId).not.toBe('')
  await checkPage(t, 'my-rent-empty')

  // The landlord's lease form: field errors first, then the lease.
  const l = landlord.page
  await l.goto('/landlord/rent')
  await checkPage(l, 'rent-roll-empty')
  await l.getByRole('tab', { name: 'Leases' }).click()
  await l.getByRole('button', { name: 'New lease' }).click()
  const form = l.getByRole('dialog', { name: 'New lease' })
  await form.getByLabel('Property').selectOption({ label: TITLE })
  await form.getByRole('button', { name: 'Create lease' }).click()
  await expect(form.getByText("Enter the tenant's ID (on their Rent page).")).toBeVisible()
  await form.getByLabel('Tenant ID').fill(tenantId)
  await form.getByLabel('Monthly rent').fill('12000')
  await checkPage(l, 'lease-form')
  // rent_service learns of the listing from property-events within a second or two.
  await expect(async () => {
    await form.getByRole('button', { name: 'Create lease' }).click()
    await expect(form).toBeHidden({ timeout: 3000 })
  }).toPass({ timeout: 45_000 })
  // The tenant's name once rent_service has it (its users consumer), their ID until then.
  const leaseRow = l.locator('[data-lease-id]').filter({ hasText: new RegExp(`^(Tara Tenant|Tenant ${tenantId})`) })
  await expect(leaseRow).toBeVisible()
  await checkPage(l, 'landlord-leases')

  // The tenant sees the lease and its first invoice, and pays part of it.
  await t.goto('/rent')
  const lease = t.locator('[data-lease-id]')
  await expect(lease.getByRole('heading', { name: TITLE })).toBeVisible()
  const invoice = lease.locator('[data-invoice-id]').first()
  await expect(invoice.locator('[data-status="open"]')).toBeVisible()
  await checkPage(t, 'my-rent')
  await invoice.getByRole('button', { name: 'Pay' }).click()
  const pay = t.getByRole('dialog', { name: 'Pay this invoice' })
  await pay.getByLabel('Another amount').check()
  await pay.getByLabel('Amount (INR)').fill('12.345')
  await expect(pay.getByText('Enter an amount above zero, with at most two decimals.')).toBeVisible()
  await pay.getByLabel('Amount (INR)').fill('5,000')
  await checkPage(t, 'pay-dialog')
  await pay.getByRole('button', { name: /^Pay .*5,000/ }).click()
  await expect(t).toHaveURL(/\/dev\/rent-checkout\//)
  await expect(t.getByRole('heading', { name: 'Pay your rent' })).toBeVisible()
  await checkPage(t, 'rent-checkout')
  await t.getByRole('button', { name: /^Pay / }).click()
  await expect(t).toHaveURL(/\/rent\?paid=/)
  await expect(t.getByTestId('rent-paid')).toBeVisible()
  const partly = lease.locator('[data-invoice-id]').first()
  await expect(partly.locator('[data-status="partially_paid"]')).toBeVisible()
  await expect(partly.getByTestId('invoice-balance')).toContainText('7,000')
  await checkPage(t, 'my-rent-partly-paid')

  // The keyboard alone: the dialog opens with Enter, closes with Escape, and focus
  // returns to the button that opened it.
  const payButton = partly.getByRole('button', { name: 'Pay' })
  await payButton.focus()
  await t.keyboard.press('Enter')
  await expect(t.getByRole('dialog', { name: 'Pay this invoice' })).toBeVisible()
  await t.keyboard.press('Escape')
  await expect(t.getByRole('dialog', { name: 'Pay this invoice' })).toBeHidden()
  await expect(payButton).toBeFocused()

  // The rest: the full balance (the dialog's default).
  await payButton.click()
  await t.getByRole('dialog', { name: 'Pay this invoice' }).getByRole('button', { name: /^Pay .*7,000/ }).click()
  await expect(t).toHaveURL(/\/dev\/rent-checkout\//)
  await t.getByRole('button', { name: /^Pay / }).click()
  await expect(t).toHaveURL(/\/rent\?paid=/)
  await expect(lease.getByText('Nothing to pay right now.')).toBeVisible()
  await expect(lease.locator('[data-invoice-id] [data-status="paid"]')).toHaveCount(1)
  await expect(lease.locator('[data-payment-status="succeeded"]')).toHaveCount(2)

  // A receipt, as a PDF.
  const pdf = await download(t, () => lease.getByRole('button', { name: 'Receipt (PDF)' }).first().click(), 'receipt.pdf')
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')

  // A saved card (Stripe's test Visa on this machine) and autopay on.
  await lease.getByRole('button', { name: 'Save a card' }).click()
  await lease.getByRole('button', { name: 'Save the test Visa card' }).click()
  await expect(lease.getByText('A card is saved for this lease.')).toBeVisible()
  const autopay = lease.getByLabel('Autopay: charge the saved card on each due date')
  await autopay.click({ force: true })
  await expect(autopay).toBeChecked()
  await checkPage(t, 'my-rent-paid')
})

test("the landlord's rent roll shows the invoice collected, as a chart and a CSV", async () => {
  const l = landlord.page
  await l.goto('/landlord/rent')
  // The tenant's name when rent has it (its users consumer; the test platform runs none):
  // their ID otherwise.
  const row = l.locator('[data-roll-invoice]').filter({ hasText: new RegExp(`^(Tara Tenant|${tenantId})`) })
  await expect(row.locator('[data-status="paid"]')).toBeVisible()
  await expect(l.getByTestId('roll-collected').first()).toContainText('12,000')
  await expect(l.getByTestId('roll-outstanding').first()).toContainText('0')
  await expect(l.getByRole('img', { name: /Collected and outstanding rent/ })).toBeVisible()
  await checkPage(l, 'rent-roll')
  const csv = await download(l, () => l.getByRole('button', { name: 'Download CSV' }).click(), 'rent-roll.csv')
  expect(csv.toString()).toContain('TOTAL')
  expect(csv.toString()).toContain('12000.00')
})

test('a tenant asks for a viewing in the property time; the landlord confirms it', async () => {
  const l = landlord.page
  await l.goto(`/landlord/visits?property=${propertyId}`)
  await l.getByRole('tab', { name: 'Viewing hours' }).click()
  await expect(async () => {
    if (await l.getByText('Not ready yet').isVisible()) await l.reload()
    await expect(l.getByRole('button', { name: 'Every day, 9:00–18:00' })).toBeVisible({ timeout: 3000 })
  }).toPass({ timeout: 45_000 })
  await l.getByRole('button', { name: 'Every day, 9:00–18:00' }).click()
  await expect(l.locator('[data-weekly-row]')).toHaveCount(7)
  await l.getByRole('button', { name: 'Save viewing hours' }).click()
  await expect(l.getByRole('status').filter({ hasText: 'Tenants see the new viewing times now.' })).toBeVisible()
  await checkPage(l, 'visit-hours')

  // The tenant (Berlin) sees Bengaluru's times, with their own beside them.
  const t = tenant.page
  await t.goto(`/listings/${propertyId}`)
  const picker = t.getByTestId('slot-picker')
  await expect(picker).toBeVisible()
  await expect(picker).toContainText('Asia/Kolkata')
  await expect(picker).toContainText('yours (Europe/Berlin)')
  await picker.getByRole('group', { name: /^Times on/ }).locator('label').first().click()
  await checkPage(t, 'listing-slots')
  await picker.getByRole('button', { name: /^Request this viewing: / }).click()
  await expect(t.getByTestId('visit-requested')).toContainText('Viewing requested')
  await checkPage(t, 'listing-visit-requested')
  await t.goto('/visits')
  const visit = t.locator('[data-visit-id]')
  await expect(visit.locator('[data-status="PENDING"]')).toBeVisible()
  await expect(visit).toContainText('your time')
  await checkPage(t, 'my-visits')

  // The landlord's week calendar: the request, to confirm.
  await l.goto(`/landlord/visits?property=${propertyId}`)
  const request = l.locator('[data-visit-id]')
  // It opens on the week of the next request awaiting an answer.
  await expect(l.getByText('1 awaiting your answer')).toBeVisible()
  await expect(request).toBeVisible()
  await checkPage(l, 'landlord-visits')
  await request.getByRole('button', { name: 'Confirm' }).click()
  await expect(request.locator('[data-status="CONFIRMED"]')).toBeVisible()

  // The tenant sees it confirmed, adds it to a calendar, gets the private feed.
  await t.reload()
  await expect(visit.locator('[data-status="CONFIRMED"]')).toBeVisible()
  const ics = await download(t, () => visit.getByRole('button', { name: 'Add to calendar (.ics)' }).click(), 'visit.ics')
  expect(ics.toString()).toContain('BEGIN:VCALENDAR')
  expect(ics.toString()).toContain('STATUS:CONFIRMED')
  await t.getByRole('button', { name: 'Get my feed address' }).click()
  await expect(t.getByTestId('feed-url')).toHaveValue(/\/api\/visits\/feeds\/.+\.ics$/)
  await checkPage(t, 'my-visits-confirmed')
})

test('the tenant moves the viewing, then cancels it; the landlord declines the next request', async () => {
  const t = tenant.page
  const l = landlord.page
  await t.goto('/visits')
  const visit = t.locator('[data-visit-id]')
  await expect(visit).toHaveCount(1)
  const id = await visit.getAttribute('data-visit-id')
  const was = await visit.textContent()

  // Moved by the tenant: the same visit at another time, back to awaiting the landlord.
  await visit.getByRole('button', { name: 'Reschedule' }).click()
  const move = t.getByRole('dialog', { name: 'Move this visit' })
  await move.getByRole('group', { name: /^Times on/ }).locator('label').nth(1).click()
  await checkPage(t, 'visit-reschedule')
  await move.getByRole('button', { name: /^Move to: / }).click()
  await expect(move).toBeHidden()
  await expect(visit).toHaveAttribute('data-visit-id', id!)
  await expect(visit.locator('[data-status="PENDING"]')).toBeVisible()
  await expect(visit).not.toHaveText(was!)

  // Cancelled by the tenant: a reason is required.
  await visit.getByRole('button', { name: 'Cancel visit' }).click()
  const cancel = t.getByRole('dialog', { name: 'Cancel this visit?' })
  await expect(cancel.getByRole('button', { name: 'Cancel visit' })).toBeDisabled()
  await cancel.getByLabel('Reason').fill('Found another place')
  await cancel.getByRole('button', { name: 'Cancel visit' }).click()
  await expect(visit.locator('[data-status="CANCELLED"]')).toBeVisible()
  await expect(visit.getByRole('button', { name: 'Reschedule' })).toHaveCount(0)

  // A new request, declined by the landlord on the week calendar.
  await t.goto(`/listings/${propertyId}`)
  const picker = t.getByTestId('slot-picker')
  await picker.getByRole('group', { name: /^Times on/ }).locator('label').first().click()
  await picker.getByRole('button', { name: /^Request this viewing: / }).click()
  await expect(t.getByTestId('visit-requested')).toContainText('Viewing requested')
  await l.goto(`/landlord/visits?property=${propertyId}`)
  const pending = l.locator('[data-visit-id]').filter({ has: l.locator('[data-status="PENDING"]') })
  await expect(pending).toHaveCount(1)
  await pending.getByRole('button', { name: 'Decline' }).click()
  const decline = l.getByRole('dialog', { name: 'Decline this request?' })
  await decline.getByLabel('Reason (optional)').fill('Away that day')
  await decline.getByRole('button', { name: 'Decline' }).click()
  await expect(l.locator('[data-status="DECLINED"]')).toBeVisible()
  await checkPage(l, 'landlord-visit-declined')
  await t.goto('/visits')
  await expect(t.locator('[data-status="DECLINED"]')).toBeVisible()
  await expect(t.locator('[data-status="CANCELLED"]')).toBeVisible()
})
