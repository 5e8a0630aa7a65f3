import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationArgs } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { isProd, isSet, isUnknown, json } from "../lib";
import { REQUIRED_TAGS, type PlatformPolicy } from "../types";

/** Types that accept no tags (per @pulumi/aws 7's argument types); everything else from the AWS provider is taggable. */
const UNTAGGABLE = new Set(
    [
        "iam/rolePolicy", "iam/rolePolicyAttachment", "kms/alias",
        "s3/bucketPublicAccessBlock", "s3/bucketServerSideEncryptionConfiguration", "s3/bucketServerSideEncryptionConfigurationV2", "s3/bucketVersioning", "s3/bucketVersioningV2",
        "s3/bucketLifecycleConfiguration", "s3/bucketLifecycleConfigurationV2", "s3/bucketPolicy", "s3/bucketLogging", "s3/bucketLoggingV2", "s3/bucketOwnershipControls",
        "s3/bucketAcl", "s3/bucketAclV2", "s3/bucketNotification",
        "ec2/routeTableAssociation", "ec2/route", "ec2/securityGroupRule", "vpc/securityGroupIngressRule", "vpc/securityGroupEgressRule",
        "lb/listenerCertificate", "lb/targetGroupAttachment", "autoscaling/policy", "appautoscaling/policy", "wafv2/webAclAssociation",
        "cloudwatch/logStream", "cloudwatch/eventTarget", "cloudwatch/eventArchive",
        "sqs/queuePolicy", "sqs/redrivePolicy", "sns/topicPolicy", "sns/topicSubscription",
        "lambda/permission", "lambda/functionEventInvokeConfig", "lambda/functionUrl",
        "rds/proxyTarget", "rds/proxyDefaultTargetGroup",
        "glue/securityConfiguration", "glue/catalogTable", "emr/securityConfiguration", "emr/managedScalingPolicy",
        "apigatewayv2/route", "apigatewayv2/integration", "apigatewayv2/authorizer", "apigateway/method", "apigateway/methodSettings", "apigateway/integration", "apigateway/resource", "apigateway/deployment",
        "cognito/userPoolClient", "cognito/userPoolDomain", "cloudfront/originAccessControl", "cloudfront/cachePolicy", "cloudfront/originRequestPolicy", "cloudfront/responseHeadersPolicy",
        "secretsmanager/secretVersion", "secretsmanager/secretPolicy",
    ].map((t) => `aws:${t}`),
);

/** "aws:s3/bucketPolicy:BucketPolicy" -> "aws:s3/bucketPolicy" */
const moduleAndResource = (type: string) => type.slice(0, type.lastIndexOf(":"));

function tagsOf(args: ResourceValidationArgs): Record<string, string> {
    // Provider inputs reach the engine JSON-encoded, as every provider's inputs do.
    const defaultTags = json(args.provider?.props?.defaultTags);
    const providerTags = (defaultTags?.tags ?? {}) as Record<string, string>;
    return { ...providerTags, ...((args.props.tags ?? {}) as Record<string, string>) };
}

/** Resource types that hold data: in prod Pulumi `protect` keeps a replacement or destroy from deleting it. */
export const STATEFUL_TYPES = [
    aws.rds.Instance,
    aws.rds.Cluster,
    aws.dynamodb.Table,
    aws.dynamodb.TableReplica,
    aws.elasticache.ReplicationGroup,
    aws.s3.Bucket,
    aws.s3.BucketV2,
    aws.kinesis.Stream,
    aws.kms.Key,
];

/** SSM parameter names that suggest a credential. */
const SECRET_PARAMETER = /(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key)/i;

const LOG_STREAM = "aws:cloudwatch/logStream:LogStream";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

