import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { expectViolations, resource } from "../helpers/policy";

const sg = (name: string, extra: Record<string, unknown> = {}) =>
    resource("aws:ec2/securityGroup:SecurityGroup", name, { vpcId: "vpc-1", ...extra }, { id: `sg-${name}` });
const ingress = (name: string, group: PlannedResource, from: { sg?: PlannedResource; cidr?: string; prefixList?: string }, port = 443) =>
    resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        ...(from.sg ? { referencedSecurityGroupId: from.sg.id } : {}),
        ...(from.cidr ? { cidrIpv4: from.cidr } : {}),
        ...(from.prefixList ? { prefixListId: from.prefixList } : {}),
    });
/** The serving tier's groups, attached to what they guard. */
function tiers() {
    const alb = sg("alb");
    const fleet = sg("fleet");
    const proxy = sg("proxy");
    const cache = sg("cache");
    const db = sg("db");
    const attached = [
        resource("aws:lb/loadBalancer:LoadBalancer", "lb", { loadBalancerType: "application", internal: false, securityGroups: [alb.id] }),
        resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", { vpcSecurityGroupIds: [fleet.id] }),
        resource("aws:rds/proxy:Proxy", "proxy", { vpcSecurityGroupIds: [proxy.id], engineFamily: "POSTGRESQL", roleArn: "r", vpcSubnetIds: [] }),
        resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { securityGroupIds: [cache.id], description: "c" }),
        resource("aws:rds/instance:Instance", "db", { vpcSecurityGroupIds: [db.id], instanceClass: "db.t4g.micro" }),
    ];
    return { alb, fleet, proxy, cache, db, attached };
}

describe("security group policies", () => {
    describe("security-group-description-charset", () => {
        it("passes EC2's description characters and flags an apostrophe, in a group, its inline rules or a rule resource", async () => {
            const ok = sg("ok", { description: "web load balancer: clients in (443), fleet out; [a-z] #1 & co. {x}=$*!@" });
            const apostrophe = sg("apostrophe", { description: "EMR's service access" });
            const inline = sg("inline", {
                description: "fine",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"], description: "from the office’s VPN" }],
            });
            const rule = resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "rule", {
                securityGroupId: "sg-1",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                prefixListId: "pl-1",
                description: "HTTPS from CloudFront's servers",
            });
            const long = resource("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "long", {
                securityGroupId: "sg-1",
                ipProtocol: "-1",
                cidrIpv4: "10.0.0.0/8",
                description: "x".repeat(256),
            });
            const v = await expectViolations("security-group-description-charset", [ok, apostrophe, inline, rule, long], [apostrophe, inline, rule, long]);
            assert.ok(
                v.some((x) => /ingress\[0\]\.description "from the office’s VPN" has characters EC2 refuses: ’/.test(x.message)),
                v.map((x) => x.message).join("\n"),
            );
            assert.ok(v.some((x) => /is over 255 characters/.test(x.message)));
        });
    });

    describe("security-group-public-ingress-ports", () => {
        it("passes the world on 80 and 443 and flags it on other ports, inline or as rule resources", async () => {
            const web = sg("web", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
            const ssh = sg("ssh", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"] }] });
            const http = ingress("http", web, { cidr: "0.0.0.0/0" }, 80);
            const range = resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "range", {
                securityGroupId: "sg-web",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 443,
                cidrIpv6: "::/0",
            });
            const all = resource("aws:ec2/securityGroupRule:SecurityGroupRule", "all", {
                type: "ingress",
                securityGroupId: "sg-web",
                protocol: "-1",
                fromPort: 0,
                toPort: 0,
                cidrBlocks: ["0.0.0.0/0"],
            });
            const v = await expectViolations("security-group-public-ingress-ports", [web, ssh, http, range, all], [ssh, range, all]);
            assert.match(v.find((x) => x.urn === ssh.urn)!.message, /admits 0\.0\.0\.0\/0 on tcp 22/);
        });
    });

    describe("security-group-public-ingress-alb-only", () => {
        it("passes the internet-facing ALB's group and flags world ingress on any other group", async () => {
            const t = tiers();
            const albIn = ingress("alb-in", t.alb, { cidr: "0.0.0.0/0" });
            const fleetIn = ingress("fleet-in", t.fleet, { cidr: "0.0.0.0/0" });
            const loose = sg("loose", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }] });
            const v = await expectViolations(
                "security-group-public-ingress-alb-only",
                [t.alb, t.fleet, loose, ...t.attached, albIn, fleetIn],
                [fleetIn, loose],
            );
            assert.match(v.find((x) => x.urn === loose.urn)!.message, /guards nothing in this stack/);
        });
    });

    describe("security-group-egress-scoped", () => {
        it("passes egress on named ports and flags all traffic to the world", async () => {
            const ok = resource("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "https-out", {
                securityGroupId: "sg-1",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
            });
            const bad = resource("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "all-out", {
                securityGroupId: "sg-1",
                ipProtocol: "-1",
                cidrIpv4: "0.0.0.0/0",
            });
            const inline = sg("inline", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
            await expectViolations("security-group-egress-scoped", [ok, bad, inline], [bad, inline]);
        });
    });

    describe("security-group-ingress-from-tier-in-front", () => {
        it("passes the chain internet -> ALB -> fleet -> proxy/cache, proxy -> DB (and a group admitting itself)", async () => {
            const t = tiers();
            const rules = [
                ingress("alb-in", t.alb, { prefixList: "pl-cloudfront" }),
                ingress("fleet-in", t.fleet, { sg: t.alb }, 8080),
                ingress("proxy-in", t.proxy, { sg: t.fleet }, 5432),
                ingress("cache-in", t.cache, { sg: t.fleet }, 6379),
                ingress("db-in", t.db, { sg: t.proxy }, 5432),
                ingress("cache-self", t.cache, { sg: t.cache }, 6379),
            ];
            await expectViolations("security-group-ingress-from-tier-in-front", [t.alb, t.fleet, t.proxy, t.cache, t.db, ...t.attached, ...rules], []);
        });
        it("flags a DB reached from the fleet, a fleet reached from a CIDR, and a cache reached from the ALB (inline)", async () => {
            const t = tiers();
            const dbFromFleet = ingress("db-from-fleet", t.db, { sg: t.fleet }, 5432);
            const fleetFromCidr = ingress("fleet-from-cidr", t.fleet, { cidr: "10.0.0.0/16" }, 8080);
            const cache = sg("cache", { ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: [t.alb.id] }] });
            const v = await expectViolations(
                "security-group-ingress-from-tier-in-front",
                [t.alb, t.fleet, t.proxy, cache, t.db, ...t.attached, dbFromFleet, fleetFromCidr],
                [dbFromFleet, fleetFromCidr, cache],
            );
            assert.match(
                v.find((x) => x.urn === dbFromFleet.urn)!.message,
                /database\) admits security group fleet \(fleet\); it should admit only the proxy security group/,
            );
        });
        it("treats a source group unknown at preview as unknown, not a violation", async () => {
            const t = tiers();
            const pending = resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "pending", {
                securityGroupId: t.db.id,
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                referencedSecurityGroupId: "[unknown]",
            });
            await expectViolations("security-group-ingress-from-tier-in-front", [t.alb, t.fleet, t.proxy, t.cache, t.db, ...t.attached, pending], []);
        });
    });
});
