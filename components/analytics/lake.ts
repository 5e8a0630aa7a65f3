import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "../bucket";
import { Grants, type Grantee, type Permission } from "../grants";
import type { Statement } from "../iam";

export interface DataLakeArgs {
    /** Days raw-zone objects are kept. */
    rawExpirationDays: number;
    /** Days curated-zone objects are kept. */
    curatedExpirationDays: number;
    /** Days Glue temporary files and Spark logs are kept. */
    workExpirationDays: number;
    /** Days overwritten or deleted object versions are kept. */
    noncurrentVersionExpirationDays: number;
    /** Server access logs for every lake bucket into a separate log bucket. */
    accessLogging: boolean;
    /** Days access logs are kept. */
    accessLogExpirationDays: number;
    /** KMS key of every lake bucket but the log bucket. */
    kmsKeyArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
    /** The home region. */
    region: string;
    /** Pulumi protect on the buckets, and no emptying them on destroy. */
    protect: boolean;
}

/** A bucket of the lake, as the roles that use it need it. */
export interface LakeBucket {
    name: pulumi.Output<string>;
    arn: pulumi.Output<string>;
}

/**
 * The data lake. The zones are separate buckets rather than prefixes of one: each zone then has
 * its own lifecycle (raw is replayable and expires sooner; curated is what analysts keep), and
 * access is granted per bucket, so the writer of one zone (Firehose: raw; the Glue job: curated)
 * cannot touch another by a prefix mistake. Beside them, `assets` holds the job scripts (never
 * expired) and `work` holds Glue temporary files and Spark logs (expired quickly). All are
 * private, SSE-KMS with the platform key and versioned; in prod their server access logs go to
 * a log bucket, which S3 requires to use SSE-S3: log delivery cannot write SSE-KMS objects.
 */
export class DataLake extends pulumi.ComponentResource {
    public readonly raw: LakeBucket;
    public readonly curated: LakeBucket;
    public readonly assets: LakeBucket;
    public readonly work: LakeBucket;
    /** The access log bucket, when access logging is on. */
    public readonly accessLogs?: LakeBucket;
    /** Every bucket's name by its role: raw, curated, assets, work and (with access logging) accessLogs. */
    public readonly bucketNames: pulumi.Output<{ [role: string]: string }>;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly region: string;
    private readonly grants: Grants;

