import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const lt = (name: string, inputs: Record<string, unknown>) => resource("aws:ec2/launchTemplate:LaunchTemplate", name, inputs, { id: `lt-${name}` });

describe("EC2 policies", () => {
    describe("ec2-imdsv2-hop-limit-1", () => {
        it("passes IMDSv2 with hop limit 1 (or IMDS off) and flags IMDSv1 or a larger hop limit", async () => {
            const ok = lt("ok", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" } });
            const off = lt("off", { metadataOptions: { httpEndpoint: "disabled" } });
            const v1 = lt("v1", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } });
            const hops = resource("aws:ec2/instance:Instance", "hops", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });
            const unset = lt("unset", {});
            const v = await expectViolations("ec2-imdsv2-hop-limit-1", [ok, off, v1, hops, unset], [v1, hops, unset]);
            assert.match(v.find((x) => x.urn === hops.urn)!.message, /hop limit 2/);
        });
    });

    describe("ec2-ebs-encrypted", () => {
        it("passes encrypted block devices (as the string the schema uses) and flags unencrypted ones", async () => {
            const ok = lt("ok", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }] });
            const bad = lt("bad", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] });
            const volume = resource("aws:ebs/volume:Volume", "vol", { availabilityZone: "us-east-1a", size: 10 });
            await expectViolations("ec2-ebs-encrypted", [ok, bad, volume], [bad, volume]);
        });
    });

    describe("ec2-no-public-ip", () => {
        it("passes private interfaces and flags a public IP", async () => {
            const ok = lt("ok", { networkInterfaces: [{ associatePublicIpAddress: "false" }] });
            const bad = lt("bad", { networkInterfaces: [{ associatePublicIpAddress: "true" }] });
            await expectViolations("ec2-no-public-ip", [ok, bad], [bad]);
        });
    });
});
