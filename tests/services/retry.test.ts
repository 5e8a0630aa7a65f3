import { strict as assert } from "assert";
import { backoffMs, retry } from "../../services/resilience/retry";

describe("retry with backoff and jitter", () => {
    it("waits a random time below the capped exponential ceiling", () => {
        const opts = { baseMs: 50, capMs: 300 };
        assert.equal(backoffMs(0, { ...opts, random: () => 0.999 }), 49);
        assert.equal(backoffMs(2, { ...opts, random: () => 0.5 }), 100);
        assert.equal(backoffMs(10, { ...opts, random: () => 0.999 }), 299, "capped");
        assert.equal(backoffMs(3, { ...opts, random: () => 0 }), 0, "full jitter reaches 0");
    });

    it("retries until success, stops at an error not worth retrying, and gives up after its attempts", async () => {
        let calls = 0;
        assert.equal(await retry(async () => (++calls < 3 ? Promise.reject(new Error("flaky")) : "ok"), { attempts: 3, baseMs: 1, capMs: 2 }), "ok");
        assert.equal(calls, 3);
        calls = 0;
        await assert.rejects(
            retry(async () => (calls++, Promise.reject(new Error("bad input"))), { attempts: 5, baseMs: 1, capMs: 2, retryable: () => false }),
            /bad input/,
        );
        assert.equal(calls, 1);
        calls = 0;
        await assert.rejects(
            retry(async () => (calls++, Promise.reject(new Error("down"))), { attempts: 4, baseMs: 1, capMs: 2 }),
            /down/,
        );
        assert.equal(calls, 4);
    });

    it("stops waiting when its signal aborts", async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error("deadline")), 20);
        const started = Date.now();
        await assert.rejects(
            retry(() => Promise.reject(new Error("down")), { attempts: 5, baseMs: 10_000, capMs: 10_000, random: () => 0.99, signal: controller.signal }),
            /deadline/,
        );
        assert.ok(Date.now() - started < 1000);
    });
});
