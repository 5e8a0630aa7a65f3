import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

/** An awsx VPC as the offline engine models it: subnet ids per tier, and the layout that places them in AZs. */
const vpc = resource(
    "awsx:ec2:Vpc",
    "vpc",
    {},
    {
        custom: false,
        remote: true,
        outputs: {
            vpcId: "vpc-1",
            publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
            privateSubnetIds: ["subnet-app-a", "subnet-app-b"],
            isolatedSubnetIds: ["subnet-data-a", "subnet-data-b"],
            subnetLayout: [
                { type: "Public", availabilityZone: "us-east-1a" },
                { type: "Public", availabilityZone: "us-east-1b" },
                { type: "Private", availabilityZone: "us-east-1a" },
                { type: "Private", availabilityZone: "us-east-1b" },
                { type: "Isolated", availabilityZone: "us-east-1a" },
                { type: "Isolated", availabilityZone: "us-east-1b" },
            ],
        },
    },
);

describe("subnet placement policies", () => {
    describe("datastore-subnet-group-multi-az", () => {
        it("passes a group across two AZs, flags one in a single AZ, and leaves unresolvable subnets alone", async () => {
            const ok = resource("aws:rds/subnetGroup:SubnetGroup", "ok", { subnetIds: ["subnet-data-a", "subnet-data-b"] });
            const single = resource("aws:elasticache/subnetGroup:SubnetGroup", "single", { subnetIds: ["subnet-data-a"] });
            const foreign = resource("aws:rds/subnetGroup:SubnetGroup", "foreign", { subnetIds: ["subnet-elsewhere"] });
            const subnets = [
                resource("aws:ec2/subnet:Subnet", "s1", { vpcId: "vpc-2", availabilityZone: "eu-west-1a" }, { id: "subnet-s1" }),
                resource("aws:ec2/subnet:Subnet", "s2", { vpcId: "vpc-2", availabilityZone: "eu-west-1a" }, { id: "subnet-s2" }),
            ];
            const sameAz = resource("aws:rds/subnetGroup:SubnetGroup", "same-az", { subnetIds: ["subnet-s1", "subnet-s2"] });
            const v = await expectViolations("datastore-subnet-group-multi-az", [vpc, ...subnets, ok, single, foreign, sameAz], [single, sameAz]);
            assert.match(v.find((x) => x.urn === single.urn)!.message, /spans 1 availability zone\(s\) \(us-east-1a\)/);
        });
    });

    describe("datastore-isolated-subnets", () => {
        it("passes isolated subnet groups and flags private subnets and a data store without a subnet group", async () => {
            const ok = resource("aws:rds/subnetGroup:SubnetGroup", "ok", { subnetIds: ["subnet-data-a", "subnet-data-b"] });
            const app = resource("aws:elasticache/subnetGroup:SubnetGroup", "app", { subnetIds: ["subnet-app-a", "subnet-data-b"] });
            const db = resource("aws:rds/instance:Instance", "db", { instanceClass: "db.t4g.micro", dbSubnetGroupName: "ok" });
            const defaultVpc = resource("aws:elasticache/replicationGroup:ReplicationGroup", "default-vpc", { description: "c" });
            const v = await expectViolations("datastore-isolated-subnets", [vpc, ok, app, db, defaultVpc], [app, defaultVpc]);
            assert.match(v.find((x) => x.urn === app.urn)!.message, /subnet-app-a \(private\)/);
        });
    });

    describe("compute-private-subnets", () => {
        it("passes a fleet in private subnets and flags compute in public ones", async () => {
            const asg = resource("aws:autoscaling/group:Group", "asg", { minSize: 1, maxSize: 2, vpcZoneIdentifiers: ["subnet-app-a", "subnet-app-b"] });
            const emr = resource("aws:emr/cluster:Cluster", "emr", {
                releaseLabel: "emr-7.5.0",
                serviceRole: "r",
                ec2Attributes: { instanceProfile: "p", subnetId: "subnet-pub-a" },
            });
            const fn = resource("aws:lambda/function:Function", "fn", { role: "r", vpcConfig: { subnetIds: ["subnet-pub-b"], securityGroupIds: [] } });
            await expectViolations("compute-private-subnets", [vpc, asg, emr, fn], [emr, fn]);
        });
    });
});
