/**
 * Keys of the platform's global table (`pk`, `sk`, both strings).
 *
 * Partition keys spread load by construction:
 *
 * - Normal entities: `pk = <entity>#<id>`. Ids are high-cardinality (UUIDs, user ids), so items
 *   and their traffic spread over partitions on their own.
 * - Hot write paths, where many items share one logical key (e.g. every order of a day, or all
 *   events of one popular tenant): `pk = <entity>#<bucket>#<shard>`, where
 *   shard = fnv1a(item id) mod `globalTable.writeShards`. Writes for the bucket fan out over
 *   `writeShards` partitions instead of piling onto one. The shard is a stable function of the
 *   item id, so a single item is always found again (point reads need no fan-out).
 * - Reading a whole bucket is a scatter-gather: query each of `bucketKeys(...)` (one per shard)
 *   in parallel and merge the results by sort key.
 *
 * The number of shards is part of the key: changing `globalTable.writeShards` strands items
 * written under the old count, so raising it means rewriting the bucket's items.
 */

export const SEPARATOR = "#";
export const MAX_SHARDS = 100;

/** 32-bit FNV-1a over the UTF-8 bytes: stable across processes, platforms and releases. */
export function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(text, "utf8")) {
        hash ^= byte;
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
}

function part(name: string, value: string): string {
    if (value.length === 0) throw new Error(`${name} must not be empty`);
    if (value.includes(SEPARATOR)) throw new Error(`${name} ${JSON.stringify(value)} must not contain "${SEPARATOR}"`);
    return value;
}

function checkShards(shards: number): number {
    if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new Error(`shards must be an integer from 1 to ${MAX_SHARDS}, got ${shards}`);
    return shards;
}

/** The shard (0..shards-1) an item id writes to. */
export function shardOf(id: string, shards: number): number {
    return fnv1a(id) % checkShards(shards);
}

/** `<entity>#<id>`: the partition key of an ordinary entity. */
export function entityKey(entity: string, id: string): string {
    return `${part("entity", entity)}${SEPARATOR}${part("id", id)}`;
}

/** `<entity>#<bucket>#<shard>`: the partition key an item of a hot bucket is written under. */
export function shardedKey(entity: string, bucket: string, id: string, shards: number): string {
    return `${part("entity", entity)}${SEPARATOR}${part("bucket", bucket)}${SEPARATOR}${shardOf(part("id", id), shards)}`;
}

/** Every partition key of a hot bucket, for a scatter-gather read. */
export function bucketKeys(entity: string, bucket: string, shards: number): string[] {
    const prefix = `${part("entity", entity)}${SEPARATOR}${part("bucket", bucket)}${SEPARATOR}`;
    return Array.from({ length: checkShards(shards) }, (_, shard) => `${prefix}${shard}`);
}

/** A sort key from ordered parts, e.g. sortKey("order", "2026-01-31T12:00:00Z", id). */
export function sortKey(...parts: string[]): string {
    if (parts.length === 0) throw new Error("a sort key needs at least one part");
    return parts.map((p, i) => part(`sort key part ${i}`, p)).join(SEPARATOR);
}
