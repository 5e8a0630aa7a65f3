/**
 * ElastiCache's Valkey and Redis OSS versions (major.minor, as the replication group takes them)
 * and the parameter group family each one runs with (ElastiCache user guide, "Engine specific
 * parameters"; CreateCacheParameterGroup's CacheParameterGroupFamily). A major upgrade changes
 * the family, and ElastiCache takes a parameter group only of the engine version's family.
 */
export const CACHE_ENGINE_FAMILIES = {
    valkey: { "7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8", "8.2": "valkey8", "9.0": "valkey9", "9.1": "valkey9" },
    redis: { "7.0": "redis7", "7.1": "redis7" },
} as const satisfies Record<string, Record<string, string>>;

export type CacheEngine = keyof typeof CACHE_ENGINE_FAMILIES;

/** The parameter group family of an engine version, or undefined for a version ElastiCache does not offer. */
export function cacheParameterGroupFamily(engine: CacheEngine, engineVersion: string): string | undefined {
    return (CACHE_ENGINE_FAMILIES[engine] as Record<string, string>)[engineVersion];
}

/**
 * The default parameter group of a family for a cluster-mode-disabled group (`default.valkey8`).
 * Defaults exist in every account and region and cannot be edited. A group that names none gets
 * its version's default at creation, and a later major upgrade that names no group of the new
 * family can fail on the family mismatch.
 */
export function defaultCacheParameterGroup(family: string): string {
    return `default.${family}`;
}
