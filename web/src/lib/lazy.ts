// A chunk imported on first use, once for the whole app: the same promise for every caller
// while it loads or once it has, but forgotten when it fails (a dropped connection, a server
// that was slow to answer), so the next caller imports it again instead of the failure
// sticking for the rest of the session.
export function lazyOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
