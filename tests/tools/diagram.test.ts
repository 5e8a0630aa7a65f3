import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Plan, PlannedResource } from "../../tools/engine";
import { architecture, readmeBlock, README_BEGIN, README_END, TIERS, toDot, toMermaid, type Architecture } from "../../tools/insights/diagram";
import { cli, committedPlan, PROJECT_DIR } from "../helpers/plan";

/** The edge between the nodes named so, if any. */
function edge(a: Architecture, from: string, to: string) {
    const id = (name: string) => a.nodes.find((n) => n.name === name)?.id;
    return a.edges.find((e) => e.from === id(from) && e.to === id(to));
}

function assertFlow(a: Architecture, from: string, to: string, label?: RegExp) {
    const e = edge(a, from, to);
    assert.ok(e, `no edge ${from} -> ${to}; edges: ${a.edges.map((x) => `${x.from}->${x.to}`).join(", ")}`);
    if (label) assert.match(e.label, label, `${from} -> ${to}`);
}

/** Checks Mermaid flowchart syntax line by line; returns the declared node ids. */
function checkMermaid(text: string): Set<string> {
    const lines = text.split("\n");
    assert.equal(lines[0], "flowchart LR");
    const declared = new Set<string>();
    const subgraphs = new Set<string>();
    const endpoints: string[] = [];
    let depth = 0;
    for (const line of lines.slice(1)) {
        let m: RegExpMatchArray | null;
        if ((m = /^ *subgraph (tier_[a-z]+)\["[^"]+"\]$/.exec(line))) {
            subgraphs.add(m[1]);
            depth++;
        } else if (/^ *end$/.test(line)) {
            depth--;
            assert.ok(depth >= 0, "an `end` without its subgraph");
        } else if ((m = /^ *([A-Za-z0-9_]+)(?:\["[^"]+"\]|\(\["[^"]+"\]\))$/.exec(line))) {
            assert.ok(!declared.has(m[1]), `node ${m[1]} declared twice`);
            declared.add(m[1]);
        } else if ((m = /^ *([A-Za-z0-9_]+) (?:-->|-\.->)\|"[^"]+"\| ([A-Za-z0-9_]+)$/.exec(line))) {
            endpoints.push(m[1], m[2]);
        } else {
            assert.fail(`not a flowchart line: ${line}`);
        }
    }
    assert.equal(depth, 0, "unbalanced subgraph/end");
    for (const id of endpoints) assert.ok(declared.has(id), `edge endpoint ${id} is not declared`);
    for (const id of subgraphs) assert.ok(!declared.has(id), `subgraph id ${id} is also a node id`);
    return declared;
}

