// bench/web: the search page's performance budget in Chromium against a running platform.
//   first-load JS (gzip bytes actually transferred), largest contentful paint, and
//   search-as-you-type: a keystroke to the results for the new text on screen.
// Usage: node measure.mjs BASE_URL RUNS KEYSTROKES  (prints one JSON object)
import { chromium } from '../../frontend/node_modules/playwright-core/index.mjs'

const [base = 'http://127.0.0.1:8000', runs = '7', strokes = '40'] = process.argv.slice(2)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking'],
})
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]

async function firstLoad(viewport) {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  // The budget is in gzip: ask for gzip (Chromium would take Brotli, smaller still).
  await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'gzip' } })
  const js = new Map()
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') js.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] })
  })
  cdp.on('Network.loadingFinished', (e) => {
    const entry = js.get(e.requestId)
    if (entry) entry.bytes = e.encodedDataLength
  })
  await page.addInitScript(() => {
    window.__lcp = 0
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__lcp = entry.startTime
    }).observe({ type: 'largest-contentful-paint', buffered: true })
  })
  await page.goto(base + '/', { waitUntil: 'networkidle' })
  await page.waitForSelector('[data-listing-id]')
  await page.waitForTimeout(300)
  // LCP is final once the user interacts: read it before any input.
  const lcp = await page.evaluate(() => window.__lcp)
  const scripts = [...js.values()]
  await context.close()
  return {
    lcp,
    jsBytes: scripts.reduce((n, s) => n + (s.bytes ?? 0), 0),
    scripts: scripts.map((s) => ({ file: s.url.split('/').pop(), bytes: s.bytes, encoding: s.encoding })),
  }
}

async function typing(count) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  await page.goto(base + '/', { waitUntil: 'networkidle' })
  await page.waitForSelector('[data-listing-id]')
  // keep every request's timing (the default buffer holds 250, images included)
  await page.evaluate(() => performance.setResourceTimingBufferSize(100000))
  const input = page.getByTestId('search-input')
  await input.click()
  const words = ['sunny flat near cubbon park', 'quiet 2bhk in koramangala', 'studio near the metro', 'villa with pool in powai']
  const samples = []
  let typed = ''
  let w = 0
  while (samples.length < count) {
    const word = words[w++ % words.length]
    await input.fill('')
    typed = ''
    await page.waitForTimeout(150)
    for (const ch of word) {
      if (samples.length >= count) break
      typed += ch
      const expected = typed.trim() ? typed : ''
      // Measured in the page: from the keydown event's timestamp to the moment the
      // results list says it shows the results for the new text.
      const wait = page.evaluate((want) => new Promise((resolve) => {
        const start = { t: 0 }
        const onKey = (e) => { start.t = e.timeStamp }
        window.addEventListener('keydown', onKey, { once: true, capture: true })
        const done = () => {
          const el = document.querySelector('[data-testid=results]')
          if (el && el.getAttribute('data-results-for') === want && start.t) {
            observer.disconnect()
            const now = performance.now()
            // The search request this keystroke started: its response's last byte splits
            // the time into the platform's part and the page's (parse + render).
            const fetched = performance.getEntriesByType('resource')
              .filter((r) => r.name.includes('/api/search/properties') && r.startTime >= start.t && r.responseEnd <= now)
              .pop()
            resolve({ total: now - start.t, network: fetched ? fetched.responseEnd - start.t : null })
          }
        }
        const observer = new MutationObserver(done)
        observer.observe(document.body, { subtree: true, attributes: true, childList: true })
        setTimeout(() => { observer.disconnect(); resolve(null) }, 5000)
      }), expected)
      await page.keyboard.type(ch)
      const sample = await wait
      if (sample) samples.push(sample)
      await page.waitForTimeout(120)
    }
  }
  await context.close()
  return samples
}

const loads = []
for (let i = 0; i < Number(runs); i++) loads.push(await firstLoad({ width: 1440, height: 900 }))
const phone = await firstLoad({ width: 390, height: 844 })
const typed = await typing(Number(strokes))
const keys = typed.map((s) => s.total)
const split = typed.filter((s) => s.network !== null)
const network = split.map((s) => s.network)
const render = split.map((s) => s.total - s.network)
await browser.close()
console.log(JSON.stringify({
  runs: loads.length,
  lcp_ms: loads.map((l) => Math.round(l.lcp)),
  lcp_median_ms: Math.round(median(loads.map((l) => l.lcp))),
  js_gzip_bytes_desktop: loads[0].jsBytes,
  js_gzip_bytes_phone: phone.jsBytes,
  scripts_desktop: loads[0].scripts,
  scripts_phone: phone.scripts,
  keystrokes: keys.length,
  keystroke_median_ms: Math.round(median(keys)),
  keystroke_p95_ms: Math.round(pct(keys, 95)),
  keystroke_max_ms: Math.round(Math.max(...keys)),
  // keydown → the search response's last byte (the platform), and from there to the
  // results on screen (the page: JSON parse and React render), over the keystrokes whose
  // request the page's resource timing names
  keystroke_split: split.length,
  keystroke_network_median_ms: Math.round(median(network)),
  keystroke_network_p95_ms: Math.round(pct(network, 95)),
  keystroke_render_median_ms: Math.round(median(render)),
  keystroke_render_p95_ms: Math.round(pct(render, 95)),
}))
