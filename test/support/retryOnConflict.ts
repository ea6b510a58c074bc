/**
 * Read-modify-write the way client-go's `retry.RetryOnConflict` does it: controllers (status, put-back,
 * cluster status) write the same objects the tests change, so a replace built on a read can meet a newer
 * resourceVersion and get 409 Conflict, exactly as it would against a real API server. Re-read and retry.
 */
export async function retryOnConflict<T>(read: () => Promise<T>, write: (current: T) => Promise<unknown>, attempts = 10): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await read();
    try {
      await write(current);
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
    }
  }
}

function isConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 409;
}
