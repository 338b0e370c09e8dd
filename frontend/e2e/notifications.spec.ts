// Issue #19's notifications and account recovery, in a real browser against the real
// platform. (1) A tenant asks for a viewing and the landlord confirms it, each in a
// browser context of their own: each bell's count goes up live, without a reload; the
// inbox shows the item and its link leads to the visits page; read, mark all read and
// archive work; a preference is saved. (2) Password reset through the dev mailbox (the
// email read over HTTP, its link opened in the browser), the new password signs in and
// the old one no longer does; the confirmation link of the registration email; bad and
// missing tokens. Every page is checked with axe-core and photographed at both sizes.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { checkPage, newUser, PASSWORD, publishedListing, registerUi, RUN } from './helpers'

test.describe.configure({ mode: 'serial' })

const MAILBOX = process.env.MAILBOX_URL ?? 'http://127.0.0.1:8025'
const TITLE = `Notified flat ${RUN}`
let landlord: { context: BrowserContext; page: Page }
let tenant: { context: BrowserContext; page: Page }

test.afterAll(async () => {
  await landlord?.context.close()
  await tenant?.context.close()
})

const bell = (page: Page) => page.getByTestId('bell')

/** The link of the newest email to `to` whose subject has `subject`, read from the dev
 * mailbox over HTTP (its JSON list, then the email's page with the text part). */
async function mailedLink(to: string, subject: string, path: string): Promise<string> {
  let link = ''
  await expect(async () => {
    const list = (await (await fetch(`${MAILBOX}/api/messages`)).json()) as { id: string; to: string; subject: string }[]
    const mail = list.find((m) => m.to.includes(to) && m.subject.includes(subject))
    expect(mail, `an email "${subject}" to ${to}`).toBeTruthy()
    const html = await (await fetch(`${MAILBOX}/message/${encodeURIComponent(mail!.id)}`)).text()
    const found = html.match(new RegExp(`https?://[^\\s"'<>]+${path}#token=[A-Za-z0-9_-]+`))
    expect(found, `a ${path} link in the email`).toBeTruthy()
    link = found![0]
  }).toPass({ timeout: 90_000, intervals: [1000, 2000] })
  return link
}

