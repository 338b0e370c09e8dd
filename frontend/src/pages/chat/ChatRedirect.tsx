import { Navigate, useSearchParams } from 'react-router'

/** `/chat`, the address the platform's brief names, is the Messages page;
 * `/chat?conversation=<id>` (links in emails sent before the pages had their own
 * addresses) opens that conversation. */
export default function ChatRedirect() {
  const [params] = useSearchParams()
  const conversation = params.get('conversation')
  return <Navigate to={conversation ? `/messages/${encodeURIComponent(conversation)}` : '/messages'} replace />
}
