import { strict as assert } from "assert";
import { sectionProblems } from "../helpers/config";
import { defaults, reservedConcurrencyTotal } from "../../config/sections/events";

/** Every problem with the events section (and the cross-section rules naming it), given section overrides. */
const problems = (profile: "dev" | "prod", sections: Record<string, unknown>): string[] => sectionProblems(profile, sections, "platform:events.");

function expectProblem(p: string[], line: string) {
    assert.ok(p.includes(line), `expected\n  ${line}\namong\n  ${p.join("\n  ")}`);
}

describe("config: events", () => {
    it("both profiles are valid as they are, and prod reserves more than dev (157 and 20)", () => {
        assert.deepEqual(problems("dev", {}), []);
        assert.deepEqual(problems("prod", {}), []);
        assert.ok(reservedConcurrencyTotal(defaults.prod) > reservedConcurrencyTotal(defaults.dev));
        assert.deepEqual([reservedConcurrencyTotal(defaults.prod), reservedConcurrencyTotal(defaults.dev)], [157, 20]);
        assert.equal(defaults.prod.saga.includeExecutionData, false);
    });

    it("enforces AWS's SQS maximum concurrency bounds (2 to 1000)", () => {
        expectProblem(
            problems("dev", { events: { projector: { maximumConcurrency: 1 } } }),
            "platform:events.projector.maximumConcurrency: 1 is below the minimum 2",
        );
        expectProblem(
            problems("dev", { events: { projector: { maximumConcurrency: 1001, reservedConcurrency: 900 } } }),
            "platform:events.projector.maximumConcurrency: 1001 is above the maximum 1000",
        );
    });

    it("requires the bulkhead to hold the mapping's maximum concurrency", () => {
        expectProblem(
            problems("dev", { events: { analyticsBridge: { maximumConcurrency: 8, reservedConcurrency: 4 } } }),
            "platform:events.analyticsBridge.reservedConcurrency: 4 is below maximumConcurrency 8: the mapping would be throttled, and throttled messages count as receives toward the dead-letter queue",
        );
    });

    it("requires a batching window for SQS batches above 10 messages", () => {
        expectProblem(
            problems("dev", { events: { projector: { batchSize: 50, maxBatchingWindowSeconds: 0 } } }),
            "platform:events.projector.maxBatchingWindowSeconds: 0 must be at least 1 with batchSize 50: Lambda takes SQS batches above 10 messages only with a batching window",
        );
        assert.deepEqual(problems("dev", { events: { projector: { batchSize: 50, maxBatchingWindowSeconds: 1 } } }), []);
    });

    it("bounds queue retention to SQS's 14 days and stream retries to a finite count", () => {
        expectProblem(problems("dev", { events: { messageRetentionDays: 15 } }), "platform:events.messageRetentionDays: 15 is above the maximum 14");
        expectProblem(
            problems("dev", { events: { streamProcessor: { maximumRetryAttempts: -1 } } }),
            "platform:events.streamProcessor.maximumRetryAttempts: -1 is below the minimum 0",
        );
        expectProblem(
            problems("dev", { events: { streamProcessor: { maximumRecordAgeSeconds: 30 } } }),
            "platform:events.streamProcessor.maximumRecordAgeSeconds: 30 is below the minimum 60",
        );
    });

    it("requires failed stream records to still be in the stream when they reach the failure queue", () => {
        expectProblem(
            problems("dev", { events: { streamProcessor: { maximumRecordAgeSeconds: 86_400 } } }),
            "platform:events.streamProcessor.maximumRecordAgeSeconds: 86400 must be below the stream's retention (analytics.stream.retentionHours 24 = 86400 s): a failed batch is recorded by sequence number and must still be in the stream to be re-read",
        );
        assert.deepEqual(
            problems("dev", { events: { streamProcessor: { maximumRecordAgeSeconds: 86_400 } }, analytics: { stream: { retentionHours: 48 } } }),
            [],
        );
    });

    it("sizes the stream processor's reserved concurrency for every shard's parallel batches", () => {
        expectProblem(
            problems("prod", { events: { streamProcessor: { reservedConcurrency: 10 } } }),
            "platform:events.streamProcessor.reservedConcurrency: 10 is below 14 (7 provisioned shards x parallelizationFactor 2): Lambda runs that many batches at once, and throttled shards fall behind",
        );
        expectProblem(
            problems("dev", { events: { streamProcessor: { parallelizationFactor: 2 } } }),
            "platform:events.streamProcessor.reservedConcurrency: 4 is below 8 (4 initial on-demand shards x parallelizationFactor 2): Lambda runs that many batches at once, and throttled shards fall behind",
        );
    });

    it("refuses a saga timeout below the worst case of its own definition, naming the settings and the numbers", () => {
        const p = problems("prod", { events: { saga: { timeoutMinutes: 15 } } });
        const line = p.find((x) => x.startsWith("platform:events.saga.timeoutMinutes: 15 is below the saga's worst case of 203 minutes (12147 s: "));
        assert.ok(line, p.join("\n"));
        assert.match(line, /ReleaseInventory 8020 s/);
        assert.match(
            line,
            /with taskTimeoutSeconds 30, taskRetryAttempts 3, compensationRetryAttempts 10 and taskReservedConcurrency 20 \(10 of an order's up to 100 lines at once\): an execution could time out half-way through undoing an order/,
        );
        // Fewer retries fit in less time; more reserved concurrency runs the lines in fewer rounds.
        assert.deepEqual(problems("prod", { events: { saga: { timeoutMinutes: 90, compensationRetryAttempts: 3 } } }), []);
        assert.equal(problems("dev", { events: { saga: { timeoutMinutes: 250 } } }).length, 1);
        assert.deepEqual(problems("dev", { events: { saga: { timeoutMinutes: 250, taskReservedConcurrency: 5 } } }), []);
    });

    it("keeps execution data out of prod's saga logs", () => {
        expectProblem(
            problems("prod", { events: { saga: { includeExecutionData: true } } }),
            "platform:events.saga.includeExecutionData: true must be false in prod: the saga's states carry customers' addresses, which its logs must not keep",
        );
        assert.deepEqual(problems("dev", { events: { saga: { includeExecutionData: true } } }), []);
    });

    it("checks the saga's settings", () => {
        expectProblem(
            problems("dev", { events: { saga: { shipToCountries: ["gb"] } } }),
            'platform:events.saga.shipToCountries[0]: "gb" must be an ISO 3166 alpha-2 country code such as US',
        );
        expectProblem(
            problems("dev", { events: { saga: { logLevel: "OFF" } } }),
            'platform:events.saga.logLevel: "OFF" must be one of "ALL", "ERROR", "FATAL"',
        );
        expectProblem(
            problems("dev", { events: { saga: { compensationRetryAttempts: 0 } } }),
            "platform:events.saga.compensationRetryAttempts: 0 is below the minimum 1",
        );
    });

    it("names a misspelt key", () => {
        const p = problems("dev", { events: { projector: { batchSzie: 5 } } });
        assert.match(p[0], /^platform:events\.projector\.batchSzie: unknown key \(did you mean "batchSize"\?\)/);
    });
});