test('both bells count live; the inbox reads, archives and links to the visit; preferences save', async ({ browser }) => {
  landlord = await newUser(browser)
  const l = landlord.page
  await registerUi(l, 'landlord', 'Nora Landlord')
  const propertyId = await publishedListing(l, TITLE)
  tenant = await newUser(browser)
  const t = tenant.page
  await registerUi(t, 'tenant', 'Tomas Tenant')

  // The welcome message reaches each bell live (user.registered through Kafka).
  await expect(bell(l)).toHaveAttribute('data-unread', '1', { timeout: 60_000 })
  await expect(bell(t)).toHaveAttribute('data-unread', '1', { timeout: 60_000 })
  await expect(bell(t)).toHaveAccessibleName('Notifications, 1 unread')

  // The landlord's inbox: the welcome; mark all read empties the bell.
  await l.goto('/notifications')
  await expect(l.locator('[data-kind="user.welcome"]')).toBeVisible()
  await checkPage(l, 'notifications-inbox')
  await l.getByRole('button', { name: 'Mark all read' }).click()
  await expect(bell(l)).toHaveAttribute('data-unread', '0')
  await expect(l.locator('[data-kind="user.welcome"]')).toHaveAttribute('data-read', 'true')

  // Viewing hours, then the tenant asks for a viewing (as in rent-visits.spec.ts).
  await l.goto(`/landlord/visits?property=${propertyId}`)
  await l.getByRole('tab', { name: 'Viewing hours' }).click()
  await expect(async () => {
    if (await l.getByText('Not ready yet').isVisible()) await l.reload()
    await expect(l.getByRole('button', { name: 'Every day, 9:00–18:00' })).toBeVisible({ timeout: 3000 })
  }).toPass({ timeout: 45_000 })
  await l.getByRole('button', { name: 'Every day, 9:00–18:00' }).click()
  await l.getByRole('button', { name: 'Save viewing hours' }).click()
  await expect(l.getByRole('status').filter({ hasText: 'Tenants see the new viewing times now.' })).toBeVisible()
  await l.goto('/notifications')
  await expect(l.locator('[data-kind="user.welcome"]')).toBeVisible()

  await t.goto(`/listings/${propertyId}`)
  const picker = t.getByTestId('slot-picker')
  await picker.getByRole('group', { name: /^Times on/ }).locator('label').first().click()
  await picker.getByRole('button', { name: /^Request this viewing: / }).click()
  await expect(t.getByTestId('visit-requested')).toContainText('Viewing requested')

  // The landlord's open inbox: the bell and the list move without a reload.
  const requested = l.locator('[data-kind="visit.requested.landlord"]')
  await expect(bell(l)).toHaveAttribute('data-unread', '1', { timeout: 60_000 })
  await expect(requested).toBeVisible()
  await expect(requested).toContainText(`Visit requested: ${TITLE}`)
  await expect(requested).toContainText('Tomas Tenant would like to visit')
  // The bell's drawer: the latest, and the link to the landlord's calendar.
  await bell(l).click()
  const panel = l.getByTestId('bell-panel')
  await expect(panel.locator('[data-kind="visit.requested.landlord"]')).toBeVisible()
  await checkPage(l, 'notifications-bell-drawer')
  await panel.getByRole('link', { name: `Visit requested: ${TITLE}` }).click()
  await expect(l).toHaveURL(/\/landlord\/visits$/)
  await expect(bell(l)).toHaveAttribute('data-unread', '0')
  const request = l.locator('[data-visit-id]')
  await request.getByRole('button', { name: 'Confirm' }).click()
  await expect(request.locator('[data-status="CONFIRMED"]')).toBeVisible()

  // The tenant's bell (welcome still unread) goes to 2 where they are, without a reload.
  await expect(bell(t)).toHaveAttribute('data-unread', '2', { timeout: 60_000 })
  await t.goto('/notifications')
  const confirmed = t.locator('[data-kind="visit.confirmed.tenant"]')
  await expect(confirmed).toContainText(`Visit confirmed: ${TITLE}`)
  await expect(confirmed).toHaveAttribute('data-read', 'false')
  await checkPage(t, 'notifications-inbox-tenant')
  // Unread only, then read one, then archive the other.
  await t.getByText('Unread', { exact: true }).click()
  await expect(t).toHaveURL(/show=unread/)
  await expect(t.locator('[data-notification-id]')).toHaveCount(2)
  const welcome = t.locator('[data-kind="user.welcome"]')
  await welcome.getByRole('button', { name: 'Mark read' }).click()
  await expect(bell(t)).toHaveAttribute('data-unread', '1')
  await t.getByText('All', { exact: true }).click()
  await expect(welcome).toHaveAttribute('data-read', 'true')
  // Its link leads to the visit, and reading it counts.
  await confirmed.getByRole('link', { name: `Visit confirmed: ${TITLE}` }).click()
  await expect(t).toHaveURL(/\/visits$/)
  await expect(t.locator('[data-visit-id]').locator('[data-status="CONFIRMED"]')).toBeVisible()
  await expect(bell(t)).toHaveAttribute('data-unread', '0')
  await t.goBack()
  await confirmed.getByRole('button', { name: `Archive: Visit confirmed: ${TITLE}` }).click()
  await expect(confirmed).toHaveCount(0)
  await expect(welcome).toBeVisible()

  // Preferences: security locked on; bookings email off, saved, still off after a reload.
  await t.getByRole('link', { name: 'Preferences' }).click()
  await expect(t).toHaveURL(/\/notifications\/preferences$/)
  const security = t.locator('[data-category="security"]')
  await expect(security.getByRole('switch', { name: 'Email' })).toBeDisabled()
  await expect(security.getByRole('switch', { name: 'Email' })).toBeChecked()
  const bookingsEmail = t.locator('[data-category="bookings"]').getByRole('switch', { name: 'Email' })
  await expect(bookingsEmail).toBeChecked()
  await bookingsEmail.uncheck({ force: true })
  await t.getByRole('button', { name: 'Save preferences' }).click()
  await expect(t.getByRole('status').filter({ hasText: 'Preferences saved.' })).toBeVisible()
  await checkPage(t, 'notifications-preferences')
  await t.reload()
  await expect(t.locator('[data-category="bookings"]').getByRole('switch', { name: 'Email' })).not.toBeChecked()
  await expect(t.locator('[data-category="bookings"]').getByRole('switch', { name: 'In the app' })).toBeChecked()
})

