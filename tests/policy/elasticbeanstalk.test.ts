import { expectViolations, resource } from "../helpers/policy";

/** A compliant environment's settings, as components/beanstalk-environment.ts writes them. */
const COMPLIANT: Record<string, string> = {
    "aws:autoscaling:launchconfiguration/DisableIMDSv1": "true",
    "aws:elasticbeanstalk:healthreporting:system/SystemType": "enhanced",
    "aws:elasticbeanstalk:managedactions/ManagedActionsEnabled": "true",
    "aws:elasticbeanstalk:managedactions/PreferredStartTime": "Sun:03:00",
    "aws:elasticbeanstalk:managedactions:platformupdate/UpdateLevel": "minor",
    "aws:elasticbeanstalk:cloudwatch:logs/StreamLogs": "true",
    "aws:elasticbeanstalk:cloudwatch:logs/RetentionInDays": "365",
    "aws:elasticbeanstalk:cloudwatch:logs/DeleteOnTerminate": "false",
    "aws:ec2:vpc/AssociatePublicIpAddress": "false",
    "aws:ec2:vpc/Subnets": "subnet-1,subnet-2",
    "aws:elasticbeanstalk:command/DeploymentPolicy": "Immutable",
};

/** An environment with the compliant settings, changed by `overrides` (undefined removes a setting). */
function environment(name: string, overrides: Record<string, string | undefined> = {}) {
    const merged: Record<string, string | undefined> = { ...COMPLIANT, ...overrides };
    const settings = Object.entries(merged)
        .filter(([, v]) => v !== undefined)
        .map(([k, value]) => {
            const cut = k.lastIndexOf("/");
            return { namespace: k.slice(0, cut), name: k.slice(cut + 1), value };
        });
    return resource("aws:elasticbeanstalk/environment:Environment", name, {
        application: "app",
        solutionStackName: "64bit Amazon Linux 2023 v6.6.2 running Node.js 22",
        settings,
    });
}

describe("Elastic Beanstalk policies", () => {
    const ok = environment("ok");

    it("elasticbeanstalk-imdsv1-disabled: passes DisableIMDSv1 true, flags it unset or false", async () => {
        const unset = environment("unset", { "aws:autoscaling:launchconfiguration/DisableIMDSv1": undefined });
        const off = environment("off", { "aws:autoscaling:launchconfiguration/DisableIMDSv1": "false" });
        await expectViolations("elasticbeanstalk-imdsv1-disabled", [ok, unset, off], [unset, off]);
    });

    it("elasticbeanstalk-enhanced-health: passes enhanced, flags basic and the default", async () => {
        const basic = environment("basic", { "aws:elasticbeanstalk:healthreporting:system/SystemType": "basic" });
        const unset = environment("unset", { "aws:elasticbeanstalk:healthreporting:system/SystemType": undefined });
        await expectViolations("elasticbeanstalk-enhanced-health", [ok, basic, unset], [basic, unset]);
    });

    it("elasticbeanstalk-managed-updates: passes a weekly window at minor level, flags updates off, no window, or no level", async () => {
        const off = environment("off", { "aws:elasticbeanstalk:managedactions/ManagedActionsEnabled": "false" });
        const noWindow = environment("no-window", { "aws:elasticbeanstalk:managedactions/PreferredStartTime": undefined });
        const noLevel = environment("no-level", { "aws:elasticbeanstalk:managedactions:platformupdate/UpdateLevel": undefined });
        await expectViolations("elasticbeanstalk-managed-updates", [ok, off, noWindow, noLevel], [off, noWindow, noLevel]);
    });

    it("elasticbeanstalk-logs-streamed: passes streaming with retention, flags no streaming, no retention and deletion on terminate", async () => {
        const off = environment("off", { "aws:elasticbeanstalk:cloudwatch:logs/StreamLogs": undefined });
        const noRetention = environment("no-retention", { "aws:elasticbeanstalk:cloudwatch:logs/RetentionInDays": undefined });
        const deleted = environment("deleted", { "aws:elasticbeanstalk:cloudwatch:logs/DeleteOnTerminate": "true" });
        await expectViolations("elasticbeanstalk-logs-streamed", [ok, off, noRetention, deleted], [off, noRetention, deleted]);
    });

    it("elasticbeanstalk-no-public-ip: passes private instances in named subnets, flags public IPs, the subnet's default and the default VPC", async () => {
        const publicIp = environment("public-ip", { "aws:ec2:vpc/AssociatePublicIpAddress": "true" });
        const unset = environment("unset", { "aws:ec2:vpc/AssociatePublicIpAddress": undefined });
        const defaultVpc = environment("default-vpc", { "aws:ec2:vpc/Subnets": undefined });
        await expectViolations("elasticbeanstalk-no-public-ip", [ok, publicIp, unset, defaultVpc], [publicIp, unset, defaultVpc]);
    });

    it("elasticbeanstalk-deployment-keeps-capacity: in prod passes Immutable and RollingWithAdditionalBatch, flags AllAtOnce (also by default) and Rolling; dev may deploy all at once", async () => {
        const extra = environment("extra-batch", { "aws:elasticbeanstalk:command/DeploymentPolicy": "RollingWithAdditionalBatch" });
        const allAtOnce = environment("all-at-once", { "aws:elasticbeanstalk:command/DeploymentPolicy": "AllAtOnce" });
        const byDefault = environment("by-default", { "aws:elasticbeanstalk:command/DeploymentPolicy": undefined });
        const rolling = environment("rolling", { "aws:elasticbeanstalk:command/DeploymentPolicy": "Rolling" });
        const all = [ok, extra, allAtOnce, byDefault, rolling];
        await expectViolations("elasticbeanstalk-deployment-keeps-capacity", all, [allAtOnce, byDefault, rolling], { environment: "prod" });
        await expectViolations("elasticbeanstalk-deployment-keeps-capacity", all, [], { environment: "dev" });
    });
});