/** Checks Graphviz DOT structure: balanced braces outside strings, every edge endpoint declared. */
function checkDot(text: string) {
    assert.match(text, /^digraph "[^"]+" \{\n/);
    let depth = 0;
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === "\\") i++;
            else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === "{") depth++;
        else if (c === "}") assert.ok(--depth >= 0, "unbalanced braces");
    }
    assert.equal(quoted, false, "an unterminated string");
    assert.equal(depth, 0, "unbalanced braces");
    const declared = new Set([...text.matchAll(/^ *"([A-Za-z0-9_]+)" \[label=/gm)].map((m) => m[1]));
    const edges = [...text.matchAll(/^ *"([A-Za-z0-9_]+)" -> "([A-Za-z0-9_]+)" \[label="[^"]+"(, style=dashed)?\];$/gm)];
    assert.equal(edges.length, text.split("\n").filter((l) => l.includes(" -> ")).length, "a malformed edge line");
    for (const [, from, to] of edges) assert.ok(declared.has(from) && declared.has(to), `${from} -> ${to} has an undeclared end`);
}

describe("architecture diagram", () => {
    describe("of the committed prod plan", () => {
        const prod = () => architecture(committedPlan("prod"));

        it("shows the data flows from the viewers through the serving tier to the stores, the analytics pipeline and the events wiring", () => {
            const a = prod();
            assertFlow(a, "viewers", "edge", /requests/);
            assertFlow(a, "viewers", "api", /requests/);
            assertFlow(a, "edge", "web", /^origin$/);
            assertFlow(a, "web", "cache");
            assertFlow(a, "web", "database", /^reads\/writes$/);
            assertFlow(a, "web", "table", /^reads\/writes$/);
            assertFlow(a, "web", "analytics-events", /^writes$/);
            assertFlow(a, "table", "api", /^reads$/); // the API only queries the read model: data flows toward it
            // stream -> firehose -> data lake
            assertFlow(a, "analytics-events", "analytics-delivery", /^records$/);
            assertFlow(a, "analytics-delivery", "analytics-lake", /^delivers$/);
            assertFlow(a, "analytics-spark", "analytics-lake", /reads\/writes/);
            // orders -> bus -> (saga, topic -> queues -> projector / bridge), the stream consumer
            assertFlow(a, "events-orders", "events-bus", /^events$/);
            assertFlow(a, "events-orders", "database", /^reads\/writes$/);
            assertFlow(a, "events-bus", "events-order-saga", /^events$/);
            assertFlow(a, "events-bus", "events-order-events", /^events$/);
            assertFlow(a, "events-order-events", "events-projector", /^events$/);
            assertFlow(a, "events-order-events", "events-analytics-bridge", /^events$/);
            assertFlow(a, "events-analytics-bridge", "analytics-events", /^writes$/);
            assertFlow(a, "events-projector", "table", /^writes$/);
            assertFlow(a, "analytics-events", "events-activity", /^records$/);
            assertFlow(a, "events-order-saga", "table");
            // The ALB is reached through CloudFront only, so the viewers' arrow ends at the edge.
            assert.equal(edge(a, "viewers", "web"), undefined);
            assert.equal(edge(a, "web", "edge"), undefined);
        });

        it("has a readable number of nodes, each with a tier, groupings replaced by their components and building blocks folded in", () => {
            const a = prod();
            assert.ok(a.nodes.length >= 15 && a.nodes.length <= 35, `${a.nodes.length} nodes`);
            for (const n of a.nodes) assert.ok(TIERS.includes(n.tier), `${n.name} has tier ${n.tier}`);
            const kinds = new Set(a.nodes.map((n) => n.kind));
            for (const grouping of ["Analytics", "Events"]) assert.ok(!kinds.has(grouping), grouping);
            for (const part of ["Saga", "QueueConsumer", "StreamConsumer", "EventBus", "Topic", "DataLake", "Delivery", "EventStream"])
                assert.ok(kinds.has(part), part);
            for (const block of ["SecureBucket", "ServiceRole", "PlatformFunction", "Queue", "FailureQueue"]) assert.ok(!kinds.has(block), block);
            const tierOf = (name: string) => a.nodes.find((n) => n.name === name)?.tier;
            assert.deepEqual(["edge", "web", "cache", "events-order-saga", "analytics-lake", "platform", "alarms", "network"].map(tierOf), [
                "edge",
                "serving",
                "data",
                "events",
                "analytics",
                "shared",
                "shared",
                "shared",
            ]);
        });

        it("has no self-edges, no duplicate edges, and no edges to the shared key, alarm topic or network", () => {
            const a = prod();
            const shared = new Set(a.nodes.filter((n) => n.tier === "shared").map((n) => n.id));
            const seen = new Set<string>();
            for (const e of a.edges) {
                assert.notEqual(e.from, e.to);
                assert.ok(!seen.has(`${e.from} ${e.to}`), `duplicate ${e.from} -> ${e.to}`);
                seen.add(`${e.from} ${e.to}`);
                assert.ok(!shared.has(e.from) && !shared.has(e.to), `${e.from} -> ${e.to}`);
                assert.ok(e.label.length > 0);
            }
        });

        it("does not depend on the order of the plan's resources", () => {
            const plan = committedPlan("prod");
            const shuffled: Plan = { ...plan, resources: [...plan.resources].reverse() };
            assert.equal(toMermaid(architecture(shuffled)), toMermaid(architecture(plan)));
            assert.equal(toDot(architecture(shuffled)), toDot(architecture(plan)));
        });

        it("prints valid Mermaid and DOT", () => {
            const a = prod();
            const ids = checkMermaid(toMermaid(a));
            assert.deepEqual([...ids].sort(), a.nodes.map((n) => n.id).sort());
            checkDot(toDot(a));
        });
    });

    it("draws prod with web.runtime beanstalk: the environment folds into the web node, every node has a tier", () => {
        const a = architecture(committedPlan("prod-beanstalk"));
        for (const n of a.nodes) assert.ok(TIERS.includes(n.tier), `${n.name} has tier ${n.tier}`);
        assert.equal(a.nodes.find((n) => n.name === "web")?.tier, "serving");
        assert.ok(!a.nodes.some((n) => n.kind === "BeanstalkEnvironment"), "the environment is part of the web cluster, not a node of its own");
        checkMermaid(toMermaid(a));
        checkDot(toDot(a));
    });

    it("routes the ALB to the strangler's target in dev, and the source connection into each pipeline of the delivery project", () => {
        const dev = architecture(committedPlan("dev"));
        assertFlow(dev, "web", "strangler", /^routes$/);
        checkMermaid(toMermaid(dev));
        const delivery = architecture(committedPlan("delivery"));
        assertFlow(delivery, "source", "platform-delivery-dev", /^source$/);
        assertFlow(delivery, "source", "platform-delivery-prod", /^source$/);
        for (const n of delivery.nodes) assert.ok(["delivery", "shared"].includes(n.tier), `${n.name}: ${n.tier}`);
        checkDot(toDot(delivery));
    });

    describe("derives each edge from the graph", () => {
        const STACK = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t";
        function res(type: string, name: string, parent: string, extra: Partial<PlannedResource> = {}): PlannedResource {
            const custom = !type.startsWith("platform:");
            return {
                urn: `urn:pulumi:t::p::${type}::${name}`,
                type,
                name,
                parent,
                custom,
                remote: false,
                inputs: {},
                outputs: {},
                options: {
                    protect: false,
                    retainOnDelete: false,
                    deleteBeforeReplace: false,
                    dependsOn: [],
                    ignoreChanges: [],
                    replaceOnChanges: [],
                    additionalSecretOutputs: [],
                    aliases: [],
                },
                dependencies: [],
                propertyDependencies: {},
                ...extra,
            };
        }
        const stack = { ...res("pulumi:pulumi:Stack", "p-t", ""), urn: STACK, parent: undefined, custom: false };
        const web = res("platform:web:WebCluster", "web", STACK);
        const role = res("aws:iam/role:Role", "web-role", web.urn, {
            id: "web-role-1",
            outputs: { arn: "arn:aws:iam::1:role/web-role-1", name: "web-role-1" },
        });
        const store = res("platform:data:GlobalTable", "table", STACK);
        const table = res("aws:dynamodb/table:Table", "table-t", store.urn, { id: "table-1", outputs: { arn: "arn:aws:dynamodb:us-east-1:1:table/table-1" } });
        const settings = res("platform:config:ServiceParameters", "settings", STACK);
        const key = res("platform:security:PlatformKey", "key", STACK);
        const kms = res("aws:kms/key:Key", "key", key.urn, { outputs: { arn: "arn:aws:kms:us-east-1:1:key/k" } });
        const grant = (actions: string[]) =>
            res("aws:iam/rolePolicy:RolePolicy", "table-grant", store.urn, {
                // The table's ARN as a literal, as a grant on a bus by name is: found by ARN, not by a dependency.
                inputs: {
                    role: "web-role-1",
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Action: actions, Resource: ["arn:aws:dynamodb:us-east-1:1:table/table-1/index/*"] },
                            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: "arn:aws:kms:us-east-1:1:key/k" },
                        ],
                    }),
                },
                propertyDependencies: { role: [role.urn] },
            });
        const parameter = (deps: string[]) =>
            res("aws:ssm/parameter:Parameter", "table-name", settings.urn, {
                inputs: { type: "String", insecureValue: "table-1" },
                propertyDependencies: { insecureValue: deps, keyId: [kms.urn] },
            });
        const plan = (...extra: PlannedResource[]): Plan => ({
            stack: "t",
            project: "p",
            resources: [stack, web, role, store, table, settings, key, kms, ...extra],
            outputs: {},
            warnings: [],
        });

        it("a grant makes an edge in the direction data flows, and only while the policy names the resource", () => {
            assertFlow(architecture(plan(grant(["dynamodb:PutItem", "dynamodb:DescribeTable"]))), "web", "table", /^writes$/);
            assertFlow(architecture(plan(grant(["dynamodb:Query"]))), "table", "web", /^reads$/);
            assertFlow(architecture(plan(grant(["dynamodb:GetItem", "dynamodb:PutItem"]))), "web", "table", /^reads\/writes$/);
            const without = architecture(plan(grant(["kms:Decrypt"])));
            assert.deepEqual(without.edges, []);
        });

        it("a reference makes a dashed config edge toward what it names, and removing the reference removes the edge", () => {
            const a = architecture(plan(parameter([table.urn])));
            assert.deepEqual(a.edges, [{ from: "serving_settings", to: "data_table", kind: "config", label: "config" }]);
            assert.match(toMermaid(a), /\n {4}serving_settings -\.->\|"config"\| data_table$/);
            assert.match(toDot(a), /"serving_settings" -> "data_table" \[label="config", style=dashed\];/);
            // The key the parameter also references is shared: no edge to it.
            assert.deepEqual(architecture(plan(parameter([]))).edges, []);
        });

        it("a stronger link between the same two components replaces the config edge", () => {
            const webReference = res("aws:ssm/parameter:Parameter", "web-table-name", web.urn, {
                inputs: { insecureValue: "table-1" },
                propertyDependencies: { insecureValue: [table.urn] },
            });
            assert.deepEqual(architecture(plan(webReference)).edges, [{ from: "serving_web", to: "data_table", kind: "config", label: "config" }]);
            assert.deepEqual(architecture(plan(webReference, grant(["dynamodb:PutItem"]))).edges, [
                { from: "serving_web", to: "data_table", kind: "grant", label: "writes" },
            ]);
        });

        it("an event source mapping makes a source -> function edge, and a CloudFront origin makes the edge the viewers' entry", () => {
            const queues = res("platform:events:Queue", "jobs", STACK);
            const queue = res("aws:sqs/queue:Queue", "jobs-q", queues.urn, { outputs: { arn: "arn:aws:sqs:us-east-1:1:jobs" } });
            const worker = res("platform:serverless:PlatformFunction", "worker", STACK);
            const fn = res("aws:lambda/function:Function", "worker-fn", worker.urn, { outputs: { arn: "arn:aws:lambda:us-east-1:1:function:worker" } });
            const mapping = res("aws:lambda/eventSourceMapping:EventSourceMapping", "worker-map", worker.urn, {
                inputs: { eventSourceArn: "arn:aws:sqs:us-east-1:1:jobs", functionName: "arn:aws:lambda:us-east-1:1:function:worker" },
                propertyDependencies: { eventSourceArn: [queue.urn], functionName: [fn.urn] },
            });
            const alb = res("aws:lb/loadBalancer:LoadBalancer", "web-alb", web.urn, {
                inputs: { internal: false },
                outputs: { arn: "arn:aws:elasticloadbalancing:x", dnsName: "web-alb.elb.amazonaws.com" },
            });
            const edgeComponent = res("platform:edge:Edge", "edge", STACK);
            const cdn = res("aws:cloudfront/distribution:Distribution", "cdn", edgeComponent.urn, {
                inputs: { origins: [{ originId: "web", domainName: "web-alb.elb.amazonaws.com" }] },
                propertyDependencies: { origins: [alb.urn] },
            });
            const a = architecture(plan(queues, queue, worker, fn, mapping, alb, edgeComponent, cdn));
            assertFlow(a, "jobs", "worker", /^messages$/);
            assertFlow(a, "edge", "web", /^origin$/);
            assertFlow(a, "viewers", "edge", /^requests$/);
            assert.equal(edge(a, "viewers", "web"), undefined);
            // Without the mapping the queue and the function are not linked; without the origin the viewers reach the ALB.
            const b = architecture(plan(queues, queue, worker, fn, alb));
            assert.equal(edge(b, "jobs", "worker"), undefined);
            assertFlow(b, "viewers", "web", /^requests$/);
        });

        it("refuses a component whose area has no tier, naming it", () => {
            assert.throws(
                () => architecture(plan(res("platform:mystery:Thing", "thing", STACK))),
                /platform:mystery:Thing has no tier: add its area "mystery"/,
            );
        });
    });

    it("the README carries the prod diagram the command prints (run `npm run diagram -- --stack prod --write-readme`)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const start = readme.indexOf(README_BEGIN);
        const stop = readme.indexOf(README_END);
        assert.ok(start >= 0 && stop > start, "README lacks the architecture-diagram markers");
        assert.equal(readme.slice(start, stop + README_END.length), readmeBlock(architecture(committedPlan("prod"))));
    });

    it("npm run diagram prints a saved plan's diagram as Mermaid or DOT, and refuses what it cannot do", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-diagram-"));
        const file = path.join(dir, "prod.json");
        fs.writeFileSync(file, JSON.stringify(committedPlan("prod")));
        const a = architecture(committedPlan("prod"));
        const mermaid = cli(["diagram", "--plan", file]);
        assert.equal(mermaid.status, 0, mermaid.stderr);
        assert.equal(mermaid.stdout, `${toMermaid(a)}\n`);
        const dot = cli(["diagram", "--plan", file, "--format", "dot"]);
        assert.equal(dot.status, 0, dot.stderr);
        assert.equal(dot.stdout, `${toDot(a)}\n`);
        const badFormat = cli(["diagram", "--plan", file, "--format", "svg"]);
        assert.equal(badFormat.status, 2);
        assert.match(badFormat.stderr, /--format svg: expected mermaid or dot/);
        const otherStack = cli(["diagram", "--stack", "dev", "--write-readme"]);
        assert.equal(otherStack.status, 2);
        assert.match(otherStack.stderr, /--stack prod --write-readme/);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
