import type { Profile } from "./common";
import type { SectionValues } from "./sections";

/** A problem that spans sections, reported against the key that must change. */
export interface CrossProblem {
    key: string;
    value: unknown;
    message: string;
}

/**
 * Rules that relate sections to each other, the home region or the profile. Each runs only
 * when the sections it reads parsed, so one bad section never hides another's problems.
 */
export function crossSectionProblems(profile: Profile, region: string, s: Partial<SectionValues>): CrossProblem[] {
    const problems: CrossProblem[] = [];
    const add = (key: string, value: unknown, message: string) => problems.push({ key, value, message });

    if (s.network && s.network.azCount < 2) {
        // AWS rejects a DB subnet group (and a Multi-AZ cache) that does not cover two AZs.
        add("network.azCount", s.network.azCount, "is below 2: the database subnet group must span at least 2 availability zones");
    }
    if (s.globalTable) {
        const seen = new Set<string>();
        s.globalTable.replicaRegions.forEach((r, i) => {
            if (r === region) add(`globalTable.replicaRegions[${i}]`, r, `is the home region (aws:region); replicas must be in other regions`);
            else if (seen.has(r)) add(`globalTable.replicaRegions[${i}]`, r, "is listed twice; replica regions must be distinct");
            seen.add(r);
        });
    }
    if (profile === "prod") {
        if (s.network && s.network.azCount < 3) add("network.azCount", s.network.azCount, "is below 3: prod spans at least 3 availability zones");
        if (s.database && !s.database.multiAz) add("database.multiAz", false, "must be true in prod (Multi-AZ data stores)");
        if (s.database && s.database.backupRetentionDays < 7) add("database.backupRetentionDays", s.database.backupRetentionDays, "is below 7: prod keeps backups at least 7 days");
        if (s.cache && !s.cache.multiAz) add("cache.multiAz", false, "must be true in prod (Multi-AZ data stores)");
        if (s.protection) {
            for (const [k, v] of Object.entries(s.protection)) {
                if (!v) add(`protection.${k}`, v, "must be true in prod: stateful resources are protected");
            }
        }
        if (s.delivery && !s.delivery.requireApproval) add("delivery.requireApproval", false, "must be true in prod: deploys wait for a manual approval");
        if (s.api && s.api.mfa !== "ON") add("api.mfa", s.api.mfa, 'must be "ON" in prod');
    }
    return problems;
}
