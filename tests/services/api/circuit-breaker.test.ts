import { strict as assert } from "assert";
import { CircuitBreaker, CircuitOpenError, type BreakerOptions, type BreakerState } from "../../../services/resilience/circuit-breaker";

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
}

const ok = () => Promise.resolve("ok");
const boom = () => Promise.reject(new Error("boom"));

/** A call the test settles by hand, to hold a probe in flight. */
function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
}

function breaker(opts: Partial<BreakerOptions> = {}) {
    const clock = fakeClock();
    const transitions: [BreakerState, BreakerState][] = [];
    const b = new CircuitBreaker("dep", {
        failureThreshold: 3,
        openMs: 10_000,
        now: clock.now,
        onTransition: (from, to) => transitions.push([from, to]),
        ...opts,
    });
    return { b, clock, transitions };
}

async function failTimes(b: CircuitBreaker, n: number) {
    for (let i = 0; i < n; i++) await assert.rejects(b.execute(boom), /boom/);
}

describe("circuit breaker", () => {
    it("starts closed and passes calls and their results through", async () => {
        const { b } = breaker();
        assert.equal(b.state, "closed");
        assert.equal(await b.execute(ok), "ok");
        await assert.rejects(b.execute(boom), /boom/);
        assert.equal(b.state, "closed");
        assert.equal(b.failureCount, 1);
    });

    it("opens after failureThreshold consecutive failures, not before", async () => {
        const { b, transitions } = breaker();
        await failTimes(b, 2);
        assert.equal(b.state, "closed");
        await failTimes(b, 1);
        assert.equal(b.state, "open");
        assert.deepEqual(transitions, [["closed", "open"]]);
    });

    it("a success resets the count, so only consecutive failures open it", async () => {
        const { b } = breaker();
        await failTimes(b, 2);
        await b.execute(ok);
        assert.equal(b.failureCount, 0);
        await failTimes(b, 2);
        assert.equal(b.state, "closed");
    });

    it("while open, fails fast without calling the dependency, until openMs has passed", async () => {
        const { b, clock } = breaker();
        await failTimes(b, 3);
        let calls = 0;
        const counted = () => ((calls += 1), ok());
        clock.advance(9_999);
        const err = await b.execute(counted).then(
            () => assert.fail("an open circuit let a call through"),
            (e) => e,
        );
        assert.ok(err instanceof CircuitOpenError);
        assert.equal(err.breaker, "dep");
        assert.equal(err.retryAt, 1_000_000 + 10_000);
        assert.equal(calls, 0);
        assert.equal(b.state, "open");
    });

    it("turns half-open when openMs has passed, and a successful probe closes it", async () => {
        const { b, clock, transitions } = breaker();
        await failTimes(b, 3);
        clock.advance(10_000);
        assert.equal(b.state, "half-open");
        assert.equal(await b.execute(ok), "ok");
        assert.equal(b.state, "closed");
        assert.deepEqual(transitions, [
            ["closed", "open"],
            ["open", "half-open"],
            ["half-open", "closed"],
        ]);
        // Closed again: it takes the full threshold to open anew.
        await failTimes(b, 2);
        assert.equal(b.state, "closed");
    });

    it("a failed probe opens it again for another full openMs", async () => {
        const { b, clock } = breaker();
        await failTimes(b, 3);
        clock.advance(10_000);
        await assert.rejects(b.execute(boom), /boom/);
        assert.equal(b.state, "open");
        clock.advance(9_999);
        await assert.rejects(b.execute(ok), CircuitOpenError);
        clock.advance(1);
        assert.equal(b.state, "half-open");
    });

    it("lets exactly one probe through at a time; others fail fast while it is in flight", async () => {
        const { b, clock } = breaker();
        await failTimes(b, 3);
        clock.advance(10_000);
        const probe = deferred<string>();
        let probes = 0;
        const first = b.execute(() => ((probes += 1), probe.promise));
        await assert.rejects(
            b.execute(() => ((probes += 1), ok())),
            CircuitOpenError,
        );
        assert.equal(probes, 1);
        probe.resolve("recovered");
        assert.equal(await first, "recovered");
        assert.equal(b.state, "closed");
        assert.equal(await b.execute(ok), "ok");
    });

    it("errors that are not failures (isFailure false) neither count nor keep a probe from closing it", async () => {
        class NotFound extends Error {}
        const { b, clock } = breaker({ isFailure: (e) => !(e instanceof NotFound) });
        for (let i = 0; i < 5; i++)
            await assert.rejects(
                b.execute(() => Promise.reject(new NotFound("404"))),
                NotFound,
            );
        assert.equal(b.state, "closed");
        await failTimes(b, 3);
        clock.advance(10_000);
        await assert.rejects(
            b.execute(() => Promise.reject(new NotFound("404"))),
            NotFound,
        );
        assert.equal(b.state, "closed", "the dependency answered, so it is up");
    });

    it("a call that outlives the state it started in does not move the new state", async () => {
        const { b } = breaker({ failureThreshold: 1 });
        const slow = deferred<string>();
        const late = b.execute(() => slow.promise);
        await failTimes(b, 1);
        assert.equal(b.state, "open");
        slow.resolve("late");
        assert.equal(await late, "late");
        assert.equal(b.state, "open", "a success from before the circuit opened says nothing about now");
    });

    describe("its own clock (the default)", () => {
        const realNow = Date.now;
        let offset = 0;
        beforeEach(() => {
            offset = 0;
            Date.now = () => realNow() + offset; // the wall clock, as NTP or a resumed VM steps it
        });
        afterEach(() => {
            Date.now = realNow;
        });
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

        it("a wall clock stepped forward does not end the open time early", async () => {
            const b = new CircuitBreaker("dep", { failureThreshold: 1, openMs: 60_000 });
            await failTimes(b, 1);
            offset = 24 * 3600_000;
            assert.equal(b.state, "open");
            await assert.rejects(b.execute(ok), CircuitOpenError);
        });

        it("a wall clock stepped back does not hold the circuit open past openMs", async () => {
            const b = new CircuitBreaker("dep", { failureThreshold: 1, openMs: 50 });
            await failTimes(b, 1);
            offset = -3600_000;
            await sleep(80);
            assert.equal(b.state, "half-open");
            assert.equal(await b.execute(ok), "ok");
            assert.equal(b.state, "closed");
        });
    });

    it("rejects nonsensical settings", () => {
        assert.throws(() => new CircuitBreaker("x", { failureThreshold: 0, openMs: 1 }), /failureThreshold must be a whole number of at least 1/);
        assert.throws(() => new CircuitBreaker("x", { failureThreshold: 1, openMs: 0 }), /openMs must be above 0/);
    });
});
