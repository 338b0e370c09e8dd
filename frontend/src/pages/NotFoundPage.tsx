import { NotFoundContent } from '../components/common'
import { usePageTitle } from '../lib/usePageTitle'

export default function NotFoundPage() {
  usePageTitle('Not found')
  return <NotFoundContent />
}
