import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationArgs } from "@pulumi/policy";
import { REQUIRED_TAGS, type PlatformPolicy } from "../types";

/** Types that accept no tags; everything else from the AWS provider is taggable. */
const UNTAGGABLE = /^aws:(iam\/(rolePolicy|rolePolicyAttachment)|kms\/alias|s3\/bucket(PublicAccessBlock|ServerSideEncryptionConfiguration|Versioning|Lifecycle|Policy|Logging|OwnershipControls)\w*|ec2\/(routeTableAssociation|route)|lb\/listenerCertificate|autoscaling\/policy|vpc\/securityGroup\w+Rule|cloudwatch\/logStream)\b/;

function tagsOf(args: ResourceValidationArgs): Record<string, string> {
    // Provider inputs reach the engine JSON-encoded, as every provider's inputs do.
    const raw = args.provider?.props?.defaultTags;
    const defaultTags = typeof raw === "string" ? JSON.parse(raw) : raw;
    const providerTags = (defaultTags?.tags ?? {}) as Record<string, string>;
    return { ...providerTags, ...((args.props.tags ?? {}) as Record<string, string>) };
}

export const hygienePolicies: PlatformPolicy[] = [
    {
        name: "cloudwatch-log-group-retention",
        description: "Every CloudWatch log group sets a retention period, so logs neither vanish nor grow forever.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (p, _a, report) => {
            if (!p.retentionInDays) report("sets no retentionInDays: logs are kept forever");
        }),
    },
    {
        name: "required-tags",
        description: `Every taggable AWS resource carries the tags ${REQUIRED_TAGS.join(", ")}, directly or through its provider's defaultTags.`,
        enforcementLevel: "advisory",
        validateResource: (args, report) => {
            if (!args.type.startsWith("aws:") || args.type.startsWith("pulumi:") || UNTAGGABLE.test(args.type)) return;
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
            if (p.enableKeyRotation !== true) report("has enableKeyRotation off");
        }),
    },
];
