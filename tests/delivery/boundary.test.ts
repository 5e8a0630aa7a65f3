import { strict as assert } from "assert";
import { BOUNDED_ROLE_ACTIONS } from "../../delivery/permissions";
import { BOUNDARY_PASS_TO } from "../../delivery/boundary";
import { globMatch } from "../../policy/lib";
import { doc, planOf, type PlanWithPolicy } from "../helpers/plan";
import { deliveryPlan, inPipeline, list, onlyOne, roleOf } from "./helpers";

const STACKS = ["dev", "prod"] as const;

/**
 * The actions of the AWS-managed policies platform roles attach (AWS Managed Policy Reference).
 * AmazonEMRServicePolicy_v2 also passes EMR's default roles (EMR_EC2_DefaultRole,
 * EMR_AutoScaling_DefaultRole), which the platform doesn't use: its own PassInstanceRole statement
 * passes the cluster's instance role.
 */
const MANAGED_POLICY_ACTIONS: Record<string, string[]> = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ],
    "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole": [
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
        "logs:GetLogEvents",
    ],
    "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2": [
        "ec2:CreateNetworkInterface",
        "ec2:RunInstances",
        "ec2:CreateFleet",
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:DeleteLaunchTemplate",
        "ec2:DeleteNetworkInterface",
        "ec2:ModifyInstanceAttribute",
        "ec2:TerminateInstances",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribePlacementGroups",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVolumes",
        "ec2:DescribeVolumeStatus",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
        "ec2:CreateSecurityGroup",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:CreatePlacementGroup",
        "ec2:DeletePlacementGroup",
        "ec2:ModifyVpcEndpoint",
        "ec2:CreateVpcEndpoint",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget",
        "resource-groups:ListGroupResources",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:DescribeAlarms",
    ],
    // v4.
    "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth": [
        "elasticloadbalancing:DescribeInstanceHealth",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetHealth",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ec2:GetConsoleOutput",
        "ec2:AssociateAddress",
        "ec2:DescribeAddresses",
        "ec2:DescribeSecurityGroups",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeNotificationConfigurations",
        "sns:Publish",
        "logs:DescribeLogStreams",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ],
    // v8; its iam:PassRole is in MANAGED_POLICY_PASSES.
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy": [
        "elasticbeanstalk:*",
        "autoscaling:DescribeAccountLimits",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeLoadBalancers",
        "autoscaling:DescribeNotificationConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeScheduledActions",
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceAttribute",
        "ec2:DescribeInstances",
        "ec2:DescribeKeyPairs",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSnapshots",
        "ec2:DescribeSpotInstanceRequests",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcClassicLink",
        "ec2:DescribeVpcs",
        "elasticloadbalancing:DescribeInstanceHealth",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "logs:DescribeLogGroups",
        "rds:DescribeDBEngineVersions",
        "rds:DescribeDBInstances",
        "rds:DescribeOrderableDBInstanceOptions",
        "sns:ListSubscriptionsByTopic",
        "ec2:AllocateAddress",
        "ec2:AssociateAddress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:CreateSecurityGroup",
        "ec2:DeleteLaunchTemplate",
        "ec2:DeleteLaunchTemplateVersions",
        "ec2:DeleteSecurityGroup",
        "ec2:DisassociateAddress",
        "ec2:ReleaseAddress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RunInstances",
        "ec2:TerminateInstances",
        "ecs:CreateCluster",
        "ecs:DescribeClusters",
        "ecs:RegisterTaskDefinition",
        "ecs:DeleteCluster",
        "autoscaling:AttachInstances",
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:CreateLaunchConfiguration",
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:DeleteLaunchConfiguration",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:DeleteScheduledAction",
        "autoscaling:DetachInstances",
        "autoscaling:DeletePolicy",
        "autoscaling:PutScalingPolicy",
        "autoscaling:PutScheduledUpdateGroupAction",
        "autoscaling:PutNotificationConfiguration",
        "autoscaling:ResumeProcesses",
        "autoscaling:SetDesiredCapacity",
        "autoscaling:SuspendProcesses",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
        "autoscaling:UpdateAutoScalingGroup",
        "cloudformation:*",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
        "elasticloadbalancing:ConfigureHealthCheck",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        "elasticloadbalancing:RegisterTargets",
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "s3:DeleteObject",
        "s3:GetObject",
        "s3:GetObjectAcl",
        "s3:GetObjectVersion",
        "s3:GetObjectVersionAcl",
        "s3:PutObject",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
        "s3:GetBucketLocation",
        "s3:GetBucketPolicy",
        "s3:ListBucket",
        "s3:PutBucketPolicy",
        "sns:CreateTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "cloudwatch:PutMetricAlarm",
        "ecs:TagResource",
        "ec2:CreateTags",
    ],
};

