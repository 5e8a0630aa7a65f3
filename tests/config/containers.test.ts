import { strict as assert } from "assert";
import { validateConfig } from "../../config";
import { sectionProblems } from "../helpers/config";

const problems = (profile: "dev" | "prod", containers: unknown) => sectionProblems(profile, { containers }, "platform:containers.");

describe("config: containers", () => {
    it("the profiles' defaults pass: dev all Spot, prod 2 on-demand tasks per service and Spot above them", () => {
        const tags = JSON.stringify({ owner: "team-a" });
        const dev = validateConfig({ "aws:region": "us-east-1", "platform:profile": "dev", "platform:tags": tags }, "dev").containers;
        for (const s of Object.values(dev.services)) assert.deepEqual([s.onDemandBase, s.onDemandWeight, s.spotWeight > 0], [0, 0, true]);
        assert.deepEqual(Object.keys(dev.services).sort(), ["catalog", "inventory"]);
        assert.deepEqual(problems("prod", {}), []);
    });

    it("names the memories Fargate allows for the CPU of an invalid pair", () => {
        assert.deepEqual(problems("dev", { services: { catalog: { cpu: 1024, memory: 1024 } } }), [
            "platform:containers.services.catalog.memory: 1024 is not a Fargate memory size for cpu 1024; use one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 (MiB)",
        ]);
        assert.deepEqual(problems("dev", { services: { catalog: { cpu: 8192, memory: 16384 } } }), []);
        assert.match(
            problems("dev", { services: { catalog: { cpu: 300 } } })[0],
            /^platform:containers\.services\.catalog\.cpu: 300 must be a Fargate task CPU: 256, 512, 1024/,
        );
    });

    it("refuses minTasks above maxTasks", () => {
        assert.deepEqual(problems("dev", { services: { inventory: { minTasks: 3, maxTasks: 2 } } }), [
            "platform:containers.services.inventory.maxTasks: 2 is below minTasks 3",
        ]);
    });

    it("refuses a call to an unknown service, naming the known ones", () => {
        assert.deepEqual(problems("dev", { services: { catalog: { calls: ["stock"] } } }), [
            'platform:containers.services.catalog.calls[0]: "stock" is not a service in platform:containers.services; known: catalog, inventory',
        ]);
    });

    it("refuses Fargate Spot for ARM64 tasks (Spot runs X86_64 only)", () => {
        assert.deepEqual(problems("dev", { services: { catalog: { architecture: "ARM64" } } }), [
            "platform:containers.services.catalog.spotWeight: 1 must be 0 with architecture ARM64: Fargate Spot runs X86_64 tasks only",
        ]);
        assert.deepEqual(problems("dev", { services: { catalog: { architecture: "ARM64", spotWeight: 0, onDemandWeight: 1 } } }), []);
    });

    it("a public service needs a path and a request target; an internal one takes neither", () => {
        assert.deepEqual(problems("dev", { services: { inventory: { public: true } } }).sort(), [
            "platform:containers.services.inventory.path: is required for a public service: the path the load balancer routes to it",
            "platform:containers.services.inventory.requestsPerTarget: is required for a public service (target tracking on requests per task)",
        ]);
        assert.deepEqual(problems("dev", { services: { catalog: { public: false } } }).sort(), [
            'platform:containers.services.catalog.path: "/catalog/*" is only for public services: an internal service is never routed from the load balancer',
            "platform:containers.services.catalog.requestsPerTarget: 500 is only for public services: an internal one gets no load balancer requests",
        ]);
    });

    it("prod: at least 2 tasks per service and no ECS Exec", () => {
        assert.deepEqual(problems("prod", { services: { catalog: { minTasks: 1, onDemandBase: 1 } }, execEnabled: true }).sort(), [
            "platform:containers.execEnabled: true must be false in prod: no shell into running tasks",
            "platform:containers.services.catalog.minTasks: 1 is below 2: prod runs every service in at least 2 tasks, spread across AZs",
        ]);
    });

    it("a strangler route may not overlap a public service's path", () => {
        const p = sectionProblems("dev", { edge: { strangler: { migratedPaths: ["/catalog/items"] } } }, "platform:edge.");
        assert.deepEqual(p, [
            'platform:edge.strangler.migratedPaths[0]: "/catalog/items" overlaps containers.services.catalog.path /catalog/*, which the catalog service serves; migrate a pattern outside it',
        ]);
    });
});
