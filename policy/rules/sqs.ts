import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, type Node } from "../graph";
import { allowsAction, asList, deniesInsecureTransport, get, globMatch, isAllow, isSet, isUnknown, json, servicePrincipals, type Statement, statementsOf, type Unknown, UNKNOWN } from "../lib";
import type { PlatformPolicy } from "../types";

const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy";
const REDRIVE_ALLOW_POLICY = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const EVENT_BUS = "aws:cloudwatch/eventBus:EventBus";
const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const EVENT_ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";
const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const KMS_KEY = "aws:kms/key:Key";
const KMS_ALIAS = "aws:kms/alias:Alias";

/** SQS keeps messages 4 days unless told otherwise. */
const DEFAULT_RETENTION_SECONDS = 345600;
/** The actions a topic policy may name (SNS's "Valid Amazon SNS policy actions"); SNS refuses others, wildcards included. */
const TOPIC_POLICY_ACTIONS = new Set(
    ["AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes", "ListSubscriptionsByTopic", "ListTagsForResource", "Publish", "PutDataProtectionPolicy", "RemovePermission", "SetTopicAttributes", "Subscribe"].map((a) => `sns:${a.toLowerCase()}`),
);

/** Where failed messages or events are sent: a queue named at one of these paths is a dead-letter queue. */
const FAILURE_DESTINATIONS: { type: string; path: string; jsonPath?: string }[] = [
    { type: QUEUE, path: "redrivePolicy", jsonPath: "deadLetterTargetArn" },
    { type: REDRIVE_POLICY, path: "redrivePolicy", jsonPath: "deadLetterTargetArn" },
    { type: SUBSCRIPTION, path: "redrivePolicy", jsonPath: "deadLetterTargetArn" },
    { type: "aws:lambda/function:Function", path: "deadLetterConfig.targetArn" },
    { type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", path: "destinationConfig.onFailure.destination" },
    { type: "aws:lambda/eventSourceMapping:EventSourceMapping", path: "destinationConfig.onFailure.destinationArn" },
    { type: EVENT_TARGET, path: "deadLetterConfig.arn" },
    { type: EVENT_BUS, path: "deadLetterConfig.arn" },
];

/** The ARN (or other reference) at a failure-destination path, decoding JSON-encoded redrive policies. */
function destinationOf(n: Node, d: { path: string; jsonPath?: string }): unknown {
    const v = get(n.props, d.path);
    return d.jsonPath ? get(json(v), d.jsonPath) : v;
}

/** The queues that serve as dead-letter queues or failure destinations; UNKNOWN if some can't be resolved. */
function deadLetterQueues(g: StackGraph): Set<Node> | Unknown {
    const dlqs = new Set<Node>();
    for (const d of FAILURE_DESTINATIONS) {
        for (const n of g.ofType(d.type)) {
            const target = destinationOf(n, d);
            if (target === undefined) continue;
            if (isUnknown(target)) {
                const viaDeps = (n.deps[d.path.split(".")[0]] ?? []).filter((x) => x.type === QUEUE);
                if (viaDeps.length === 0) return UNKNOWN;
                viaDeps.forEach((q) => dlqs.add(q));
                continue;
            }
            g.lookup(target, [QUEUE]).forEach((q) => dlqs.add(q));
        }
    }
    // A redrive allow policy (inline or its own resource) declares the queue a dead-letter queue.
    for (const q of g.ofType(QUEUE)) if (q.props.redriveAllowPolicy !== undefined) dlqs.add(q);
    for (const p of g.ofType(REDRIVE_ALLOW_POLICY)) {
        const q = g.resolve(p, "queueUrl", [QUEUE]);
        if (isUnknown(q)) return UNKNOWN;
        q.forEach((x) => dlqs.add(x));
    }
    return dlqs;
}

/** A queue's redrive policy: inline, or a RedrivePolicy resource naming the queue. */
function redriveOf(g: StackGraph, queue: Node): any {
    const inline = json(queue.props.redrivePolicy);
    if (inline !== undefined) return inline;
    for (const r of g.ofType(REDRIVE_POLICY)) {
        const target = g.resolve(r, "queueUrl", [QUEUE]);
        if (isUnknown(target)) return UNKNOWN;
        if (target.includes(queue)) return json(r.props.redrivePolicy);
    }
    return undefined;
}

/** Policy documents that govern a queue or topic: inline, plus QueuePolicy/TopicPolicy resources naming it. */
function resourcePolicies(g: StackGraph, n: Node, policyType: string, refPath: string): unknown[] | Unknown {
    const docs: unknown[] = n.props.policy === undefined ? [] : [n.props.policy];
    for (const p of g.ofType(policyType)) {
        const target = g.resolve(p, refPath, [n.type]);
        if (isUnknown(target)) return UNKNOWN;
        if (target.includes(n)) docs.push(p.props.policy);
    }
    return docs.some(isUnknown) ? UNKNOWN : docs;
}

/** Deliveries by an AWS service into a queue or topic: who sends, from which resource. */
function serviceDeliveries(g: StackGraph): { sender: Node; service: string; target: Node }[] {
    const out: { sender: Node; service: string; target: Node }[] = [];
    for (const sub of g.ofType(SUBSCRIPTION)) {
        if (sub.props.protocol !== "sqs") continue;
        const q = g.resolve(sub, "endpoint", [QUEUE]);
        if (!isUnknown(q)) q.forEach((target) => out.push({ sender: sub, service: "sns.amazonaws.com", target }));
    }
    for (const t of g.ofType(EVENT_TARGET)) {
        const dest = g.resolve(t, "arn", [QUEUE, TOPIC]);
        if (!isUnknown(dest)) dest.forEach((target) => out.push({ sender: t, service: "events.amazonaws.com", target }));
        // A rule's dead-letter queue is written by EventBridge too, when the target can't be reached.
        if (t.props.deadLetterConfig?.arn === undefined) continue;
        const dlq = g.resolve(t, "deadLetterConfig.arn", [QUEUE]);
        if (!isUnknown(dlq)) dlq.forEach((target) => out.push({ sender: t, service: "events.amazonaws.com", target }));
    }
    for (const bus of g.ofType(EVENT_BUS)) {
        if (bus.props.deadLetterConfig?.arn === undefined) continue;
        const dlq = g.resolve(bus, "deadLetterConfig.arn", [QUEUE]);
        if (!isUnknown(dlq)) dlq.forEach((target) => out.push({ sender: bus, service: "events.amazonaws.com", target }));
    }
    for (const alarm of g.ofType(METRIC_ALARM)) {
        for (const path of ["alarmActions", "okActions", "insufficientDataActions"]) {
            const dest = g.resolve(alarm, path, [TOPIC]);
            if (!isUnknown(dest)) dest.forEach((target) => out.push({ sender: alarm, service: "cloudwatch.amazonaws.com", target }));
        }
    }
    return out;
}

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
            if (typeof arn === "string" && !isUnknown(value) && !asList(value as string | string[]).some((v) => typeof v !== "string" || globMatch(v, arn))) return false;
        }
    }
    return true;
}