/**
 * The iam:PassRole of those policies, by the services the platform needs it for. The managed
 * updates policy may pass any role to Elastic Beanstalk, EC2, Auto Scaling, ELB, ECS and
 * CloudFormation; updating the environment passes only its service role (to Elastic Beanstalk)
 * and its instance role (to EC2): the boundary takes the rest away on purpose.
 */
const MANAGED_POLICY_PASSES: Record<string, string[]> = {
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy": ["elasticbeanstalk.amazonaws.com", "ec2.amazonaws.com"],
};

interface Grant {
    where: string;
    action: string;
    resources: string[];
    /** For iam:PassRole: the services it passes to. */
    passedTo?: string[];
}

/** Every action a role of the plan is granted: its inline policies and the AWS-managed policies attached to it. */
function grantsOf(plan: PlanWithPolicy): Grant[] {
    const grants: Grant[] = [];
    for (const r of plan.resources.filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy")) {
        for (const s of doc(r.inputs.policy).Statement.filter((x) => (x.Effect ?? "Allow") === "Allow")) {
            assert.equal(s.NotAction, undefined, `${r.name}: NotAction`);
            for (const action of list(s.Action)) {
                grants.push({
                    where: r.name,
                    action,
                    resources: list(s.Resource),
                    passedTo: action === "iam:PassRole" ? list(s.Condition?.StringEquals?.["iam:PassedToService"]) : undefined,
                });
            }
        }
    }
    for (const a of plan.resources.filter((x) => x.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
        const arn = String(a.inputs.policyArn);
        assert.ok(
            MANAGED_POLICY_ACTIONS[arn],
            `${a.name} attaches ${arn}: list its actions in MANAGED_POLICY_ACTIONS (AWS Managed Policy Reference) so the boundary is checked against them`,
        );
        for (const action of MANAGED_POLICY_ACTIONS[arn]) grants.push({ where: `${a.name} (${arn})`, action, resources: ["*"] });
        const passes = MANAGED_POLICY_PASSES[arn];
        // The roles it passes: the stack's roles those services assume.
        const passed = (service: string) =>
            plan.resources
                .filter(
                    (r) =>
                        r.type === "aws:iam/role:Role" &&
                        doc(r.inputs.assumeRolePolicy).Statement.some((s: any) => list(s.Principal?.Service).includes(service)),
                )
                .map((r) => String(r.outputs.arn));
        for (const service of passes ?? [])
            grants.push({ where: `${a.name} (${arn})`, action: "iam:PassRole", resources: passed(service), passedTo: [service] });
    }
    return grants;
}

/** Why the boundary takes a grant away (undefined when the boundary leaves it whole). */
export function boundaryTakes(boundary: any[], g: Grant): string | undefined {
    const matches = (s: any) => list(s.Action).some((p) => globMatch(p, g.action, true));
    const allow = boundary.filter((s) => (s.Effect ?? "Allow") === "Allow" && matches(s));
    if (allow.length === 0) return `${g.action} is not allowed`;
    if (g.action === "iam:PassRole") {
        const ok = allow.some((s) => {
            const services = list(s.Condition?.StringEquals?.["iam:PassedToService"]);
            return (
                (g.passedTo ?? []).length > 0 &&
                g.passedTo!.every((p) => services.includes(p)) &&
                g.resources.every((r) => list(s.Resource).some((b) => globMatch(b, r)))
            );
        });
        if (!ok) return `iam:PassRole of ${g.resources} to ${g.passedTo} is not allowed`;
    }
    for (const s of boundary.filter((x) => x.Effect === "Deny" && matches(x))) {
        // The IAM deny spares PassRole, the only IAM request that carries iam:PassedToService.
        if (s.Condition?.Null?.["iam:PassedToService"] === "true" && g.action === "iam:PassRole") continue;
        // A deny of named resources only carves them out of a grant on "*"; it takes a grant that names them.
        const hits = list(s.Resource).includes("*") || g.resources.some((r) => r !== "*" && list(s.Resource).some((d) => globMatch(d, r) || globMatch(r, d)));
        if (hits) return `${g.action} is denied (${s.Sid})`;
    }
    return undefined;
}

/**
 * Deploy-role statements that could create a role, or put, attach or change its policies, its
 * trust or its boundary, without requiring that the role carries `boundaryArn`.
 */
export function unboundedRoleWrites(statements: any[], boundaryArn: string): any[] {
    return statements.filter((s) => {
        if ((s.Effect ?? "Allow") !== "Allow") return false;
        const grants = (action: string) =>
            s.NotAction !== undefined ? !list(s.NotAction).some((p) => globMatch(p, action, true)) : list(s.Action).some((p) => globMatch(p, action, true));
        const onRoles =
            s.NotResource !== undefined ||
            list(s.Resource).some((r) => globMatch(r, "arn:aws:iam::123456789012:role/any") || globMatch(r, "arn:aws:iam::123456789012:role/path/any"));
        if (!onRoles || !BOUNDED_ROLE_ACTIONS.some(grants)) return false;
        const required = Object.entries(s.Condition ?? {}).some(
            ([op, block]: [string, any]) =>
                /^(StringEquals|ArnEquals)$/.test(op) &&
                list(block?.["iam:PermissionsBoundary"]).length === 1 &&
                list(block["iam:PermissionsBoundary"])[0] === boundaryArn,
        );
        return !required;
    });
}

describe("the permissions boundary", () => {
    let delivery: PlanWithPolicy;
    const boundaryOf = (stack: string) => onlyOne(inPipeline(delivery, stack, "aws:iam/policy:Policy", "-boundary"), `${stack} boundary`);
    before(() => {
        delivery = deliveryPlan();
    });

    it("is carried by every role of each platform stack: the policy the delivery project creates for that stack", () => {
        for (const stack of STACKS) {
            const arn = String(boundaryOf(stack).outputs.arn);
            assert.equal(arn, `arn:aws:iam::123456789012:policy/platform-delivery/platform-${stack}-boundary`);
            const roles = planOf(stack).resources.filter((r) => r.type === "aws:iam/role:Role");
            assert.ok(roles.length > 10);
            for (const r of roles) assert.equal(r.inputs.permissionsBoundary, arn, `${stack}: ${r.name}`);
        }
    });

    it("allows every action each platform role's policies and attached AWS policies grant, in dev and prod (and prod on Elastic Beanstalk)", () => {
        for (const stack of [...STACKS, "prod-beanstalk"]) {
            const boundary = doc(boundaryOf(stack.replace(/-beanstalk$/, "")).inputs.policy).Statement;
            const grants = grantsOf(planOf(stack));
            assert.ok(
                grants.some((g) => g.action === "iam:PassRole"),
                "the platform passes roles: the check must see them",
            );
            const taken = grants.flatMap((g) => {
                const why = boundaryTakes(boundary, g);
                return why ? [`${g.where}: ${why}`] : [];
            });
            assert.deepEqual(
                taken,
                [],
                `${stack}: the boundary takes away what the roles use; widen delivery/boundary.ts (and redeploy the delivery stack first)`,
            );
        }
    });

    it("takes away IAM (but passing the stack's roles to EC2, Elastic Beanstalk and EMR Serverless), STS, Organizations and the delivery machinery", () => {
        const boundary = doc(boundaryOf("dev").inputs.policy).Statement;
        const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
        for (const g of [
            { action: "iam:CreateRole", resources: ["*"] },
            { action: "iam:PutRolePolicy", resources: [role("web-instance-role")] },
            { action: "iam:DeleteRolePermissionsBoundary", resources: ["*"] },
            { action: "iam:PassRole", resources: [role("x")], passedTo: ["lambda.amazonaws.com"] },
            { action: "iam:PassRole", resources: [role("platform-delivery/dev/deploy")], passedTo: ["ec2.amazonaws.com"] },
            { action: "sts:AssumeRole", resources: ["*"] },
            { action: "organizations:LeaveOrganization", resources: ["*"] },
            { action: "codebuild:StartBuild", resources: ["*"] },
            { action: "codepipeline:UpdatePipeline", resources: ["*"] },
            { action: "codestar-connections:UseConnection", resources: ["*"] },
            { action: "s3:PutObject", resources: ["arn:aws:s3:::platform-delivery-dev-artifacts-1234567/source.zip"] },
            {
                action: "secretsmanager:GetSecretValue",
                resources: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:platform/pulumi-access-token-AbCdEf"],
            },
        ]) {
            assert.ok(boundaryTakes(boundary, { where: "test", ...g }), `${g.action} on ${g.resources} must be taken away`);
        }
        assert.equal(
            boundaryTakes(boundary, {
                where: "test",
                action: "iam:PassRole",
                resources: [role("analytics-spark-instance-role-1")],
                passedTo: ["ec2.amazonaws.com"],
            }),
            undefined,
        );
        assert.deepEqual([...BOUNDARY_PASS_TO].sort(), ["ec2.amazonaws.com", "elasticbeanstalk.amazonaws.com", "emr-serverless.amazonaws.com"]);
        // What AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy may pass beyond that stays out of reach.
        for (const service of ["autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs.amazonaws.com", "cloudformation.amazonaws.com"]) {
            assert.ok(boundaryTakes(boundary, { where: "test", action: "iam:PassRole", resources: [role("x")], passedTo: [service] }), service);
        }
    });

    it("is replaced by nothing but its fixed name and path, and fits the managed-policy size limit", () => {
        for (const stack of STACKS) {
            const policy = boundaryOf(stack);
            // Name, name prefix, path and description force a new policy; the document and tags update in place.
            assert.deepEqual(
                Object.keys(policy.inputs)
                    .filter((k) => ["name", "namePrefix", "path", "description"].includes(k))
                    .sort(),
                ["name", "path"],
            );
            assert.equal(policy.inputs.name, `platform-${stack}-boundary`);
            // IAM counts a managed policy without whitespace: at most 6,144 characters.
            assert.ok(JSON.stringify(JSON.parse(String(policy.inputs.policy))).length <= 6144);
        }
    });
});

describe("the deploy role and the boundary", () => {
    let delivery: PlanWithPolicy;
    before(() => {
        delivery = deliveryPlan();
    });

    it("creates roles and changes their policies, trust and boundary only with the stack's boundary as the condition", () => {
        for (const stack of STACKS) {
            const arn = String(onlyOne(inPipeline(delivery, stack, "aws:iam/policy:Policy", "-boundary"), "boundary").outputs.arn);
            const { statements } = roleOf(delivery, stack, "deploy");
            assert.deepEqual(unboundedRoleWrites(statements, arn), [], stack);
            const bounded = statements.find((s) => s.Sid === "ManageBoundedRoles");
            assert.deepEqual(list(bounded.Action).sort(), [...BOUNDED_ROLE_ACTIONS].sort(), "Deploy still needs each of them");
            // Another stack's boundary is not this stack's.
            const other = String(onlyOne(inPipeline(delivery, stack === "dev" ? "prod" : "dev", "aws:iam/policy:Policy", "-boundary"), "boundary").outputs.arn);
            assert.equal(unboundedRoleWrites(statements, other).length, 1);
        }
    });

    it("flags a statement that could write roles without the condition (the check's failing cases)", () => {
        const arn = "arn:aws:iam::123456789012:policy/platform-delivery/platform-dev-boundary";
        const bounded = {
            Action: "iam:CreateRole",
            Resource: "arn:aws:iam::123456789012:role/*",
            Condition: { StringEquals: { "iam:PermissionsBoundary": arn } },
        };
        const bad = [
            { Action: "iam:CreateRole", Resource: "arn:aws:iam::123456789012:role/*" },
            { Action: "iam:*", Resource: "*" },
            { Action: ["iam:Put*"], Resource: "arn:aws:iam::123456789012:role/*" },
            {
                Action: "iam:AttachRolePolicy",
                Resource: "*",
                Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/other" } },
            },
            { NotAction: "s3:*", Resource: "*" },
            { Action: "*", NotResource: "arn:aws:s3:::x" },
        ];
        const harmless = [
            bounded,
            { Action: "iam:TagRole", Resource: "arn:aws:iam::123456789012:role/*" },
            { Effect: "Deny", Action: "iam:*", Resource: "*" },
            { Action: "iam:CreateRole", Resource: "arn:aws:iam::123456789012:instance-profile/*" },
        ];
        assert.deepEqual(unboundedRoleWrites([...harmless, ...bad], arn), bad);
    });

    it("may never remove a boundary, nor change or delete any boundary policy, nor write any managed policy", () => {
        for (const stack of STACKS) {
            const arn = String(onlyOne(inPipeline(delivery, stack, "aws:iam/policy:Policy", "-boundary"), "boundary").outputs.arn);
            const { statements } = roleOf(delivery, stack, "deploy");
            const denied = (action: string, resource: string) =>
                statements.some(
                    (s) =>
                        s.Effect === "Deny" &&
                        !s.Condition &&
                        list(s.Action).some((a) => globMatch(a, action, true)) &&
                        list(s.Resource).some((r) => globMatch(r, resource)),
                );
            assert.ok(denied("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::123456789012:role/web-instance-role"));
            for (const action of [
                "iam:CreatePolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ]) {
                assert.ok(denied(action, arn), `${action} on ${arn}`);
                assert.ok(
                    denied(action, "arn:aws:iam::123456789012:policy/platform-delivery/platform-other-boundary"),
                    `${action} on another stack's boundary`,
                );
                const allowed = statements.some((s) => (s.Effect ?? "Allow") === "Allow" && list(s.Action).some((a) => globMatch(a, action, true)));
                assert.ok(!allowed, `${action} is allowed somewhere: the platform creates no managed policy`);
            }
        }
    });

    it("covers every IAM resource type the platform stacks create", () => {
        // Deploy manages roles, their policies and instance profiles, and nothing else in IAM (no managed policies, no users).
        const manageable = [
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:iam/instanceProfile:InstanceProfile",
        ];
        for (const stack of STACKS) {
            const types = [
                ...new Set(
                    planOf(stack)
                        .resources.filter((r) => r.type.startsWith("aws:iam/"))
                        .map((r) => r.type),
                ),
            ];
            assert.deepEqual(
                types.filter((t) => !manageable.includes(t)),
                [],
                `${stack}: Deploy has no rights for these`,
            );
        }
    });
});
