import * as aws from "@pulumi/aws";
import { defaults as protection } from "../../config/sections/protection";
import { roleGrantee, type Grantee } from "../../components/grants";
import { serviceTrust } from "../../components/iam";
import type { Plan, PlannedResource } from "../../tools/engine";
import { doc } from "./plan";
import { testContext } from "./component";

/** Inputs the data-store components share in component tests, shaped like the network's outputs. */
export const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
export const VPC_ID = "vpc-0123456789abcdef0";
export const ISOLATED_SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb", "subnet-0cccccccccccccccc"];
export const WEB_SG = "sg-0web0000000000000";
export const ACCOUNT = "123456789012";

export const network = { vpcId: VPC_ID, subnetIds: ISOLATED_SUBNETS, clientSecurityGroupIds: [WEB_SG] };
/** The environment per profile: its protection decisions (platform:protection), in the test account and key. */
const contextFor = (p: typeof protection.dev) => ({
    context: testContext({
        region: "us-east-1",
        accountId: ACCOUNT,
        kmsKeyArn: KEY_ARN,
        stateful: { protect: p.protectResources, deletionProtection: p.deletionProtection, finalSnapshot: p.finalSnapshot },
    }),
});
export const profiles = { dev: contextFor(protection.dev), prod: contextFor(protection.prod) };

/** A role standing in for the web fleet's, to receive grants (as the grantee `name`). */
export function clientRole(name = "web-role"): Grantee {
    return roleGrantee(name, new aws.iam.Role(name, { assumeRolePolicy: serviceTrust("ec2.amazonaws.com") }));
}

/** Every resource of a type, by exact type token. */
export function all(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

/** The statements of the inline policies attached to the role with this URN. */
export function statementsFor(plan: Plan, roleName: string): any[] {
    const role = plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === roleName);
    if (!role) throw new Error(`no role ${roleName}`);
    return all(plan, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === role.outputs.name || p.inputs.role === role.inputs.name)
        .flatMap((p) => doc(p.inputs.policy).Statement);
}
