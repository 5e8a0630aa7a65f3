import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { cacheParameterGroupFamily, defaultCacheParameterGroup } from "../lib/cache-engines";
import { Grants, secretRead, type Grantee, type Permission } from "./grants";
import { platformPath, stackIdentifier, stackName } from "./names";
import { guardedSecurityGroup } from "./security-groups";
import type { PlatformContext } from "./context";
import { withDefaults } from "../lib/defaults";

export interface CacheArgs {
    /**
     * Valkey or Redis OSS.
     * @default "valkey"
     */
    engine?: "valkey" | "redis";
    /**
     * Engine version: Valkey 7.2, 8.0, 8.1, 8.2, 9.0, 9.1 or Redis OSS 7.0, 7.1; the group runs with the version's default parameter group (default.valkey8 for 8.x), so an edit moves both. A downgrade, or Valkey back to Redis OSS, replaces the cache.
     * @default "8.0"
     */
    engineVersion?: string;
    /** ElastiCache node type. */
    nodeType: string;
    /** Nodes in the group: a primary plus up to 5 replicas. */
    numCacheClusters: number;
    /** Multi-AZ with automatic failover to a replica; needs at least 2 nodes. */
    multiAz: boolean;
    /** Days daily snapshots are kept (0 takes none). */
    snapshotRetentionDays: number;
    /** Days the slow log is kept. */
    logRetentionDays: number;
    vpcId: pulumi.Input<string>;
    /** Isolated subnets, one per AZ, for the cache subnet group. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups of the clients (the web fleet) admitted on the cache port. */
    clientSecurityGroupIds: pulumi.Input<string>[];
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

/** The defaults of CacheArgs's optional fields (each documented with `@default`). */
export const CACHE_DEFAULTS = { engine: "valkey", engineVersion: "8.0" } as const;

export const CACHE_PORT = 6379;

/**
 * ElastiCache's AUTH token rules: 16 to 128 printable ASCII characters, and of the
 * non-alphanumerics only these. 64 characters drawn from all four classes.
 */
export const AUTH_TOKEN_SPECIALS = "!&#$^<>-";
export const AUTH_TOKEN_LENGTH = 64;

/**
 * A Valkey or Redis OSS replication group in isolated subnets: TLS required and an AUTH token
 * (kept in a KMS-encrypted Secrets Manager secret, read by ARN), encrypted at rest with the
 * platform key, Multi-AZ with automatic failover when configured, daily snapshots, and the
 * slow log in CloudWatch. Only the client security groups reach it.
 */
export class Cache extends pulumi.ComponentResource {
    /** The primary endpoint's address (writes and reads). */
    public readonly endpoint: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    /** The secret whose string is the AUTH token. */
    public readonly authSecretArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** The replication group's id (also its name in the console). */
    public readonly replicationGroupId: pulumi.Output<string>;

    private readonly grants: Grants;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly region: string;

    constructor(name: string, given: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cache:Cache", name, {}, opts);
        const args = withDefaults(CACHE_DEFAULTS, given);
        this.grants = new Grants(this, name);
        this.kmsKeyArn = args.context.kmsKeyArn;
        this.region = args.context.region;
        const groupId = stackIdentifier(name, 40);
        const family = cacheParameterGroupFamily(args.engine, args.engineVersion);
        if (!family) throw new Error(`${name}: ${args.engine} ${args.engineVersion} is not an ElastiCache engine version with a known parameter group family`);

        const securityGroup = guardedSecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `${args.engine} ${groupId}: clients only`,
                port: CACHE_PORT,
                sources: args.clientSecurityGroupIds,
                sourceDescription: "cache clients",
            },
            this,
        );
        const subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            { subnetIds: args.subnetIds, description: `Isolated subnets of ${groupId}` },
            { parent: this },
        );

        const token = new random.RandomPassword(
            `${name}-auth-token`,
            { length: AUTH_TOKEN_LENGTH, special: true, overrideSpecial: AUTH_TOKEN_SPECIALS, minUpper: 1, minLower: 1, minNumeric: 1, minSpecial: 1 },
            { parent: this },
        );
        const secret = new aws.secretsmanager.Secret(
            `${name}-auth`,
            { description: `AUTH token of the ${groupId} cache`, kmsKeyId: args.context.kmsKeyArn },
            { parent: this },
        );
        new aws.secretsmanager.SecretVersion(`${name}-auth-value`, { secretId: secret.id, secretString: token.result }, { parent: this });

        const slowLog = new aws.cloudwatch.LogGroup(
            `${name}-slow-log`,
            { name: platformPath("elasticache", groupId, "slow-log"), retentionInDays: args.logRetentionDays, kmsKeyId: args.context.kmsKeyArn },
            { parent: this },
        );

        const group = new aws.elasticache.ReplicationGroup(
            `${name}-group`,
            {
                replicationGroupId: groupId,
                description: `${args.engine} cache (${stackName()})`,
                engine: args.engine,
                engineVersion: args.engineVersion,
                // The default group of the version's family, named so that a version edit moves both in
                // one ModifyReplicationGroup (a major upgrade, or Redis OSS to Valkey, needs the new family).
                parameterGroupName: defaultCacheParameterGroup(family),
                // Without it an engine or family change waits for the maintenance window, and every
                // preview until then shows the same change again.
                applyImmediately: true,
                nodeType: args.nodeType,
                numCacheClusters: args.numCacheClusters,
                port: CACHE_PORT,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [securityGroup.id],
                atRestEncryptionEnabled: true,
                kmsKeyId: args.context.kmsKeyArn,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                authToken: token.result,
                // A new token is added beside the old one, so clients holding either keep working.
                authTokenUpdateStrategy: "ROTATE",
                // ElastiCache Multi-AZ requires automatic failover; the config demands a replica for both.
                automaticFailoverEnabled: args.multiAz,
                multiAzEnabled: args.multiAz,
                autoMinorVersionUpgrade: true,
                snapshotRetentionLimit: args.snapshotRetentionDays,
                finalSnapshotIdentifier: args.context.stateful.finalSnapshot ? `${groupId}-final` : undefined,
                logDeliveryConfigurations: [{ destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
            },
            { parent: this, protect: args.context.stateful.protect },
        );

        this.endpoint = group.primaryEndpointAddress;
        this.port = group.port.apply((p) => p ?? CACHE_PORT);
        this.authSecretArn = secret.arn;
        this.securityGroupId = securityGroup.id;
        this.replicationGroupId = group.id;
        this.registerOutputs({
            endpoint: this.endpoint,
            port: this.port,
            authSecretArn: this.authSecretArn,
            securityGroupId: this.securityGroupId,
            replicationGroupId: this.replicationGroupId,
        });
    }

    /** Reading the AUTH token: GetSecretValue on its secret, and decrypt with the key only through Secrets Manager. */
    readAuthPermission(): Permission {
        return this.grants.permission("read-auth", secretRead(this.authSecretArn, this.kmsKeyArn, this.region));
    }

    /** Grants `readAuthPermission` as the policy `<cache>-read-auth-<grantee>`. */
    grantReadAuth(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.readAuthPermission(), grantee);
    }
}
