/** KMS rules: key rotation, alias names, keys admitting the services that publish with them. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph } from "../graph";
import { allowsAction, asList, globMatch, isAllow, isUnknown, servicePrincipals, type Statement, statementsOf } from "../lib";
import { EVENT_TARGET, KMS_KEY, METRIC_ALARM, QUEUE, serviceDeliveries, SUBSCRIPTION, TOPIC } from "../shared";
import type { PlatformPolicy } from "../types";

const KMS_ALIAS = "aws:kms/alias:Alias";

/** The key a queue or topic is encrypted with: a Key in this stack, an AWS-managed alias, or nothing known. */
function encryptionKey(g: StackGraph, n: Node): { key?: Node; awsManaged?: string } | undefined {
    const ref = n.props.kmsMasterKeyId;
    if (typeof ref !== "string") return undefined;
    if (/(^|:)alias\/aws\//.test(ref)) return { awsManaged: ref };
    const key = g.lookup(ref, [KMS_KEY])[0];
    if (key) return { key };
    const alias = g.lookup(ref.replace(/^arn:aws[\w-]*:kms:[^:]*:\d+:/, ""), [KMS_ALIAS])[0];
    if (alias) {
        const target = g.resolve(alias, "targetKeyId", [KMS_KEY]);
        if (!isUnknown(target) && target[0]) return { key: target[0] };
    }
    return undefined;
}

/** The encryption context SNS and SQS send with every KMS call for a topic's or queue's messages. */
const ENCRYPTION_CONTEXT_KEY: Record<string, string> = {
    [TOPIC]: "kms:encryptioncontext:aws:sns:topicarn",
    [QUEUE]: "kms:encryptioncontext:aws:sqs:arn",
};

/**
 * Condition keys a service never supplies when it delivers into an encrypted topic or queue. The SNS
 * developer guide (key management, event sources and encrypted topics): EventBridge's requests carry
 * no aws:SourceAccount or aws:SourceArn, so a statement conditioned on them never matches.
 */
const UNSENT_CONDITION_KEYS: Record<string, string[]> = {
    "events.amazonaws.com": ["aws:sourceaccount", "aws:sourcearn"],
};

/** Whether a key statement can match `service`'s KMS calls for messages into `target`. */
function satisfiable(s: Statement, service: string, target: Node): boolean {
    const unsent = UNSENT_CONDITION_KEYS[service] ?? [];
    for (const block of Object.values(s.Condition ?? {})) {
        for (const [key, value] of Object.entries(block ?? {})) {
            const k = key.toLowerCase();
            if (unsent.includes(k)) return false;
            if (!k.startsWith("kms:encryptioncontext:")) continue;
            // A context key of another kind of resource (a queue's for a topic) is never present.
            if (k !== ENCRYPTION_CONTEXT_KEY[target.type]) return false;
            const arn = target.props.arn;
            if (typeof arn === "string" && !isUnknown(value) && !asList(value as string | string[]).some((v) => typeof v !== "string" || globMatch(v, arn)))
                return false;
        }
    }
    return true;
}

export const kmsPolicies: PlatformPolicy[] = [
    {
        name: "kms-key-admits-service-publishers",
        description:
            "When SNS, EventBridge (targets and rule dead-letter queues) or CloudWatch alarms deliver into an encrypted queue or topic, its key is customer-managed and has a statement that service can satisfy (EventBridge sends no aws:SourceAccount/aws:SourceArn), or deliveries fail silently.",
        enforcementLevel: "mandatory",
        covers: [KMS_KEY, SUBSCRIPTION, EVENT_TARGET, METRIC_ALARM, QUEUE, TOPIC],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const { sender, service, target } of serviceDeliveries(g)) {
                const enc = encryptionKey(g, target);
                if (!enc) continue;
                if (enc.awsManaged) {
                    report(
                        `${sender.name} delivers to ${target.name}, encrypted with the AWS-managed key ${enc.awsManaged}, whose policy can't admit ${service}; use a customer-managed key`,
                        sender.urn,
                    );
                    continue;
                }
                const doc = enc.key!.props.policy;
                if (isUnknown(doc) || doc === undefined) continue;
                const grants = statementsOf(doc).filter((s) => isAllow(s) && servicePrincipals(s).includes(service) && satisfiable(s, service, target));
                const missing = ["kms:GenerateDataKey", "kms:Decrypt"].filter((a) => !grants.some((s) => allowsAction(s, a)));
                if (missing.length > 0)
                    report(
                        `${sender.name} delivers to ${target.name}, but key ${enc.key!.name} doesn't let ${service} call ${missing.join(", ")}; every delivery fails`,
                        sender.urn,
                    );
            }
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
];
