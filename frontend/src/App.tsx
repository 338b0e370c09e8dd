import { MantineProvider, createTheme, darken, type CSSVariablesResolver } from '@mantine/core'
import { QueryClientProvider } from '@tanstack/react-query'
import { createBrowserRouter, type RouteObject } from 'react-router'
import { RouterProvider } from 'react-router/dom'
import { Layout } from './components/Layout'
import { RouteError } from './components/RouteError'
import OfflinePage from './pages/OfflinePage'
import { SearchPage } from './pages/SearchPage'
import { queryClient } from './queryClient'

export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
})

// WCAG AA contrast (4.5:1) for secondary text: Mantine's dimmed gray is 3.3:1 on white.
const cssVariables: CSSVariablesResolver = (theme) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': theme.colors.gray[7]!,
    '--mantine-color-error': theme.colors.red[9]!,
    // Text of light alerts and badges: their 9th shade, darkened, keeps 4.5:1 on the tint.
    ...Object.fromEntries(
      ['red', 'orange', 'yellow', 'green', 'blue', 'gray'].map((c) => [
        `--mantine-color-${c}-light-color`,
        darken(theme.colors[c]![9]!, 0.3),
      ]),
    ),
  },
  dark: {},
})

// Every page but search (the landing page, in the main bundle for the first paint) is
// its own chunk, loaded when first visited.
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
})

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <SearchPage />, errorElement: <RouteError /> },
      {
        errorElement: <RouteError />,
        children: [
          { path: 'listings/:id', lazy: page(() => import('./pages/ListingPage')) },
          { path: 'listings/:id/book/:roomId', lazy: page(() => import('./pages/BookPage')) },
          { path: 'bookings', lazy: page(() => import('./pages/MyBookingsPage')) },
          { path: 'bookings/:id', lazy: page(() => import('./pages/BookingPage')) },
          { path: 'dev/checkout/:id', lazy: page(() => import('./pages/DevCheckoutPage')) },
          { path: 'rent', lazy: page(() => import('./pages/rent/MyRentPage')) },
          { path: 'dev/rent-checkout/:id', lazy: page(() => import('./pages/rent/DevRentCheckoutPage')) },
          { path: 'visits', lazy: page(() => import('./pages/visits/MyVisitsPage')) },
          { path: 'landlord/rent', lazy: page(() => import('./pages/landlord/LandlordRentPage')) },
          { path: 'landlord/visits', lazy: page(() => import('./pages/landlord/LandlordVisitsPage')) },
          { path: 'messages', lazy: page(() => import('./pages/chat/MessagesPage')) },
          { path: 'messages/:id', lazy: page(() => import('./pages/chat/ConversationPage')) },
          // The address the platform's brief names for chat.
          { path: 'chat', lazy: page(() => import('./pages/chat/ChatRedirect')) },
          { path: 'login', lazy: page(() => import('./pages/LoginPage')) },
          { path: 'register', lazy: page(() => import('./pages/RegisterPage')) },
          { path: 'account', lazy: page(() => import('./pages/AccountPage')) },
          { path: 'account/forgot-password', lazy: page(() => import('./pages/account/ForgotPasswordPage')) },
          { path: 'account/reset-password', lazy: page(() => import('./pages/account/ResetPasswordPage')) },
          { path: 'account/confirm-email', lazy: page(() => import('./pages/account/ConfirmEmailPage')) },
          { path: 'notifications', lazy: page(() => import('./pages/notifications/NotificationsPage')) },
          {
            path: 'notifications/preferences',
            lazy: page(() => import('./pages/notifications/PreferencesPage')),
          },
          {
            path: 'landlord/properties',
            lazy: page(() => import('./pages/landlord/PropertiesPage')),
          },
          {
            path: 'landlord/properties/new',
            lazy: page(() => import('./pages/landlord/PropertyEditPage')),
          },
          {
            path: 'landlord/properties/:id',
            lazy: page(() => import('./pages/landlord/PropertyEditPage')),
          },
          {
            path: 'landlord/bookings',
            lazy: page(() => import('./pages/landlord/LandlordBookingsPage')),
          },
          { path: 'offline', element: <OfflinePage /> },
          { path: '*', lazy: page(() => import('./pages/NotFoundPage')) },
        ],
      },
    ],
  },
]

const router = createBrowserRouter(routes)

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariables}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  )
}
