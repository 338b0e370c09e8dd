import { Navigate } from 'react-router'

/** `/chat`, the address the platform's brief names, is the Messages page. */
export default function ChatRedirect() {
  return <Navigate to="/messages" replace />
}