/** A mandatory stack rule: the resource that each `from` resource names at `path` is one this stack creates. */
function createdInStack(rule: { name: string; description: string; from: string; path: string; to: string; says: (value: string) => string }): PlatformPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        covers: [rule.from, rule.to],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const node of g.ofType(rule.from)) {
                const target = g.resolve(node, rule.path, [rule.to]);
                if (!isUnknown(target) && target.length === 0) report(rule.says(JSON.stringify(node.props[rule.path])), node.urn);
            }
        },
    };
}

/**
 * Types whose listed inputs can't be updated in place (the AWS provider marks them ForceNew or
 * has no update at all), with the input that names them. Pulumi creates a replacement before
 * deleting the old one, so a fixed name makes AWS refuse the replacement as a duplicate.
 */
const REPLACED_ON_CHANGE: { type: any; name: string; forceNew: string[] }[] = [
    { type: aws.emr.SecurityConfiguration, name: "name", forceNew: ["configuration"] },
    { type: aws.glue.SecurityConfiguration, name: "name", forceNew: ["encryptionConfiguration"] },
    { type: aws.cloudwatch.LogDeliverySource, name: "name", forceNew: ["logType", "resourceArn"] },
    { type: aws.elasticache.ParameterGroup, name: "name", forceNew: ["family", "description"] },
    { type: aws.rds.ParameterGroup, name: "name", forceNew: ["family", "description"] },
    { type: aws.rds.ClusterParameterGroup, name: "name", forceNew: ["family", "description"] },
    { type: aws.lambda.Permission, name: "statementId", forceNew: ["action", "principal", "sourceArn", "sourceAccount", "qualifier", "principalOrgId", "eventSourceToken", "functionUrlAuthType"] },
];
/** Pulumi's autonaming: the resource's own name, a dash and seven random hex digits (what a real preview shows). */
const isAutoname = (value: string, resourceName: string) => new RegExp(`^${resourceName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{7}$`).test(value);

