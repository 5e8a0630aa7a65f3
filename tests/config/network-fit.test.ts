import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";
import { modelVpc } from "../../tools/awsx-model";
import { one, planOf } from "../helpers/plan";

// awsx 3.9's `subnetStrategy: "Auto"` (pulumi-awsx awsx/ec2/subnetDistributorNew.ts,
// allocateSubnetCidrBlocks): each AZ gets a 1/2^ceil(log2(azCount)) block of the VPC, and within
// it the subnets follow in spec order (public, private, isolated), each aligned to its own size.
// awsx throws when an AZ's subnet sizes add up to more than its block ("Subnets are too large for
// VPC") and when subnets overlap (awsx/ec2/vpc.ts validateSubnets), as they do when the alignment
// gaps push one AZ's subnets into the next AZ's block.

const base = {
    "aws:region": "us-east-1",
    "platform:tags": JSON.stringify({ owner: "team-a" }),
    "platform:web": JSON.stringify({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f3c8a52-7d1e-4b6a-9c2e-5a8d4e1b7f60" }),
    "platform:edge": JSON.stringify({
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/6b1d2e7a-93c4-4f0e-8a55-2c7e9d3f1a08",
        aliases: ["www.example.com"],
    }),
    "platform:analytics": JSON.stringify({ emr: { cluster: { tlsCertificatesS3Uri: "s3://pki-bucket/emr/certs.zip" } } }),
};

function networkProblems(profile: "dev" | "prod", network: unknown): string[] {
    try {
        validateConfig({ ...base, "platform:profile": profile, "platform:network": JSON.stringify(network) }, profile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.problems.filter((p) => p.startsWith("platform:network"));
    }
    return [];
}

const SPECS = (masks: [number, number, number]) => ["Public", "Private", "Isolated"].map((type, i) => ({ type, cidrMask: masks[i] }));

/** The model's CIDRs as "tier az cidr", in the model's order (tier, then AZ). */
function layout(inputs: Record<string, unknown>): string[] {
    return modelVpc(inputs, "us-east-1", (kind, key) => `${kind}-${key}`).subnets.map((s) => `${s.tier} ${s.az} ${s.cidr}`);
}

describe("config: the VPC fits its subnets as awsx lays them out", () => {
    it("refuses dev's /18: each AZ's /19 holds public /24 at 0, private /20 at 4096, and the isolated /24 would start in the next AZ's block", () => {
        assert.deepEqual(networkProblems("dev", { cidr: "10.10.0.0/18" }), [
            'platform:network.cidr: "10.10.0.0/18" is too small: awsx gives each of the 2 AZs a /19 block (8192 addresses), and public /24, private /20 and isolated /24, in that order and each aligned to its size, need 8448; a /17 VPC or larger fits them',
        ]);
        // awsx itself accepts the sizes (4608 <= 8192) and lays AZ 1's isolated subnet over AZ 2's public one.
        assert.throws(
            () => layout({ cidrBlock: "10.10.0.0/18", numberOfAvailabilityZones: 2, subnetSpecs: SPECS([24, 20, 24]) }),
            /overlap.*10\.10\.32\.0\/24.*10\.10\.32\.0\/24/,
        );
        assert.deepEqual(networkProblems("dev", { cidr: "10.10.0.0/17" }), []);
    });

    it("refuses prod's 3 AZs of /19 + /19 + /20 on a /16: each AZ gets a quarter (a /18), and nothing up to a /16 fits", () => {
        assert.deepEqual(networkProblems("prod", { azCount: 3, subnetMasks: { public: 19, private: 19, isolated: 20 } }), [
            'platform:network.cidr: "10.20.0.0/16" is too small: awsx gives each of the 3 AZs a /18 block (16384 addresses), and public /19, private /19 and isolated /20, in that order and each aligned to its size, need 20480; not even a /16 VPC (the largest) fits them, so use smaller subnets or fewer AZs',
        ]);
        assert.throws(
            () => layout({ cidrBlock: "10.20.0.0/16", numberOfAvailabilityZones: 3, subnetSpecs: SPECS([19, 19, 20]) }),
            /^Error: Subnets are too large for VPC\. VPC has 16384 addresses, but subnets require 20480 addresses\.$/,
        );
        // Two AZs halve the VPC instead: /17 blocks of 32768 hold them.
        assert.deepEqual(
            networkProblems("prod", { azCount: 2, subnetMasks: { public: 19, private: 19, isolated: 20 } }).filter((p) =>
                p.startsWith("platform:network.cidr"),
            ),
            [],
        );
    });

    it("accepts a layout that fills each AZ's block exactly", () => {
        // Per /20 AZ block: public /21 at 0, private /22 at 2048, isolated /22 at 3072, ending at 4096.
        assert.deepEqual(networkProblems("dev", { cidr: "10.0.0.0/19", subnetMasks: { public: 21, private: 22, isolated: 22 } }), []);
        assert.deepEqual(layout({ cidrBlock: "10.0.0.0/19", numberOfAvailabilityZones: 2, subnetSpecs: SPECS([21, 22, 22]) }), [
            "Public us-east-1a 10.0.0.0/21",
            "Public us-east-1b 10.0.16.0/21",
            "Private us-east-1a 10.0.8.0/22",
            "Private us-east-1b 10.0.24.0/22",
            "Isolated us-east-1a 10.0.12.0/22",
            "Isolated us-east-1b 10.0.28.0/22",
        ]);
    });
});

describe("tools/awsx-model.ts lays the committed stacks' subnets out as awsx does", () => {
    it("dev: 10.10.0.0/16 in two /17 AZ blocks, public /24, private /20, isolated /24 each", () => {
        const vpc = one(planOf("dev"), "awsx:ec2:Vpc");
        const expected = [
            "Public us-east-1a 10.10.0.0/24",
            "Public us-east-1b 10.10.128.0/24",
            "Private us-east-1a 10.10.16.0/20",
            "Private us-east-1b 10.10.144.0/20",
            "Isolated us-east-1a 10.10.32.0/24",
            "Isolated us-east-1b 10.10.160.0/24",
        ];
        assert.deepEqual(layout(vpc.inputs), expected);
        // The plan's mocked Vpc shows the same CIDRs.
        assert.deepEqual(
            (vpc.outputs.subnetLayout as any[]).map((s) => `${s.type} ${s.availabilityZone} ${s.cidrBlocks[0]}`),
            expected,
        );
    });

    it("prod: 10.20.0.0/16 in /18 AZ blocks (the fourth unused), public /24, private /20, isolated /24 each", () => {
        const vpc = one(planOf("prod"), "awsx:ec2:Vpc");
        const expected = [
            "Public us-east-1a 10.20.0.0/24",
            "Public us-east-1b 10.20.64.0/24",
            "Public us-east-1c 10.20.128.0/24",
            "Private us-east-1a 10.20.16.0/20",
            "Private us-east-1b 10.20.80.0/20",
            "Private us-east-1c 10.20.144.0/20",
            "Isolated us-east-1a 10.20.32.0/24",
            "Isolated us-east-1b 10.20.96.0/24",
            "Isolated us-east-1c 10.20.160.0/24",
        ];
        assert.deepEqual(layout(vpc.inputs), expected);
        assert.deepEqual(
            (vpc.outputs.subnetLayout as any[]).map((s) => `${s.type} ${s.availabilityZone} ${s.cidrBlocks[0]}`),
            expected,
        );
    });
});
