/** Elastic Beanstalk rules: the environment's option settings keep its instances private, IMDSv2-only, healthy, patched, logged and at capacity. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { asList, isProd, isUnknown } from "../lib";
import type { OptionSetting } from "../shared";
import type { PlatformPolicy } from "../types";

/** An option setting's value: undefined when it is not set, UNKNOWN-tolerant (returns "unknown" when any part is unknown). */
function setting(settings: unknown, namespace: string, name: string): string | undefined | "unknown" {
    if (isUnknown(settings)) return "unknown";
    const found = asList(settings as OptionSetting[]).find((s) => !isUnknown(s) && s?.namespace === namespace && s?.name === name);
    if (!found) return undefined;
    return isUnknown(found.value) ? "unknown" : String(found.value);
}

type Check = (get: (namespace: string, name: string) => string | undefined, report: (message: string) => void, prod: boolean) => void;

/** A rule over each environment's option settings; a setting whose value is not known yet is taken as compliant. */
function environmentRule(name: string, description: string, check: Check, environmentAware = false): PlatformPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        ...(environmentAware ? { environmentAware: true } : {}),
        validateResource: validateResourceOfType(aws.elasticbeanstalk.Environment, (p, args, report) => {
            let unknown = false;
            const get = (namespace: string, option: string) => {
                const v = setting(p.settings, namespace, option);
                if (v === "unknown") unknown = true;
                return v === "unknown" ? undefined : v;
            };
            const found: string[] = [];
            check(get, (m) => found.push(m), isProd(args));
            if (!unknown) found.forEach((m) => report(m));
        }),
    };
}

const LC = "aws:autoscaling:launchconfiguration";

export const elasticbeanstalkPolicies: PlatformPolicy[] = [
    environmentRule(
        "elasticbeanstalk-imdsv1-disabled",
        "Elastic Beanstalk instances serve IMDSv2 only (aws:autoscaling:launchconfiguration DisableIMDSv1 true): IMDSv1 hands the instance role's credentials to any SSRF.",
        (get, report) => {
            if (get(LC, "DisableIMDSv1") !== "true")
                report(`sets ${LC} DisableIMDSv1 to ${get(LC, "DisableIMDSv1") ?? "nothing (IMDSv1 stays on)"}; set it to true`);
        },
    ),
    environmentRule(
        "elasticbeanstalk-enhanced-health",
        "Elastic Beanstalk environments report enhanced health (aws:elasticbeanstalk:healthreporting:system SystemType enhanced), which managed updates and deployments rely on.",
        (get, report) => {
            const type = get("aws:elasticbeanstalk:healthreporting:system", "SystemType");
            if (type !== "enhanced") report(`reports ${type ?? "basic"} health; set aws:elasticbeanstalk:healthreporting:system SystemType to enhanced`);
        },
    ),
    environmentRule(
        "elasticbeanstalk-managed-updates",
        "Elastic Beanstalk environments take managed platform updates in a weekly window (ManagedActionsEnabled true, a PreferredStartTime, UpdateLevel minor or patch).",
        (get, report) => {
            const ns = "aws:elasticbeanstalk:managedactions";
            if (get(ns, "ManagedActionsEnabled") !== "true")
                report(`has managed platform updates off (${ns} ManagedActionsEnabled); the platform goes unpatched`);
            else {
                const start = get(ns, "PreferredStartTime");
                if (!start || !/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$/.test(start))
                    report(`has managed updates on but PreferredStartTime ${JSON.stringify(start ?? null)}; give a weekly day:hour:minute window`);
                const level = get(`${ns}:platformupdate`, "UpdateLevel");
                if (level !== "minor" && level !== "patch")
                    report(`has managed updates on but UpdateLevel ${JSON.stringify(level ?? null)}; set minor or patch`);
            }
        },
    ),
    environmentRule(
        "elasticbeanstalk-logs-streamed",
        "Elastic Beanstalk environments stream instance logs to CloudWatch Logs (StreamLogs true) with a retention period, kept when the environment is terminated.",
        (get, report) => {
            const ns = "aws:elasticbeanstalk:cloudwatch:logs";
            if (get(ns, "StreamLogs") !== "true") report(`does not stream logs (${ns} StreamLogs); instance logs are lost with the instances`);
            else if (!get(ns, "RetentionInDays")) report(`streams logs without ${ns} RetentionInDays; Elastic Beanstalk's default keeps them 7 days`);
            if (get(ns, "DeleteOnTerminate") === "true") report(`deletes its log groups when the environment terminates (${ns} DeleteOnTerminate true)`);
        },
    ),
    environmentRule(
        "elasticbeanstalk-no-public-ip",
        "Elastic Beanstalk instances launch without public IP addresses (aws:ec2:vpc AssociatePublicIpAddress false), in the subnets it names.",
        (get, report) => {
            if (get("aws:ec2:vpc", "AssociatePublicIpAddress") !== "false")
                report(
                    `sets aws:ec2:vpc AssociatePublicIpAddress to ${get("aws:ec2:vpc", "AssociatePublicIpAddress") ?? "nothing (the subnet decides)"}; set it to false`,
                );
            if (!get("aws:ec2:vpc", "Subnets")) report("names no aws:ec2:vpc Subnets: the instances land in the default VPC");
        },
    ),
    environmentRule(
        "elasticbeanstalk-deployment-keeps-capacity",
        "In prod, Elastic Beanstalk deploys without taking serving capacity away (aws:elasticbeanstalk:command DeploymentPolicy RollingWithAdditionalBatch, Immutable or TrafficSplitting; AllAtOnce, the default, and Rolling are refused).",
        (get, report, prod) => {
            const policy = get("aws:elasticbeanstalk:command", "DeploymentPolicy") ?? "AllAtOnce";
            if (prod && (policy === "AllAtOnce" || policy === "Rolling"))
                report(
                    `deploys ${policy}, which takes ${policy === "AllAtOnce" ? "every instance" : "a batch of instances"} out of service; use Immutable or RollingWithAdditionalBatch`,
                );
        },
        true,
    ),
];
