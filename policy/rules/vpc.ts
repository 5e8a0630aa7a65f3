/** VPC rules: the default security group closed, flow logs. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

export const vpcPolicies: PlatformPolicy[] = [
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
        covers: [TYPES.awsxVpc, "aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const flowLogs = g.ofType("aws:ec2/flowLog:FlowLog");
            for (const vpc of g.ofType(TYPES.awsxVpc, "aws:ec2/vpc:Vpc")) {
                const id = vpc.type === TYPES.awsxVpc ? vpc.props.vpcId : vpc.props.id;
                if (isUnknown(id)) continue;
                const logged = flowLogs.some((f) => f.props.vpcId === id || isUnknown(f.props.vpcId) || (f.deps.vpcId ?? []).includes(vpc));
                if (!logged) report("has no flow log", vpc.urn);
            }
        },
    },
];