export const hygienePolicies: PlatformPolicy[] = [
    {
        name: "cloudwatch-log-group-retention",
        description: "Every CloudWatch log group sets a retention period, so logs neither vanish nor grow forever (outside prod; in prod, cloudwatch-log-group-retention-prod).",
        enforcementLevel: "advisory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, args, report) => {
            if (!isProd(args) && !p.retentionInDays) report("sets no retentionInDays: logs are kept forever");
        }),
    },
    {
        name: "cloudwatch-log-group-retention-prod",
        description: "In prod, every CloudWatch log group keeps its logs for a period chosen on purpose: a group without one keeps them forever, at a cost no one decided.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, args, report) => {
            if (isProd(args) && !p.retentionInDays) report("sets no retentionInDays in prod: logs are kept forever; set the retention the stack's logRetentionDays gives");
        }),
    },
    {
        name: "cloudwatch-log-group-encrypted",
        description: "CloudWatch log groups are encrypted with the platform's customer-managed KMS key.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, _a, report) => {
            if (!isSet(p, "kmsKeyId")) report("is encrypted with CloudWatch's own key only; set kmsKeyId");
        }),
    },
    {
        name: "cloudwatch-alarm-has-actions",
        description: "Every CloudWatch alarm notifies someone (alarm actions set and enabled).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (p, _a, report) => {
            if (p.actionsEnabled === false || (p.alarmActions ?? []).length === 0) report("notifies no one when it fires");
        }),
    },
    {
        name: "required-tags",
        description: `Every taggable AWS resource carries the tags ${REQUIRED_TAGS.join(", ")}, directly or through its provider's defaultTags.`,
        enforcementLevel: "advisory",
        validateResource: (args, report) => {
            if (!args.type.startsWith("aws:") || UNTAGGABLE.has(moduleAndResource(args.type))) return;
            const tags = tagsOf(args);
            const missing = REQUIRED_TAGS.filter((t) => !tags[t]);
            if (missing.length > 0) report(`is missing the tag(s) ${missing.join(", ")}`);
        },
    },
    {
        name: "kms-key-rotation",
        description: "Customer-managed KMS keys rotate their key material yearly.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kms.Key, (p, _a, report) => {
            if ((p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" && p.enableKeyRotation !== true) report("has enableKeyRotation off");
        }),
    },
    {
        name: "kms-alias-name-valid",
        description: 'KMS alias names start with "alias/" and not "alias/aws/", which AWS reserves (it rejects anything else).',
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kms.Alias, (p, _a, report) => {
            const name = p.name ?? (p.namePrefix ? `${p.namePrefix}x` : undefined);
            if (name === undefined) return;
            if (!name.startsWith("alias/")) report(`is named ${name}; alias names start with "alias/"`);
            else if (name.startsWith("alias/aws/")) report(`is named ${name}; the alias/aws/ prefix is reserved for AWS-managed keys`);
        }),
    },
    {
        name: "ssm-parameter-secure-string",
        description: "SSM parameters whose names suggest a credential are SecureString, encrypted with KMS.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ssm.Parameter, (p, args, report) => {
            const name = p.name ?? args.name;
            // A name ending in ARN holds a reference (e.g. a Secrets Manager secret's ARN), not the credential.
            if (SECRET_PARAMETER.test(name) && !/[-_.]arn$/i.test(name) && p.type !== "SecureString") report(`holds ${name} as ${p.type}; store credentials as SecureString`);
        }),
    },
    {
        name: "secretsmanager-secret-cmk",
        description: "Secrets Manager secrets are encrypted with a customer-managed KMS key, so access to the key can be audited and revoked.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.secretsmanager.Secret, (p, _a, report) => {
            if (!isSet(p, "kmsKeyId")) report("is encrypted with the AWS-managed key aws/secretsmanager");
        }),
    },
    {
        name: "stateful-resources-protected-prod",
        description: "In prod, stateful resources (databases, tables and replicas, caches, buckets, streams, KMS keys) are Pulumi-protected, so no replacement or destroy deletes their data.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: STATEFUL_TYPES.map((cls) =>
            validateResourceOfType(cls as typeof aws.kms.Key, (_p, args, report) => {
                if (isProd(args) && args.opts.protect !== true) report("holds data but is not protected in prod; create it with { protect: true }");
            }),
        ),
    },
    {
        name: "replaced-resource-not-fixed-name",
        description: "A resource that a change can only replace has no fixed physical name, or is replaced delete-before-create: created first, the replacement collides with the old one's name and AWS refuses it.",
        enforcementLevel: "mandatory",
        validateResource: REPLACED_ON_CHANGE.map(({ type, name, forceNew }) =>
            validateResourceOfType(type, (props: Record<string, unknown>, args, report) => {
                const fixed = props[name];
                if (typeof fixed !== "string" || isAutoname(fixed, args.name) || args.opts?.deleteBeforeReplace) return;
                const changing = forceNew.filter((k) => props[k] !== undefined);
                if (changing.length === 0) return;
                report(`has the fixed ${name} "${fixed}", but a change to ${changing.join(" or ")} replaces it and the replacement is created first under the same ${name}; drop the ${name} (Pulumi autonames it) or set deleteBeforeReplace`);
            }),
        ),
    },
    createdInStack({
        name: "log-stream-in-stack-group",
        description: "A log stream is created in a log group of this stack: CreateLogStream fails on a group that does not exist, and a group outside the stack escapes the retention and encryption rules.",
        from: LOG_STREAM,
        path: "logGroupName",
        to: TYPES.logGroup,
        says: (group) => `is created in log group ${group}, which this stack does not create`,
    }),
    createdInStack({
        name: "secret-version-in-stack-secret",
        description: "A secret value is stored only in a Secrets Manager secret of this stack, whose encryption and policy the other rules check.",
        from: SECRET_VERSION,
        path: "secretId",
        to: SECRET,
        says: (secret) => `stores a value in secret ${secret}, which this stack does not create`,
    }),
];
