/**
 * Polls `probe` until it returns a value `done` accepts, then returns that value; after
 * `tries` polls (every `everyMs`) returns the last value, so the caller's assertion fails with it.
 */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, tries = 200, everyMs = 50): Promise<T> {
  let value = await probe();
  for (let i = 1; i < tries && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await probe();
  }
  return value;
}