export const messagingPolicies: PlatformPolicy[] = [
    // SQS.
    {
        name: "sqs-queue-encrypted",
        description: "SQS queues are encrypted at rest (a KMS key, or SQS-managed SSE set explicitly).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sqs.Queue, (p, _a, report) => {
            if (!isSet(p, "kmsMasterKeyId") && p.sqsManagedSseEnabled !== true) report("is not encrypted; set kmsMasterKeyId (or sqsManagedSseEnabled)");
        }),
    },
    {
        name: "sqs-queue-has-dlq",
        description: "Every SQS queue that isn't itself a dead-letter queue redrives to one (of the same kind, FIFO or standard) after a bounded number of receives.",
        enforcementLevel: "mandatory",
        covers: [QUEUE, REDRIVE_POLICY, REDRIVE_ALLOW_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const dlqs = deadLetterQueues(g);
            if (isUnknown(dlqs)) return;
            for (const q of g.ofType(QUEUE)) {
                if (dlqs.has(q)) continue;
                const redrive = redriveOf(g, q);
                if (isUnknown(redrive)) continue;
                if (!redrive?.deadLetterTargetArn) {
                    report("has no dead-letter queue: a message that always fails is retried until it expires, then lost", q.urn);
                    continue;
                }
                if (isUnknown(redrive.deadLetterTargetArn)) continue;
                const target = g.lookup(redrive.deadLetterTargetArn, [QUEUE])[0];
                if (target && !isUnknown(q.props.fifoQueue) && !isUnknown(target.props.fifoQueue) && Boolean(q.props.fifoQueue) !== Boolean(target.props.fifoQueue)) {
                    report(`redrives to ${target.name}, but a ${q.props.fifoQueue ? "FIFO" : "standard"} queue's dead-letter queue must be ${q.props.fifoQueue ? "FIFO" : "standard"} too`, q.urn);
                }
            }
        },
    },
    {
        name: "sqs-dlq-outlives-source",
        description: "A dead-letter queue keeps messages at least as long as its source queue, or redriven messages expire early.",
        enforcementLevel: "advisory",
        covers: [QUEUE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const q of g.ofType(QUEUE)) {
                const redrive = redriveOf(g, q);
                if (isUnknown(redrive) || typeof redrive?.deadLetterTargetArn !== "string") continue;
                const dlq = g.lookup(redrive.deadLetterTargetArn, [QUEUE])[0];
                if (!dlq) continue;
                const source = q.props.messageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS;
                const kept = dlq.props.messageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS;
                if (isUnknown(source) || isUnknown(kept)) continue;
                if (kept < source) report(`keeps messages ${kept}s but its source ${q.name} keeps them ${source}s; the message's original age counts, so they expire early`, dlq.urn);
            }
        },
    },
    {
        name: "sqs-deny-insecure-transport",
        description: "Every SQS queue's policy denies requests not made over TLS.",
        enforcementLevel: "mandatory",
        covers: [QUEUE, QUEUE_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const q of g.ofType(QUEUE)) {
                const docs = resourcePolicies(g, q, QUEUE_POLICY, "queueUrl");
                if (isUnknown(docs)) continue;
                if (!docs.some((d) => statementsOf(d).some(deniesInsecureTransport))) report("has no policy statement denying aws:SecureTransport false", q.urn);
            }
        },
    },
    {
        name: "sqs-queue-policy-admits-publishers",
        description: "A queue that SNS or EventBridge delivers to has a policy letting that service send messages (otherwise deliveries are dropped silently).",
        enforcementLevel: "mandatory",
        covers: [QUEUE, QUEUE_POLICY, SUBSCRIPTION, EVENT_TARGET],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const { sender, service, target } of serviceDeliveries(g)) {
                if (target.type !== QUEUE) continue;
                const docs = resourcePolicies(g, target, QUEUE_POLICY, "queueUrl");
                if (isUnknown(docs)) continue;
                const admitted = docs.some((d) => statementsOf(d).some((s) => isAllow(s) && servicePrincipals(s).includes(service) && allowsAction(s, "sqs:SendMessage")));
                if (!admitted) report(`${sender.name} delivers to queue ${target.name}, whose policy doesn't let ${service} call sqs:SendMessage; every delivery is dropped`, sender.urn);
            }
        },
    },
    // SNS.
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
                if (!docs.some((d) => statementsOf(d).some(deniesInsecureTransport))) report("has no policy statement denying aws:SecureTransport false", t.urn);
            }
        },
    },
    {
        name: "sns-topic-policy-actions-valid",
        description: "An SNS topic policy names only SNS's documented topic-policy actions: SNS refuses any other action (\"Policy statement action out of service scope\"), and a wildcard such as sns:* is not in its list.",
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
                    if (invalid.length > 0) report(`statement ${s.Sid ?? "(no Sid)"} names ${invalid.join(", ")}, which SNS does not accept in a topic policy; name the topic actions (e.g. sns:Publish, sns:Subscribe)`, n.urn);
                }
            }
        },
    },
    {
        name: "kms-key-admits-service-publishers",
        description: "When SNS, EventBridge (targets and rule dead-letter queues) or CloudWatch alarms deliver into an encrypted queue or topic, its key is customer-managed and has a statement that service can satisfy (EventBridge sends no aws:SourceAccount/aws:SourceArn), or deliveries fail silently.",
        enforcementLevel: "mandatory",
        covers: [KMS_KEY, SUBSCRIPTION, EVENT_TARGET, METRIC_ALARM, QUEUE, TOPIC],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const { sender, service, target } of serviceDeliveries(g)) {
                const enc = encryptionKey(g, target);
                if (!enc) continue;
                if (enc.awsManaged) {
                    report(`${sender.name} delivers to ${target.name}, encrypted with the AWS-managed key ${enc.awsManaged}, whose policy can't admit ${service}; use a customer-managed key`, sender.urn);
                    continue;
                }
                const doc = enc.key!.props.policy;
                if (isUnknown(doc) || doc === undefined) continue;
                const grants = statementsOf(doc).filter((s) => isAllow(s) && servicePrincipals(s).includes(service) && satisfiable(s, service, target));
                const missing = ["kms:GenerateDataKey", "kms:Decrypt"].filter((a) => !grants.some((s) => allowsAction(s, a)));
                if (missing.length > 0) report(`${sender.name} delivers to ${target.name}, but key ${enc.key!.name} doesn't let ${service} call ${missing.join(", ")}; every delivery fails`, sender.urn);
            }
        },
    },
    // EventBridge.
    {
        name: "eventbridge-target-dlq",
        description: "EventBridge targets have a dead-letter queue, so events that can't be delivered after retries are kept.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cloudwatch.EventTarget, (p, _a, report) => {
            if (!isSet(p, "deadLetterConfig.arn")) report("has no dead-letter queue; undeliverable events are dropped after retries");
        }),
    },
    {
        name: "eventbridge-bus-archived",
        description: "Every custom EventBridge bus has an archive, so events can be replayed.",
        enforcementLevel: "advisory",
        covers: [EVENT_BUS, EVENT_ARCHIVE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const archives = g.ofType(EVENT_ARCHIVE);
            for (const bus of g.ofType(EVENT_BUS)) {
                const archived = archives.some((a) => {
                    const src = g.resolve(a, "eventSourceArn", [EVENT_BUS]);
                    return isUnknown(src) || src.includes(bus);
                });
                if (!archived) report("has no archive; its events can't be replayed", bus.urn);
            }
        },
    },
    {
        name: "eventbridge-rule-has-target",
        description: "Every EventBridge rule has at least one target (a rule without one matches events and drops them).",
        enforcementLevel: "advisory",
        covers: [EVENT_RULE, EVENT_TARGET],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const targets = g.ofType(EVENT_TARGET);
            for (const rule of g.ofType(EVENT_RULE)) {
                const targeted = targets.some((t) => {
                    const r = g.resolve(t, "rule", [EVENT_RULE]);
                    return isUnknown(r) || r.includes(rule);
                });
                if (!targeted) report("has no target", rule.urn);
            }
        },
    },
];
