/** RDS rules: encryption, TLS, managed passwords, prod data safety, log exports and RDS Proxy wiring. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph } from "../graph";
import { asList, at, isProd, isSet, isUnknown, majorVersion } from "../lib";
import { KMS_KEY, roleAllows } from "../shared";
import type { PlatformPolicy } from "../types";

const INSTANCE = "aws:rds/instance:Instance";

const CLUSTER = "aws:rds/cluster:Cluster";

const PROXY = "aws:rds/proxy:Proxy";

const PARAMETER_GROUPS = ["aws:rds/parameterGroup:ParameterGroup"];

const CLUSTER_PARAMETER_GROUPS = ["aws:rds/clusterParameterGroup:ClusterParameterGroup"];

/** Read replicas and restores inherit these settings from their source. */
const isReplica = (p: { replicateSourceDb?: string }) => Boolean(p.replicateSourceDb);

/**
 * Whether an engine's parameters force TLS. PostgreSQL 15 and later default rds.force_ssl to 1;
 * MySQL and MariaDB need require_secure_transport. undefined means we can't tell.
 */
function forcesTls(engine: string, version: number | undefined, family: string | undefined, params: { name?: string; value?: string }[]): boolean | undefined {
    const value = (name: string) => params.find((p) => p?.name === name)?.value;
    if (/postgres/.test(engine)) {
        const set = value("rds.force_ssl");
        if (set !== undefined) return String(set) === "1";
        const familyVersion = majorVersion(family?.replace(/^\D+/, ""));
        const v = familyVersion ?? version;
        return v === undefined ? undefined : v >= 15;
    }
    if (/mysql|mariadb/.test(engine)) {
        const set = value("require_secure_transport");
        return set !== undefined && ["1", "on", "true"].includes(String(set).toLowerCase());
    }
    return undefined;
}

