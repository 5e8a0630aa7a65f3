import { strict as assert } from "assert";
import { bucketKeys, entityKey, fnv1a, shardedKey, shardOf, sortKey } from "../../services/table-keys";

describe("table keys", () => {
    it("builds entity keys as <entity>#<id>", () => {
        assert.equal(entityKey("user", "42"), "user#42");
        assert.equal(sortKey("order", "2026-01-31", "o-1"), "order#2026-01-31#o-1");
    });

    it("rejects parts that would break the key layout", () => {
        assert.throws(() => entityKey("user", ""), /id must not be empty/);
        assert.throws(() => entityKey("us#er", "1"), /must not contain "#"/);
        assert.throws(() => shardedKey("order", "2026-01-31", "o-1", 0), /shards must be an integer from 1 to 100/);
        assert.throws(() => bucketKeys("order", "day", 101), /shards must be an integer/);
        assert.throws(() => sortKey(), /at least one part/);
    });

    it("hashes with 32-bit FNV-1a (stable across processes and releases)", () => {
        // Reference values of FNV-1a 32: a changed hash would strand every sharded item.
        assert.equal(fnv1a(""), 0x811c9dc5);
        assert.equal(fnv1a("a"), 0xe40c292c);
        assert.equal(fnv1a("foobar"), 0xbf9cf968);
        assert.equal(fnv1a("é"), 0x1e9de8c1, "hashes the UTF-8 bytes, not UTF-16 code units");
    });

    it("puts the same id on the same shard every time, always within 0..shards-1", () => {
        for (let i = 0; i < 1000; i++) {
            const id = `item-${i}`;
            const shard = shardOf(id, 16);
            assert.ok(Number.isInteger(shard) && shard >= 0 && shard < 16, `${id} -> ${shard}`);
            assert.equal(shardOf(id, 16), shard);
            assert.equal(shardedKey("order", "2026-01-31", id, 16), `order#2026-01-31#${shard}`);
        }
        assert.equal(shardOf("anything", 1), 0);
    });

    it("spreads many ids evenly over the shards", () => {
        for (const shards of [4, 16, 100]) {
            const counts = new Array<number>(shards).fill(0);
            const n = 100_000;
            for (let i = 0; i < n; i++) counts[shardOf(`3f6c1a2e-${i.toString(16).padStart(8, "0")}`, shards)]++;
            const expected = n / shards;
            for (const [shard, count] of counts.entries()) {
                assert.ok(Math.abs(count - expected) / expected < 0.1, `${shards} shards: shard ${shard} got ${count}, expected about ${expected}`);
            }
        }
    });

    it("lists every shard's key of a bucket for a scatter-gather read, covering every write", () => {
        const keys = bucketKeys("order", "2026-01-31", 4);
        assert.deepEqual(keys, ["order#2026-01-31#0", "order#2026-01-31#1", "order#2026-01-31#2", "order#2026-01-31#3"]);
        for (let i = 0; i < 100; i++) assert.ok(keys.includes(shardedKey("order", "2026-01-31", `o-${i}`, 4)));
    });
});
