/**
 * Type tokens and stack-graph helpers that rules of more than one module use (a helper one
 * module alone needs stays in that module).
 */
import { type Node, StackGraph, TYPES } from "./graph";
import { allowsAction, asList, at, coversResource, get, isAllow, isUnknown, UNKNOWN, type Unknown } from "./lib";
import type { PlatformPolicy } from "./types";

export const WORLD = ["0.0.0.0/0", "::/0"];

export const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

export const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

export const LOG_DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery";

export const LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource";

export const KMS_KEY = "aws:kms/key:Key";

export const TABLE = "aws:dynamodb/table:Table";

export const QUEUE = "aws:sqs/queue:Queue";

export const TOPIC = "aws:sns/topic:Topic";

export const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

export const EVENT_BUS = "aws:cloudwatch/eventBus:EventBus";

export const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

export const FUNCTION = "aws:lambda/function:Function";

export const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

export const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

/** Whether a role's grants allow `action` on `arn` (UNKNOWN when some grant can't be read). */
export function roleAllows(g: StackGraph, role: Node, action: string, arn: string): boolean | "unknown" {
    const { statements, complete } = g.permissionsOf(role);
    if (statements.some((s) => isAllow(s) && allowsAction(s, action) && coversResource(s, arn))) return true;
    return complete ? false : "unknown";
}

/** Policy documents that govern a queue or topic: inline, plus QueuePolicy/TopicPolicy resources naming it. */
export function resourcePolicies(g: StackGraph, n: Node, policyType: string, refPath: string): unknown[] | Unknown {
    const docs: unknown[] = n.props.policy === undefined ? [] : [n.props.policy];
    for (const p of g.ofType(policyType)) {
        const target = g.resolve(p, refPath, [n.type]);
        if (isUnknown(target)) return UNKNOWN;
        if (target.includes(n)) docs.push(p.props.policy);
    }
    return docs.some(isUnknown) ? UNKNOWN : docs;
}

/** Deliveries by an AWS service into a queue or topic: who sends, from which resource. */
export function serviceDeliveries(g: StackGraph): { sender: Node; service: string; target: Node }[] {
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
        if (at(t.props.deadLetterConfig, "arn") === undefined) continue;
        const dlq = g.resolve(t, "deadLetterConfig.arn", [QUEUE]);
        if (!isUnknown(dlq)) dlq.forEach((target) => out.push({ sender: t, service: "events.amazonaws.com", target }));
    }
    for (const bus of g.ofType(EVENT_BUS)) {
        if (at(bus.props.deadLetterConfig, "arn") === undefined) continue;
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

/** A log group declared in this stack, by name, for a service that would otherwise auto-create one. */
export function declaresLogGroup(g: StackGraph, name: unknown): boolean | undefined {
    if (isUnknown(name) || typeof name !== "string") return undefined;
    const groups = g.ofType(TYPES.logGroup);
    if (groups.some((l) => isUnknown(l.props.name))) return undefined;
    return groups.some((l) => l.props.name === name);
}

/** Alarms on `metric` in `namespace` whose dimension `dimension` is `value`, and that notify someone. */
export function alarmsOn(g: StackGraph, namespace: string, metric: string, dimension: string, value: unknown): Node[] {
    return g
        .ofType(METRIC_ALARM)
        .filter(
            (a) =>
                a.props.namespace === namespace &&
                a.props.metricName === metric &&
                get(a.props.dimensions, dimension) === value &&
                asList(a.props.alarmActions).length > 0,
        );
}

/** The region a resource is created in: its own `region` input (@pulumi/aws 7), else its provider's; undefined if unknown. */
export function regionOf(props: unknown, provider: { props: unknown } | undefined): string | undefined {
    const own = at(props, "region");
    if (typeof own === "string") return own;
    const r = at(provider?.props, "region");
    return typeof r === "string" ? r : undefined;
}

/** A mandatory stack rule: the resource that each `from` resource names at `path` is one this stack creates. */
export function createdInStack(rule: {
    name: string;
    description: string;
    from: string;
    path: string;
    to: string;
    says: (value: string) => string;
}): PlatformPolicy {
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

/** One of an environment's option settings, as the provider takes them. */
export interface OptionSetting {
    namespace?: unknown;
    name?: unknown;
    value?: unknown;
}