/** The customer-managed key encrypting a secret (RDS-managed or a Secret resource), as an ARN when known. */
function secretKey(g: StackGraph, secretArn: string): string | undefined {
    const keyOf = (keyRef: unknown): string | undefined => {
        if (typeof keyRef !== "string" || /alias\/aws\//.test(keyRef)) return undefined;
        const key = g.lookup(keyRef, [KMS_KEY])[0] as Node | undefined;
        return typeof key?.props.arn === "string" ? key.props.arn : keyRef;
    };
    for (const db of g.ofType(INSTANCE, CLUSTER)) {
        if (asList(db.props.masterUserSecrets).some((s) => at(s, "secretArn") === secretArn)) return keyOf(db.props.masterUserSecretKmsKeyId);
    }
    const secret = g.lookup(secretArn, ["aws:secretsmanager/secret:Secret"])[0];
    return secret ? keyOf(secret.props.kmsKeyId) : undefined;
}

export const rdsPolicies: PlatformPolicy[] = [
    {
        name: "rds-storage-encrypted",
        description: "RDS instances and clusters encrypt their storage.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (p, _a, report) => {
                if (!isReplica(p) && p.storageEncrypted !== true) report("has storageEncrypted off");
            }),
            validateResourceOfType(aws.rds.Cluster, (p, _a, report) => {
                if (p.storageEncrypted !== true) report("has storageEncrypted off");
            }),
        ],
    },
    {
        name: "rds-not-publicly-accessible",
        description: "No RDS instance is publicly accessible.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (p, _a, report) => {
                if (p.publiclyAccessible === true) report("is publicly accessible");
            }),
            validateResourceOfType(aws.rds.ClusterInstance, (p, _a, report) => {
                if (p.publiclyAccessible === true) report("is publicly accessible");
            }),
        ],
    },
    {
        name: "rds-managed-master-password",
        description: "RDS master passwords are managed by RDS in Secrets Manager, never passed in (where they would sit in config and state).",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (p, _a, report) => {
                if (p.password !== undefined && p.password !== null)
                    report("sets a master password; use manageMasterUserPassword so RDS keeps it in Secrets Manager");
            }),
            validateResourceOfType(aws.rds.Cluster, (p, _a, report) => {
                if (p.masterPassword !== undefined && p.masterPassword !== null)
                    report("sets a master password; use manageMasterUserPassword so RDS keeps it in Secrets Manager");
            }),
        ],
    },
    {
        name: "rds-force-tls",
        description: "Databases reject unencrypted connections: the parameter group forces SSL (rds.force_ssl=1; PostgreSQL 15+ defaults to it).",
        enforcementLevel: "mandatory",
        covers: [INSTANCE, CLUSTER, ...PARAMETER_GROUPS, ...CLUSTER_PARAMETER_GROUPS],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const [type, path, groupTypes] of [
                [INSTANCE, "parameterGroupName", PARAMETER_GROUPS],
                [CLUSTER, "dbClusterParameterGroupName", CLUSTER_PARAMETER_GROUPS],
            ] as const) {
                for (const db of g.ofType(type)) {
                    const engine = db.props.engine;
                    if (typeof engine !== "string" || isUnknown(db.props.engineVersion) || (type === INSTANCE && db.props.replicateSourceDb)) continue;
                    const groups = g.resolve(db, path, [...groupTypes]);
                    if (isUnknown(groups)) continue;
                    if (db.props[path] !== undefined && groups.length === 0) continue; // a group outside this stack
                    const group = groups[0];
                    const params = group ? asList(group.props.parameters) : [];
                    if (params.some(isUnknown)) continue;
                    const forced = forcesTls(
                        engine,
                        majorVersion(db.props.engineVersion),
                        group?.props.family as string | undefined,
                        params as { name?: string; value?: string }[],
                    );
                    if (forced === false) {
                        report(
                            `accepts unencrypted connections: ${group ? `parameter group ${group.name}` : "the default parameter group"} does not force TLS (set ${/postgres/.test(engine) ? "rds.force_ssl = 1" : "require_secure_transport = ON"})`,
                            db.urn,
                        );
                    }
                }
            }
        },
    },
    {
        name: "rds-deletion-protection-prod",
        description: "In prod, RDS instances and clusters have deletion protection on.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (p, args, report) => {
                if (isProd(args) && p.deletionProtection !== true) report("has deletion protection off in prod");
            }),
            validateResourceOfType(aws.rds.Cluster, (p, args, report) => {
                if (isProd(args) && p.deletionProtection !== true) report("has deletion protection off in prod");
            }),
        ],
    },
    {
        name: "rds-backup-retention-prod",
        description: "In prod, RDS keeps automated backups at least 7 days.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (p, args, report) => {
                if (isProd(args) && !isReplica(p) && !((p.backupRetentionPeriod ?? 0) >= 7))
                    report(`keeps backups ${p.backupRetentionPeriod ?? 0} day(s) in prod; keep at least 7`);
            }),
            validateResourceOfType(aws.rds.Cluster, (p, args, report) => {
                if (isProd(args) && !((p.backupRetentionPeriod ?? 1) >= 7))
                    report(`keeps backups ${p.backupRetentionPeriod ?? 1} day(s) in prod; keep at least 7`);
            }),
        ],
    },
    {
        name: "rds-multi-az-prod",
        description: "In prod, RDS instances are Multi-AZ.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.rds.Instance, (p, args, report) => {
            if (isProd(args) && !isReplica(p) && p.multiAz !== true) report("is single-AZ in prod; set multiAz");
        }),
    },
    {
        name: "rds-final-snapshot-prod",
        description: "In prod, deleting an RDS instance or cluster takes a final snapshot.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (p, args, report) => {
                if (!isProd(args) || isReplica(p)) return;
                if (p.skipFinalSnapshot === true) report("skips the final snapshot in prod");
                else if (!isSet(p, "finalSnapshotIdentifier")) report("names no finalSnapshotIdentifier, so a delete fails or loses the data; name one");
            }),
            validateResourceOfType(aws.rds.Cluster, (p, args, report) => {
                if (!isProd(args)) return;
                if (p.skipFinalSnapshot === true) report("skips the final snapshot in prod");
                else if (!isSet(p, "finalSnapshotIdentifier")) report("names no finalSnapshotIdentifier; name one");
            }),
        ],
    },
    {
        name: "rds-log-exports",
        description: "RDS exports its engine logs to CloudWatch Logs.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.rds.Instance, (p, _a, report) => {
            if ((p.enabledCloudwatchLogsExports ?? []).length === 0) report("exports no logs to CloudWatch (enabledCloudwatchLogsExports)");
        }),
    },
    {
        name: "rds-proxy-require-tls",
        description: "RDS Proxy requires TLS from its clients.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.rds.Proxy, (p, _a, report) => {
            if (p.requireTls !== true) report("does not require TLS; set requireTls");
        }),
    },
    {
        name: "rds-proxy-role-reads-its-secret",
        description:
            "An RDS Proxy's role can read each secret its auths name (secretsmanager:GetSecretValue) and decrypt it with the secret's customer-managed key.",
        enforcementLevel: "mandatory",
        covers: [PROXY, "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:secretsmanager/secret:Secret"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const proxy of g.ofType(PROXY)) {
                const roles = g.rolesOf(proxy, "roleArn");
                if (isUnknown(roles) || roles.length === 0) continue;
                const auths = proxy.props.auths;
                if (isUnknown(auths)) continue;
                for (const auth of asList(auths)) {
                    const secretArn = at(auth, "secretArn");
                    if (typeof secretArn !== "string") continue;
                    for (const role of roles) {
                        if (roleAllows(g, role, "secretsmanager:GetSecretValue", secretArn) === false) {
                            report(
                                `role ${role.name} can't read secret ${secretArn} (no secretsmanager:GetSecretValue on it): the proxy can't log in to the database`,
                                proxy.urn,
                            );
                        }
                        const key = secretKey(g, secretArn);
                        if (key && roleAllows(g, role, "kms:Decrypt", key) === false) {
                            report(
                                `role ${role.name} can't decrypt secret ${secretArn} with its key ${key} (no kms:Decrypt on it): the proxy can't log in to the database`,
                                proxy.urn,
                            );
                        }
                    }
                }
            }
        },
    },
    {
        name: "rds-proxy-has-target",
        description: "Every RDS Proxy has a target (ProxyTarget) registered in its default target group.",
        enforcementLevel: "advisory",
        covers: [PROXY, "aws:rds/proxyTarget:ProxyTarget", "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const targets = g.ofType("aws:rds/proxyTarget:ProxyTarget");
            for (const proxy of g.ofType(PROXY)) {
                const served = targets.some((t) => {
                    const p = g.resolve(t, "dbProxyName", [PROXY]);
                    return isUnknown(p) || p.includes(proxy);
                });
                if (!served) report("has no ProxyTarget: connections through it reach no database", proxy.urn);
            }
        },
    },
];
