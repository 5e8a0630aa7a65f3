/** SNS rules: encryption, TLS-only topic policies, actions SNS accepts in a topic policy. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, deniesInsecureTransport, isSet, isUnknown, statementsOf } from "../lib";
import { resourcePolicies, TOPIC } from "../shared";
import type { PlatformPolicy } from "../types";

const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/** The actions a topic policy may name (SNS's "Valid Amazon SNS policy actions"); SNS refuses others, wildcards included. */
const TOPIC_POLICY_ACTIONS = new Set(
    [
        "AddPermission",
        "DeleteTopic",
        "GetDataProtectionPolicy",
        "GetTopicAttributes",
        "ListSubscriptionsByTopic",
        "ListTagsForResource",
        "Publish",
        "PutDataProtectionPolicy",
        "RemovePermission",
        "SetTopicAttributes",
        "Subscribe",
    ].map((a) => `sns:${a.toLowerCase()}`),
);

export const snsPolicies: PlatformPolicy[] = [
    {
        name: "sns-topic-encrypted",
        description: "SNS topics are encrypted with KMS.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sns.Topic, (p, _a, report) => {
            if (!isSet(p, "kmsMasterKeyId")) report("is not encrypted; set kmsMasterKeyId");
        }),
    },
    {
        name: "sns-deny-insecure-transport",
        description: "Every SNS topic's policy denies requests not made over TLS.",
        enforcementLevel: "mandatory",
        covers: [TOPIC, TOPIC_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const t of g.ofType(TOPIC)) {
                const docs = resourcePolicies(g, t, TOPIC_POLICY, "arn");
                if (isUnknown(docs)) continue;
                if (!docs.some((d) => statementsOf(d).some(deniesInsecureTransport)))
                    report("has no policy statement denying aws:SecureTransport false", t.urn);
            }
        },
    },
    {
        name: "sns-topic-policy-actions-valid",
        description:
            'An SNS topic policy names only SNS\'s documented topic-policy actions: SNS refuses any other action ("Policy statement action out of service scope"), and a wildcard such as sns:* is not in its list.',
        enforcementLevel: "mandatory",
        covers: [TOPIC, TOPIC_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const n of [...g.ofType(TOPIC), ...g.ofType(TOPIC_POLICY)]) {
                const doc = n.props.policy;
                if (doc === undefined || isUnknown(doc)) continue;
                for (const s of statementsOf(doc)) {
                    const actions = asList(s.Action).filter((a): a is string => typeof a === "string");
                    const invalid = actions.filter((a) => !TOPIC_POLICY_ACTIONS.has(a.toLowerCase()));
                    if (invalid.length > 0)
                        report(
                            `statement ${s.Sid ?? "(no Sid)"} names ${invalid.join(", ")}, which SNS does not accept in a topic policy; name the topic actions (e.g. sns:Publish, sns:Subscribe)`,
                            n.urn,
                        );
                }
            }
        },
    },
];
