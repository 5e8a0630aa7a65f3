import { expectViolations, resource } from "../helpers/policy";

const GOOD_CONTAINER = {
    name: "app",
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/test/app:abc",
    user: "1000:1000",
    readonlyRootFilesystem: true,
    privileged: false,
    environment: [{ name: "TABLE_NAME", value: "t" }],
    logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/platform/test/containers/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app" },
    },
};
const task = (name: string, container: Record<string, unknown> = {}) =>
    resource("aws:ecs/taskDefinition:TaskDefinition", name, { family: name, containerDefinitions: JSON.stringify([{ ...GOOD_CONTAINER, ...container }]) });
const logGroup = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:cloudwatch/logGroup:LogGroup", name, { name: "/platform/test/containers/app", retentionInDays: 14, ...inputs });
const GOOD_SERVICE = {
    deploymentCircuitBreaker: { enable: true, rollback: true },
    networkConfiguration: { subnets: ["subnet-private"], assignPublicIp: false },
    enableExecuteCommand: false,
};
const service = (name: string, inputs: Record<string, unknown> = {}) => resource("aws:ecs/service:Service", name, { ...GOOD_SERVICE, ...inputs });

describe("ECS policies", () => {
    it("ecs-task-not-privileged: flags a privileged container", async () => {
        await expectViolations("ecs-task-not-privileged", [task("ok"), task("bad", { privileged: true })], [task("bad")]);
    });

    it("ecs-task-non-root: flags a container with no user, root or uid 0", async () => {
        const [none, root, zero] = [task("none", { user: undefined }), task("root", { user: "root" }), task("zero", { user: "0:0" })];
        await expectViolations("ecs-task-non-root", [task("ok"), none, root, zero], [none, root, zero]);
    });

    it("ecs-task-read-only-root: flags a writable root filesystem", async () => {
        await expectViolations("ecs-task-read-only-root", [task("ok"), task("bad", { readonlyRootFilesystem: false })], [task("bad")]);
    });

    it("ecs-task-no-plaintext-secrets: flags a credential-looking plain environment value, not one from secrets", async () => {
        const bad = task("bad", { environment: [{ name: "DB_PASSWORD", value: "hunter2" }] });
        const fromSecrets = task("from-secrets", { secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db" }] });
        await expectViolations("ecs-task-no-plaintext-secrets", [task("ok"), fromSecrets, bad], [bad]);
    });

    it("ecs-task-awslogs-retention: flags another log driver, an undeclared group and one without retention", async () => {
        const driver = task("driver", { logConfiguration: { logDriver: "json-file" } });
        const undeclared = task("undeclared", { logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/elsewhere" } } });
        await expectViolations("ecs-task-awslogs-retention", [logGroup("logs"), task("ok"), driver, undeclared], [driver, undeclared]);
        await expectViolations("ecs-task-awslogs-retention", [logGroup("logs", { retentionInDays: undefined }), task("ok")], [task("ok")]);
    });

    it("ecs-service-circuit-breaker: flags a service without rollback", async () => {
        const bad = service("bad", { deploymentCircuitBreaker: { enable: true, rollback: false } });
        const none = service("none", { deploymentCircuitBreaker: undefined });
        await expectViolations("ecs-service-circuit-breaker", [service("ok"), bad, none], [bad, none]);
    });

    it("ecs-service-no-public-ip: flags tasks with public IPs", async () => {
        const bad = service("bad", { networkConfiguration: { subnets: ["subnet-private"], assignPublicIp: true } });
        await expectViolations("ecs-service-no-public-ip", [service("ok"), bad], [bad]);
    });

    it("ecs-service-exec-off-prod: flags ECS Exec in prod only", async () => {
        const exec = service("exec", { enableExecuteCommand: true });
        await expectViolations("ecs-service-exec-off-prod", [service("ok"), exec], [exec], { environment: "prod" });
        await expectViolations("ecs-service-exec-off-prod", [service("ok"), exec], [], { environment: "dev" });
    });

    it("compute-private-subnets: flags a service in a public subnet", async () => {
        const vpc = resource("awsx:ec2:Vpc", "vpc", {
            publicSubnetIds: ["subnet-public"],
            privateSubnetIds: ["subnet-private"],
            isolatedSubnetIds: [],
            subnetLayout: [
                { type: "Public", availabilityZone: "us-east-1a" },
                { type: "Private", availabilityZone: "us-east-1a" },
            ],
        });
        const exposed = service("exposed", { networkConfiguration: { subnets: ["subnet-public"], assignPublicIp: false } });
        await expectViolations("compute-private-subnets", [vpc, service("ok"), exposed], [exposed]);
    });
});
