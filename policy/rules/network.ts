import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import type { PlatformPolicy } from "../types";

export const networkPolicies: PlatformPolicy[] = [
    {
        name: "vpc-default-security-group-closed",
        description: "The VPC's default security group has no rules, so nothing joins it by accident and gets access.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ec2.DefaultSecurityGroup, (p, _a, report) => {
            if ((p.ingress ?? []).length > 0 || (p.egress ?? []).length > 0) report("has rules; the default security group must stay empty");
        }),
    },
    {
        name: "vpc-flow-logs",
        description: "Every VPC has flow logs enabled.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const flowLogVpcs = new Set(args.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog").map((r) => r.props.vpcId));
            for (const r of args.resources) {
                const vpcId = r.type === "awsx:ec2:Vpc" ? r.props.vpcId : r.type === "aws:ec2/vpc:Vpc" ? r.props.id : undefined;
                if (vpcId !== undefined && !flowLogVpcs.has(vpcId)) report("has no flow log", r.urn);
            }
        },
    },
];
