import { strict as assert } from "assert";
import { shardsFor, SHARD_WRITE_LIMITS } from "../../lib/shards";

const size = (recordsPerSecond: number, kibPerSecond: number, headroomPercent = 0) => shardsFor({ recordsPerSecond, kibPerSecond, headroomPercent });

describe("Kinesis shard sizing", () => {
    it("uses the per-shard write limits: 1,000 records/s and 1 MiB/s", () => {
        assert.deepEqual(SHARD_WRITE_LIMITS, { recordsPerSecond: 1000, kibPerSecond: 1024 });
        assert.equal(size(1000, 1), 1);
        assert.equal(size(1, 1024), 1);
    });

    it("is bound by records when records are small", () => {
        // 5,000 records of 0.1 KiB: 5 shards by count, 0.49 by bytes.
        assert.equal(size(5000, 500), 5);
    });

    it("is bound by bytes when records are large", () => {
        // 500 records of 20 KiB = 10,000 KiB/s: 0.5 shards by count, 9.77 by bytes.
        assert.equal(size(500, 10000), 10);
    });

    it("takes whichever limit binds harder when both are close", () => {
        assert.equal(size(3000, 3 * 1024), 3);
        assert.equal(size(3000, 3 * 1024 + 1), 4);
        assert.equal(size(3001, 3 * 1024), 4);
    });

    it("rounds up to whole shards", () => {
        assert.equal(size(1001, 0), 2);
        assert.equal(size(0, 1025), 2);
        assert.equal(size(4000, 0), 4, "an exact fit needs no extra shard");
    });

    it("adds the headroom before rounding", () => {
        assert.equal(size(4000, 0, 25), 5);
        assert.equal(size(4000, 0, 24), 5, "4.96 shards round up to 5");
        assert.equal(size(3200, 0, 25), 4, "exactly 4.0 shards' worth stays 4");
        // The prod profile: 5,000 records/s and 4 MiB/s with 25% headroom: 5 * 1.25 = 6.25 -> 7.
        assert.equal(size(5000, 4096, 25), 7);
        assert.equal(size(1000, 0, 100), 2);
    });

    it("never sizes a stream below one shard", () => {
        assert.equal(size(0, 0), 1);
        assert.equal(size(1, 0.5, 400), 1);
    });

    it("rejects negative or non-finite inputs", () => {
        assert.throws(() => size(-1, 10), /recordsPerSecond must be a finite number >= 0, got -1/);
        assert.throws(() => size(10, Number.NaN), /kibPerSecond must be a finite number >= 0/);
        assert.throws(() => size(10, 10, -5), /headroomPercent must be a finite number >= 0/);
    });
});
