import { strict as assert } from "assert";
import { Network } from "../../components/network";
import { defaults } from "../../config/sections/network";
import { render, testContext } from "../helpers/component";

describe("Network component", () => {
    it("derives child names from its own name, so two instances never collide", async () => {
        const plan = await render(
            () => {
                for (const name of ["blue", "green"])
                    new Network(name, {
                        ...defaults.dev,
                        context: testContext({ region: "eu-west-1", accountId: "123456789012", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x" }),
                    });
            },
            { region: "eu-west-1" },
        );
        const names = plan.resources.filter((r) => r.custom).map((r) => r.name);
        assert.equal(new Set(names).size, names.length, `duplicate names: ${names.join(", ")}`);
        assert.ok(names.includes("blue-flow-log") && names.includes("green-flow-log"));
        const vpc = plan.resources.find((r) => r.type === "awsx:ec2:Vpc" && r.name === "blue-vpc")!;
        assert.deepEqual(
            (vpc.inputs.vpcEndpointSpecs as any[]).map((e) => e.serviceName),
            ["com.amazonaws.eu-west-1.s3", "com.amazonaws.eu-west-1.dynamodb"],
        );
        assert.ok(vpc.parent?.endsWith("::blue"));
    });
});
