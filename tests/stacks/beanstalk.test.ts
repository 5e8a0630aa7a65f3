import { strict as assert } from "assert";
import { committedPlan, doc, ofType, one, planOf, upstreamOf, type PlanWithPolicy } from "../helpers/plan";

describe("prod with platform:web.runtime beanstalk", function () {
    this.timeout(120_000);
    let plan: PlanWithPolicy;
    before(() => (plan = committedPlan("prod-beanstalk")));
    const settingsOf = () => {
        const env = one(plan, "aws:elasticbeanstalk/environment:Environment", "web-beanstalk");
        return (option: string) =>
            (env.inputs.settings as { namespace: string; name: string; value: string }[]).find((s) => `${s.namespace}/${s.name}` === option)?.value;
    };

    it("plans the application, a version from the artifacts bucket and the environment, and no web Auto Scaling group or launch template", () => {
        const app = one(plan, "aws:elasticbeanstalk/application:Application", "web-beanstalk");
        const version = one(plan, "aws:elasticbeanstalk/applicationVersion:ApplicationVersion", "web-beanstalk");
        const env = one(plan, "aws:elasticbeanstalk/environment:Environment", "web-beanstalk");
        assert.equal(version.inputs.application, app.inputs.name);
        assert.match(String(version.inputs.key), /^web\/[0-9a-f]{64}\.zip$/);
        assert.equal(env.inputs.solutionStackName, "64bit Amazon Linux 2023 v6.6.2 running Node.js 22");
        assert.deepEqual(ofType(plan, "aws:autoscaling/group:Group"), []);
        assert.deepEqual(ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate"), []);
    });

    it("sits on the platform's ALB as a shared load balancer, with its own security group, and its instances join the platform's target group", () => {
        const get = settingsOf();
        const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer", "web-alb");
        assert.equal(get("aws:elasticbeanstalk:environment/LoadBalancerType"), "application");
        assert.equal(get("aws:elasticbeanstalk:environment/LoadBalancerIsShared"), "true");
        assert.equal(get("aws:elbv2:loadbalancer/SharedLoadBalancer"), alb.outputs.arn);
        assert.equal(get("aws:elbv2:loadbalancer/SecurityGroups"), one(plan, "aws:ec2/securityGroup:SecurityGroup", "web-alb-sg").id);
        const attachment = one(plan, "aws:autoscaling/attachment:Attachment", "web-beanstalk");
        const targetGroup = one(plan, "aws:lb/targetGroup:TargetGroup", "web-tg");
        assert.equal(attachment.inputs.lbTargetGroupArn, targetGroup.outputs.arn);
        // Should Elastic Beanstalk replace its group, the attachment is stale until the next update: an alarm says so.
        const alarm = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "web-beanstalk-no-targets");
        assert.equal(alarm.inputs.metricName, "HealthyHostCount");
        assert.equal((alarm.inputs.dimensions as Record<string, string>).TargetGroup, targetGroup.outputs.arnSuffix);
        assert.equal(alarm.inputs.treatMissingData, "breaching");
    });

    it("refuses every Elastic Beanstalk hostname on each listener ahead of any rule Elastic Beanstalk can add, before the environment exists", () => {
        // Elastic Beanstalk's own rule on a shared ALB forwards the environment's CNAME host with no origin-header check.
        const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer", "web-alb");
        const listeners = ofType(plan, "aws:lb/listener:Listener").filter((l) => l.inputs.loadBalancerArn === alb.outputs.arn);
        assert.ok(listeners.length > 0);
        const rules = ofType(plan, "aws:lb/listenerRule:ListenerRule");
        const env = one(plan, "aws:elasticbeanstalk/environment:Environment", "web-beanstalk");
        const upstream = upstreamOf(plan, env.urn);
        for (const listener of listeners) {
            const onIt = rules.filter((r) => r.inputs.listenerArn === listener.outputs.arn);
            const refusal = onIt.find((r) => JSON.stringify(r.inputs.conditions).includes("*.elasticbeanstalk.com"));
            assert.ok(refusal, `a rule on ${listener.name} names the Elastic Beanstalk hostnames`);
            assert.equal((refusal.inputs.actions as any[])[0].type, "fixed-response");
            assert.equal((refusal.inputs.actions as any[])[0].fixedResponse.statusCode, "403");
            // Every priority below it is taken by the platform, so Elastic Beanstalk's rule lands after it.
            const below = onIt.filter((r) => (r.inputs.priority as number) < (refusal.inputs.priority as number));
            assert.equal(
                below.length,
                (refusal.inputs.priority as number) - 1,
                `priorities 1..${refusal.inputs.priority} are all the platform's on ${listener.name}`,
            );
            assert.ok(
                below.every((r) => (r.inputs.actions as any[])[0].type === "fixed-response"),
                "nothing ahead of it forwards",
            );
            assert.ok(upstream.has(refusal.urn), `the environment waits for ${refusal.name}`);
        }
    });

    it("private instances, no public IP, IMDSv2 only, gp3 roots under EBS encryption by default, enhanced health, weekly minor updates, streamed logs, Immutable deployments", () => {
        const get = settingsOf();
        assert.equal(get("aws:ec2:vpc/AssociatePublicIpAddress"), "false");
        assert.equal(get("aws:ec2:vpc/Subnets"), (plan.outputs.privateSubnetIds as string[]).join(","));
        assert.equal(get("aws:autoscaling:launchconfiguration/DisableIMDSv1"), "true");
        assert.equal(get("aws:autoscaling:launchconfiguration/RootVolumeType"), "gp3");
        assert.equal(one(plan, "aws:ebs/encryptionByDefault:EncryptionByDefault").inputs.enabled, true);
        assert.equal(get("aws:elasticbeanstalk:healthreporting:system/SystemType"), "enhanced");
        assert.equal(get("aws:elasticbeanstalk:managedactions/ManagedActionsEnabled"), "true");
        assert.equal(get("aws:elasticbeanstalk:managedactions:platformupdate/UpdateLevel"), "minor");
        assert.equal(get("aws:elasticbeanstalk:cloudwatch:logs/StreamLogs"), "true");
        assert.equal(get("aws:elasticbeanstalk:cloudwatch:logs/RetentionInDays"), "365");
        assert.equal(get("aws:elasticbeanstalk:command/DeploymentPolicy"), "Immutable");
        assert.equal(get("aws:elasticbeanstalk:application:environment/SSM_PATH"), "/platform/prod/web/");
    });

    it("runs as the fleet's instance role and security group, which the cache, database proxy, table and stream admit", () => {
        const get = settingsOf();
        const profile = one(plan, "aws:iam/instanceProfile:InstanceProfile", "web-profile");
        assert.equal(get("aws:autoscaling:launchconfiguration/IamInstanceProfile"), profile.outputs.name);
        const fleetSg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "web-fleet-sg");
        assert.equal(get("aws:autoscaling:launchconfiguration/SecurityGroups"), fleetSg.id);
        const admits = (name: string) =>
            ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").some(
                (r) => r.name.startsWith(name) && r.inputs.referencedSecurityGroupId === fleetSg.id,
            );
        assert.ok(admits("cache-sg-from"), "the cache admits the instances' security group");
        assert.ok(admits("database-proxy-sg-from"), "the database proxy admits the instances' security group");
        const grants = ofType(plan, "aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === profile.inputs.role)
            .map((p) => p.name);
        for (const g of ["cache-read-auth-web", "database-connect-web", "table-read-write-web", "analytics-events-write-web", "web-settings-read-web"])
            assert.ok(
                grants.some((n) => n.endsWith(g)),
                `${g} on the instance role (${grants.join(", ")})`,
            );
    });

    it("its service role trusts Elastic Beanstalk as AWS documents and has only the two managed policies it needs", () => {
        const role = one(plan, "aws:iam/role:Role", "web-beanstalk-service-role");
        assert.deepEqual(doc(role.inputs.assumeRolePolicy).Statement[0].Condition, { StringEquals: { "sts:ExternalId": "elasticbeanstalk" } });
        const attached = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.name.startsWith("web-beanstalk-service-role"))
            .map((a) => a.inputs.policyArn);
        assert.deepEqual(attached.sort(), [
            "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
            "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth",
        ]);
        assert.ok(role.inputs.permissionsBoundary, "carries the stack's permissions boundary");
    });

    it("passes the policy pack's mandatory rules", () => {
        assert.deepEqual(
            plan.policy.violations.filter((v) => v.enforcement === "mandatory"),
            [],
        );
    });

    it("the committed stacks stay on asg", () => {
        for (const stack of ["dev", "prod"]) {
            assert.equal(ofType(planOf(stack), "aws:elasticbeanstalk/environment:Environment").length, 0);
            assert.equal(ofType(planOf(stack), "aws:autoscaling/group:Group").length, 1);
        }
    });
});