    constructor(name: string, args: DataLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:DataLake", name, {}, opts);
        this.kmsKeyArn = args.kmsKeyArn;
        this.region = args.region;
        this.grants = new Grants(this, name);
        const zone = (zoneName: string, expirationDays?: number) =>
            new SecureBucket(
                `${name}-${zoneName}`,
                {
                    kmsKeyArn: args.kmsKeyArn,
                    versioning: true,
                    expirationDays,
                    noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays,
                    protect: args.protect,
                },
                { parent: this },
            );
        const buckets = {
            raw: zone("raw", args.rawExpirationDays),
            curated: zone("curated", args.curatedExpirationDays),
            assets: zone("assets"),
            work: zone("work", args.workExpirationDays),
        };
        this.raw = buckets.raw;
        this.curated = buckets.curated;
        this.assets = buckets.assets;
        this.work = buckets.work;

        if (args.accessLogging) {
            const sources = Object.values(buckets).map((b) => b.arn);
            const logs = new SecureBucket(
                `${name}-access-logs`,
                {
                    versioning: true,
                    expirationDays: args.accessLogExpirationDays,
                    noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays,
                    protect: args.protect,
                    policyStatements: (arn) => [
                        {
                            Sid: "S3ServerAccessLogDelivery",
                            Principal: { Service: "logging.s3.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${arn}/*`,
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId }, ArnLike: { "aws:SourceArn": sources } },
                        },
                    ],
                },
                { parent: this },
            );
            for (const [zoneName, bucket] of Object.entries(buckets)) {
                new aws.s3.BucketLogging(
                    `${name}-${zoneName}-access-logging`,
                    {
                        bucket: bucket.name,
                        targetBucket: logs.name,
                        targetPrefix: `${zoneName}/`,
                        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
                    },
                    // S3 checks the log bucket's policy when logging is turned on, and rejects concurrent changes to one bucket.
                    { parent: this, dependsOn: [logs.policy, bucket.policy] },
                );
            }
            this.accessLogs = logs;
        }
        const names: { [role: string]: pulumi.Output<string> } = {
            raw: this.raw.name,
            curated: this.curated.name,
            assets: this.assets.name,
            work: this.work.name,
        };
        if (this.accessLogs) names.accessLogs = this.accessLogs.name;
        this.bucketNames = pulumi.all(names);
        this.registerOutputs({ bucketNames: this.bucketNames });
    }

    /**
     * Reading objects whose keys start with `prefix` (e.g. "events": also the "events" and "events/"
     * markers Spark's S3 clients probe), and decrypting them through S3. `sid` names the scope
     * ("RawEvents"): the statements' ids start with it and the permission is "read-raw-events".
     */
    readPermission(bucket: LakeBucket, prefix: string, sid: string): Permission {
        return this.grants.permission(`read-${kebab(sid)}`, [
            ...this.bucketLevel(bucket, prefix, sid),
            { Sid: `${sid}Get`, Action: "s3:GetObject", Resource: objects(bucket, prefix) },
            this.keyUse(`${sid}Decrypt`, ["kms:Decrypt"]),
        ]);
    }

    /** Grants `readPermission` as the policy `<lake>-read-<scope>-<grantee>`. */
    grantRead(grantee: Grantee, bucket: LakeBucket, prefix: string, sid: string): aws.iam.RolePolicy {
        return this.grants.grant(this.readPermission(bucket, prefix, sid), grantee);
    }

    /** Reading, writing and replacing objects whose keys start with `prefix` (permission "read-write-<scope>"). */
    readWritePermission(bucket: LakeBucket, prefix: string, sid: string): Permission {
        return this.grants.permission(`read-write-${kebab(sid)}`, [
            ...this.bucketLevel(bucket, prefix, sid),
            {
                Sid: `${sid}Objects`,
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: objects(bucket, prefix),
            },
            this.keyUse(`${sid}Key`, ["kms:Decrypt", "kms:GenerateDataKey"]),
        ]);
    }

    /** Grants `readWritePermission` as the policy `<lake>-read-write-<scope>-<grantee>`. */
    grantReadWrite(grantee: Grantee, bucket: LakeBucket, prefix: string, sid: string): aws.iam.RolePolicy {
        return this.grants.grant(this.readWritePermission(bucket, prefix, sid), grantee);
    }

    private bucketLevel(bucket: LakeBucket, prefix: string, sid: string): Statement[] {
        const parents = parentDirectories(prefix);
        return [
            // A listing with a prefix is limited to this one and the directories above it, which
            // Hadoop's S3 clients (EMRFS, S3A) list before writing below them. HeadBucket (an
            // existence check Firehose and the S3 clients make) is authorized as s3:ListBucket and
            // carries no s3:prefix, so the condition applies only where the key exists.
            {
                Sid: `${sid}List`,
                Action: "s3:ListBucket",
                Resource: bucket.arn,
                Condition: { StringLikeIfExists: { "s3:prefix": [`${prefix}*`, ...parents] } },
            },
            { Sid: `${sid}Bucket`, Action: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], Resource: bucket.arn },
            // The same clients HEAD the directory markers above the prefix; a refused HEAD fails the write.
            ...(parents.length > 0
                ? [{ Sid: `${sid}Parents`, Action: "s3:GetObject", Resource: parents.map((p) => pulumi.interpolate`${bucket.arn}/${p}`) }]
                : []),
        ];
    }

    /** SSE-KMS objects are encrypted by S3 on the caller's behalf; the key is usable only through S3. */
    private keyUse(sid: string, actions: string[]): Statement {
        return { Sid: sid, Action: actions, Resource: this.kmsKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${this.region}.amazonaws.com` } } };
    }
}

/** "RawEvents" -> "raw-events". */
const kebab = (sid: string) => sid.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

const objects = (bucket: LakeBucket, prefix: string) => pulumi.interpolate`${bucket.arn}/${prefix}*`;

/** The directories above a key prefix, as keys and as markers: "aggregates/daily" gives "aggregates" and "aggregates/". */
export function parentDirectories(prefix: string): string[] {
    const parts = prefix.split("/").filter(Boolean).slice(0, -1);
    return parts.flatMap((_, i) => {
        const dir = parts.slice(0, i + 1).join("/");
        return [dir, `${dir}/`];
    });
}
