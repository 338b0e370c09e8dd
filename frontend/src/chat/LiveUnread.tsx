// Keeps the tab's chat socket open while signed in, so the Messages count is live.
import { useChat } from './useChat'

export default function LiveUnread() {
  useChat()
  return null
}
