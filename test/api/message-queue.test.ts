import { describe, expect, it } from "vitest";
import { MessageQueue } from "../../server/src/api/message-queue.js";

/** Everything `queue` yields until it ends, and how it ended. */
async function drain<T>(queue: MessageQueue<T>): Promise<{ read: T[]; error?: unknown }> {
  const read: T[] = [];
  try {
    for await (const message of queue) read.push(message);
    return { read };
  } catch (error) {
    return { read, error };
  }
}

describe("MessageQueue (the Connect watch's buffer)", () => {
  it("hands over messages pushed before and while reading, then ends OK on close", async () => {
    const queue = new MessageQueue<number>(10, () => new Error("overflow"));
    queue.push(1);
    const reading = drain(queue);
    await new Promise((resolve) => setTimeout(resolve, 5));
    queue.push(2);
    queue.close();
    queue.push(3);
    expect(await reading).toEqual({ read: [1, 2] });
  });

  it("ends with the overflow error, at once, once more than `limit` messages wait", async () => {
    const queue = new MessageQueue<number>(2, () => new Error("read too slowly"));
    for (const n of [1, 2, 3, 4]) queue.push(n);
    const { read, error } = await drain(queue);
    expect(read).toEqual([]);
    expect(error).toEqual(new Error("read too slowly"));
  });

  it("throws the close error to the reader at once, dropping the waiting messages (a revoked key gets nothing more)", async () => {
    const queue = new MessageQueue<string>(10, () => new Error("overflow"));
    queue.push("a");
    queue.close(new Error("key revoked"));
    expect(await drain(queue)).toEqual({ read: [], error: new Error("key revoked") });
  });
});
