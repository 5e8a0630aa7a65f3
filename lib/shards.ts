/** What one provisioned Kinesis shard accepts on the write side. */
export const SHARD_WRITE_LIMITS = { recordsPerSecond: 1000, kibPerSecond: 1024 } as const;

export interface PeakIngest {
    /** Peak records per second across the stream. */
    recordsPerSecond: number;
    /** Peak KiB per second across the stream. */
    kibPerSecond: number;
    /** Spare capacity above the peak, in percent (25 sizes for 125% of the peak). */
    headroomPercent: number;
}

/**
 * Provisioned shards for a peak ingest: whichever per-shard write limit (1,000 records/s or
 * 1 MiB/s) the peak exhausts first decides, scaled by the headroom and rounded up to whole
 * shards; a stream has at least one.
 */
export function shardsFor(peak: PeakIngest): number {
    for (const [name, value] of Object.entries(peak)) {
        if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
    }
    const byRecords = peak.recordsPerSecond / SHARD_WRITE_LIMITS.recordsPerSecond;
    const byBytes = peak.kibPerSecond / SHARD_WRITE_LIMITS.kibPerSecond;
    const needed = Math.max(byRecords, byBytes) * (1 + peak.headroomPercent / 100);
    // Drop float noise before rounding up, so exactly 4 shards' worth (which may compute as
    // 4.000000000000001) stays 4 rather than 5.
    return Math.max(1, Math.ceil(Number(needed.toFixed(9))));
}