test('a password is reset through the emailed link; the old one stops working; the email is confirmed', async ({ browser }) => {
  const { context, page } = await newUser(browser)
  try {
    const email = await registerUi(page, 'tenant', 'Rita Recover')

    // The registration email's confirmation link.
    const confirm = await mailedLink(email, 'Confirm your email address', '/account/confirm-email')
    await page.goto(confirm)
    await expect(page.getByTestId('email-confirmed')).toContainText(`${email} is confirmed`)
    await expect(page).toHaveURL(/\/account\/confirm-email$/) // the token is out of the address bar
    await checkPage(page, 'confirm-email')
    await page.goto('/')
    await page.goto(confirm) // spent
    await expect(page.getByTestId('bad-link')).toBeVisible()

    // Forgot password, from the sign-in page.
    await page.goto('/account')
    await page.getByRole('button', { name: 'Sign out' }).last().click()
    await page.goto('/login')
    await page.getByRole('link', { name: 'Forgot password?' }).click()
    await expect(page).toHaveURL(/\/account\/forgot-password$/)
    await checkPage(page, 'forgot-password')
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Send the link' }).click()
    await expect(page.getByTestId('reset-requested')).toContainText(`If an account uses ${email}`)
    await checkPage(page, 'forgot-password-sent')
    // An unknown address gets the very same answer.
    await page.goto('/account/forgot-password')
    await page.getByLabel('Email').fill(`nobody-${RUN}@example.com`)
    await page.getByRole('button', { name: 'Send the link' }).click()
    await expect(page.getByTestId('reset-requested')).toContainText('If an account uses nobody-')

    const reset = await mailedLink(email, 'Reset your RentEzy password', '/account/reset-password')
    await page.goto(reset)
    await expect(page).toHaveURL(/\/account\/reset-password$/)
    const fresh = `${PASSWORD}-new`
    await page.getByLabel('New password').first().fill(fresh)
    await page.getByLabel('New password again').fill(`${fresh}x`)
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await expect(page.getByText('The two passwords differ.')).toBeVisible()
    await checkPage(page, 'reset-password')
    await page.getByLabel('New password again').fill(fresh)
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await expect(page.getByTestId('reset-done')).toBeVisible()
    await checkPage(page, 'reset-password-done')
    await page.getByTestId('reset-done').getByRole('link', { name: 'Sign in' }).click()

    // The old password fails, the new one signs in.
    await expect(page).toHaveURL(/\/login$/)
    await page.getByLabel('Email').fill(email)
    await page.locator('input[autocomplete="current-password"]').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('alert').first()).toBeVisible()
    await expect(page).toHaveURL(/\/login$/)
    await page.locator('input[autocomplete="current-password"]').fill(fresh)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('link', { name: 'Account of Rita Recover' })).toBeVisible()

    // The used link, a made-up token and a link without one: a clear message each.
    await page.goto(reset)
    await expect(page.getByTestId('reset-done')).toHaveCount(0)
    await page.getByLabel('New password').first().fill(fresh + '2')
    await page.getByLabel('New password again').fill(fresh + '2')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await expect(page.getByTestId('bad-link')).toContainText('expired or was already used')
    await checkPage(page, 'reset-password-bad-link')
    await page.goto('/account/reset-password')
    await expect(page.getByTestId('bad-link')).toBeVisible()
    await page.goto('/account/confirm-email#token=made-up-token')
    await expect(page.getByTestId('bad-link')).toBeVisible()
  } finally {
    await context.close()
  }
})
