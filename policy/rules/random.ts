/** Rules for generated secrets (@pulumi/random): a password fits what its consumer accepts. */
import { StackGraph } from "../graph";
import { isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

/** random.RandomPassword's default special characters. */
const RANDOM_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** What each consumer of a generated password accepts, per AWS's API constraints. */
const PASSWORD_CONSUMERS: { type: string; path: string; min: number; max: number; specialAllowed: (c: string) => boolean; what: string }[] = [
    // ElastiCache AUTH tokens: 16-128 printable characters; the only specials allowed are !&#$^<>-.
    {
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        path: "authToken",
        min: 16,
        max: 128,
        specialAllowed: (c) => "!&#$^<>-".includes(c),
        what: "an ElastiCache auth token",
    },
    // RDS master passwords: 8-128 printable ASCII, not /, ", @ or a space.
    { type: "aws:rds/instance:Instance", path: "password", min: 8, max: 128, specialAllowed: (c) => !'/"@ '.includes(c), what: "an RDS master password" },
    { type: "aws:rds/cluster:Cluster", path: "masterPassword", min: 8, max: 128, specialAllowed: (c) => !'/"@ '.includes(c), what: "an RDS master password" },
];

export const randomPolicies: PlatformPolicy[] = [
    {
        name: "random-password-fits-consumer",
        description:
            'A generated password fits what the resource using it accepts: ElastiCache tokens 16-128 chars with specials only from !&#$^<>-, RDS passwords without / " @ or space.',
        enforcementLevel: "mandatory",
        covers: [RANDOM_PASSWORD, ...PASSWORD_CONSUMERS.map((c) => c.type)],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const consumer of PASSWORD_CONSUMERS) {
                for (const n of g.ofType(consumer.type)) {
                    for (const pw of (n.deps[consumer.path] ?? []).filter((d) => d.type === RANDOM_PASSWORD)) {
                        const { length, special, overrideSpecial } = pw.props;
                        if (isUnknown(length) || isUnknown(special) || isUnknown(overrideSpecial)) continue;
                        if (typeof length === "number" && (length < consumer.min || length > consumer.max))
                            report(`password ${pw.name} is ${length} characters; ${consumer.what} must be ${consumer.min}-${consumer.max}`, n.urn);
                        if (special === false) continue;
                        const specials = typeof overrideSpecial === "string" ? overrideSpecial : RANDOM_DEFAULT_SPECIAL;
                        const bad = [...new Set(specials)].filter((c) => !consumer.specialAllowed(c));
                        if (bad.length > 0)
                            report(
                                `password ${pw.name} may contain ${bad.join(" ")}, which ${consumer.what} rejects; set overrideSpecial (or special: false)`,
                                n.urn,
                            );
                    }
                }
            }
        },
    },
];
