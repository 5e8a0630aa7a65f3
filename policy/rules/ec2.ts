/** EC2 rules: instance metadata (IMDSv2), encrypted volumes, no public IPs. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { truthy } from "../lib";
import type { PlatformPolicy } from "../types";

/**
 * IMDSv2 only, and a hop limit of 1 so a container or proxy on the instance can't relay the
 * credentials. The hop limit is checked explicitly: AL2023 AMIs default it to 2.
 */
function checkMetadata(options: { httpEndpoint?: string; httpTokens?: string; httpPutResponseHopLimit?: number } | undefined, report: (m: string) => void) {
    if (options?.httpEndpoint === "disabled") return;
    if (options?.httpTokens !== "required") report(`allows IMDSv1 (metadataOptions.httpTokens is ${options?.httpTokens ?? "unset"}); set it to "required"`);
    if (options?.httpPutResponseHopLimit !== 1)
        report(`has metadata hop limit ${options?.httpPutResponseHopLimit ?? "unset (the AMI's default)"}; set httpPutResponseHopLimit to 1`);
}

export const ec2Policies: PlatformPolicy[] = [
    {
        name: "ec2-imdsv2-hop-limit-1",
        description: "Launch templates and instances require IMDSv2 with a metadata hop limit of 1.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.LaunchTemplate, (p, _a, report) => checkMetadata(p.metadataOptions, report)),
            validateResourceOfType(aws.ec2.Instance, (p, _a, report) => {
                if (p.launchTemplate && !p.metadataOptions) return; // inherits the template's options, checked there
                checkMetadata(p.metadataOptions, report);
            }),
        ],
    },
    {
        name: "ec2-ebs-encrypted",
        description: "EBS volumes are encrypted: launch templates' block devices, instances' root and data volumes, standalone volumes.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.LaunchTemplate, (p, _a, report) => {
                for (const bdm of p.blockDeviceMappings ?? []) {
                    if (bdm.ebs && !truthy(bdm.ebs.encrypted))
                        report(`block device${bdm.deviceName ? ` ${bdm.deviceName}` : ""} is not encrypted; set ebs.encrypted to "true"`);
                }
            }),
            validateResourceOfType(aws.ec2.Instance, (p, _a, report) => {
                if (p.rootBlockDevice && p.rootBlockDevice.encrypted !== true) report("root volume is not encrypted");
                for (const v of p.ebsBlockDevices ?? []) if (v.encrypted !== true) report(`volume ${v.deviceName} is not encrypted`);
            }),
            validateResourceOfType(aws.ebs.Volume, (p, _a, report) => {
                if (p.encrypted !== true) report("is not encrypted");
            }),
        ],
    },
    {
        name: "ec2-no-public-ip",
        description: "Launch templates and instances don't assign public IP addresses; the fleet is reached through the load balancer.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.ec2.LaunchTemplate, (p, _a, report) => {
                for (const ni of p.networkInterfaces ?? []) if (truthy(ni.associatePublicIpAddress)) report("network interface associates a public IP address");
            }),
            validateResourceOfType(aws.ec2.Instance, (p, _a, report) => {
                if (p.associatePublicIpAddress === true) report("associates a public IP address");
            }),
        ],
    },
];
