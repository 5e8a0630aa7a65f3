/** EventBridge rules: targets with dead-letter queues, archived buses, rules with targets. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { isSet, isUnknown } from "../lib";
import { EVENT_BUS, EVENT_TARGET } from "../shared";
import type { PlatformPolicy } from "../types";

const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";

const EVENT_ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive";

export const eventbridgePolicies: PlatformPolicy[] = [
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
