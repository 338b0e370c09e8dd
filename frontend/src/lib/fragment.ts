// Secret tokens of emailed links travel in the URL fragment (`/account/reset-password#token=…`):
// a browser never sends a fragment, so no server logs it (docs/services/auth.md).

/** The token of a fragment ("#token=abc", "token=abc&x=1"), or null when absent or empty. */
export function tokenFromFragment(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash)
  const token = params.get('token')?.trim()
  return token ? token : null
}
