/** Rules over every resource type, or every stateful one, whatever its service: tags, prod protection, names that block a replacement. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type ResourceValidation, type ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { at, isProd, json } from "../lib";
import { type PlatformPolicy, REQUIRED_TAGS } from "../types";

/** Types that accept no tags (per @pulumi/aws 7's argument types); everything else from the AWS provider is taggable. */
const UNTAGGABLE = new Set(
    [
        "iam/rolePolicy",
        "iam/rolePolicyAttachment",
        "kms/alias",
        "s3/bucketPublicAccessBlock",
        "s3/bucketServerSideEncryptionConfiguration",
        "s3/bucketServerSideEncryptionConfigurationV2",
        "s3/bucketVersioning",
        "s3/bucketVersioningV2",
        "s3/bucketLifecycleConfiguration",
        "s3/bucketLifecycleConfigurationV2",
        "s3/bucketPolicy",
        "s3/bucketLogging",
        "s3/bucketLoggingV2",
        "s3/bucketOwnershipControls",
        "s3/bucketAcl",
        "s3/bucketAclV2",
        "s3/bucketNotification",
        "ec2/routeTableAssociation",
        "ec2/route",
        "ec2/securityGroupRule",
        "vpc/securityGroupIngressRule",
        "vpc/securityGroupEgressRule",
        "lb/listenerCertificate",
        "lb/targetGroupAttachment",
        "autoscaling/policy",
        "appautoscaling/policy",
        "wafv2/webAclAssociation",
        "cloudwatch/logStream",
        "cloudwatch/eventTarget",
        "cloudwatch/eventArchive",
        "sqs/queuePolicy",
        "sqs/redrivePolicy",
        "sns/topicPolicy",
        "sns/topicSubscription",
        "lambda/permission",
        "lambda/functionEventInvokeConfig",
        "lambda/functionUrl",
        "rds/proxyTarget",
        "rds/proxyDefaultTargetGroup",
        "glue/securityConfiguration",
        "glue/catalogTable",
        "emr/securityConfiguration",
        "emr/managedScalingPolicy",
        "apigatewayv2/route",
        "apigatewayv2/integration",
        "apigatewayv2/authorizer",
        "apigateway/method",
        "apigateway/methodSettings",
        "apigateway/integration",
        "apigateway/resource",
        "apigateway/deployment",
        "cognito/userPoolClient",
        "cognito/userPoolDomain",
        "cloudfront/originAccessControl",
        "cloudfront/cachePolicy",
        "cloudfront/originRequestPolicy",
        "cloudfront/responseHeadersPolicy",
        "secretsmanager/secretVersion",
        "secretsmanager/secretPolicy",
    ].map((t) => `aws:${t}`),
);

/** "aws:s3/bucketPolicy:BucketPolicy" -> "aws:s3/bucketPolicy" */
const moduleAndResource = (type: string) => type.slice(0, type.lastIndexOf(":"));

function tagsOf(args: ResourceValidationArgs): Record<string, string> {
    // Provider inputs reach the engine JSON-encoded, as every provider's inputs do.
    const defaultTags = json(args.provider?.props?.defaultTags);
    const providerTags = (at(defaultTags, "tags") ?? {}) as Record<string, string>;
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

/** Pulumi's autonaming: the resource's own name, a dash and seven random hex digits (what a real preview shows). */
const isAutoname = (value: string, resourceName: string) => new RegExp(`^${resourceName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{7}$`).test(value);

/** Flags a fixed `name` input on a resource that a change to any `forceNew` input replaces (both checked against the class's args). */
function replacedOnChange<TArgs>(
    type: new (name: string, args: TArgs) => pulumi.CustomResource,
    name: keyof TArgs & string,
    forceNew: (keyof TArgs & string)[],
): ResourceValidation {
    return validateResourceOfType(type, (p, args, report) => {
        const props = p as Record<string, unknown>;
        const fixed = props[name];
        if (typeof fixed !== "string" || isAutoname(fixed, args.name) || args.opts?.deleteBeforeReplace) return;
        const changing = forceNew.filter((k) => props[k] !== undefined);
        if (changing.length === 0) return;
        report(
            `has the fixed ${name} "${fixed}", but a change to ${changing.join(" or ")} replaces it and the replacement is created first under the same ${name}; drop the ${name} (Pulumi autonames it) or set deleteBeforeReplace`,
        );
    });
}

/**
 * Types whose listed inputs can't be updated in place (the AWS provider marks them ForceNew or
 * has no update at all), with the input that names them. Pulumi creates a replacement before
 * deleting the old one, so a fixed name makes AWS refuse the replacement as a duplicate.
 */
const REPLACED_ON_CHANGE: ResourceValidation[] = [
    replacedOnChange(aws.emr.SecurityConfiguration, "name", ["configuration"]),
    replacedOnChange(aws.glue.SecurityConfiguration, "name", ["encryptionConfiguration"]),
    replacedOnChange(aws.cloudwatch.LogDeliverySource, "name", ["logType", "resourceArn"]),
    replacedOnChange(aws.elasticache.ParameterGroup, "name", ["family", "description"]),
    replacedOnChange(aws.rds.ParameterGroup, "name", ["family", "description"]),
    replacedOnChange(aws.rds.ClusterParameterGroup, "name", ["family", "description"]),
    replacedOnChange(aws.lambda.Permission, "statementId", [
        "action",
        "principal",
        "sourceArn",
        "sourceAccount",
        "qualifier",
        "principalOrgId",
        "eventSourceToken",
        "functionUrlAuthType",
    ]),
];

export const stackWidePolicies: PlatformPolicy[] = [
    {
        name: "events-stateful-protected-prod",
        description:
            "In prod, SQS queues (messages in flight and dead letters) and EventBridge archives (past events for replay) are Pulumi-protected, so no replacement or destroy deletes them.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [aws.sqs.Queue, aws.cloudwatch.EventArchive].map((cls) =>
            validateResourceOfType(cls as typeof aws.sqs.Queue, (_p, args, report) => {
                if (isProd(args) && args.opts.protect !== true)
                    report("holds messages or events but is not protected in prod; create it with { protect: true }");
            }),
        ),
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
        name: "stateful-resources-protected-prod",
        description:
            "In prod, stateful resources (databases, tables and replicas, caches, buckets, streams, KMS keys) are Pulumi-protected, so no replacement or destroy deletes their data.",
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
        description:
            "A resource that a change can only replace has no fixed physical name, or is replaced delete-before-create: created first, the replacement collides with the old one's name and AWS refuses it.",
        enforcementLevel: "mandatory",
        validateResource: REPLACED_ON_CHANGE,
    },
];
