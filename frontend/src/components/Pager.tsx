import { Button, Group, Text } from '@mantine/core'

/** Previous / next with "page x of y": small, and clear with a keyboard or a reader. */
export function Pager({ page, pages, onChange }: { page: number; pages: number; onChange: (page: number) => void }) {
  if (pages <= 1) return null
  return (
    <Group justify="center" gap="md" component="nav" aria-label="Pages" mt="md">
      <Button variant="default" disabled={page <= 1} onClick={() => onChange(page - 1)}>
        Previous
      </Button>
      <Text aria-current="page">
        Page {page} of {pages}
      </Text>
      <Button variant="default" disabled={page >= pages} onClick={() => onChange(page + 1)}>
        Next
      </Button>
    </Group>
  )
}
