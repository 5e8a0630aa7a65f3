import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type Statement } from "./iam";

export interface SecureBucketArgs {
    /** SSE-KMS with this key; without one, SSE-S3 (AES256), which some AWS log deliveries (ALB access logs) require. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Keep prior versions of overwritten and deleted objects. */
    versioning: boolean;
    /** Delete objects this many days after they are written. */
    expirationDays?: number;
    /** Delete superseded versions this many days after they stop being current (versioned buckets). */
    noncurrentVersionExpirationDays?: number;
    /** Statements the bucket policy adds to its deny of non-TLS requests, given the bucket's ARN. */
    policyStatements?: (bucketArn: pulumi.Output<string>) => Statement[];
    /** Pulumi protect, and keep the bucket with its objects on destroy; otherwise it is emptied on destroy. */
    protect: boolean;
}

/**
 * A private S3 bucket: every public access block on, ACLs disabled (BucketOwnerEnforced),
 * default encryption, a policy that denies any request not made over TLS, and optionally
 * versioning and lifecycle expiry.
 */
export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    /** The bucket policy; depend on it before pointing a service's delivery at the bucket. */
    public readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:storage:SecureBucket", name, {}, opts);
        const parent = { parent: this };
        this.bucket = new aws.s3.Bucket(name, { forceDestroy: !args.protect }, { parent: this, protect: args.protect, retainOnDelete: args.protect });
        const bucket = this.bucket.id;

        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket,
                rules: [
                    args.kmsKeyArn
                        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            parent,
        );
        if (args.versioning) {
            new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, parent);
        }
        const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
            { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ];
        if (args.expirationDays !== undefined) rules.push({ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: args.expirationDays } });
        if (args.versioning && args.noncurrentVersionExpirationDays !== undefined) {
            rules.push({
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays },
            });
        }
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket, rules }, parent);

        this.policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket,
                policy: policyDocument([
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": false } },
                    },
                    ...(args.policyStatements?.(this.bucket.arn) ?? []),
                ]),
            },
            // S3 rejects concurrent configuration changes to one bucket; the policy goes last.
            { parent: this, dependsOn: [publicAccess, ownership] },
        );

        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
