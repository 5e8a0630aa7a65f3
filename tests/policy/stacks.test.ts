import { strict as assert } from "assert";
import { evaluatePolicies, type Violation } from "../../policy/evaluate";
import { ALL_POLICIES } from "../../policy/rules";
import type { Plan } from "../../tools/engine";
import { planOf } from "../helpers/plan";
import { deliveryPlanOf } from "./plans";

const show = (vs: Violation[]) => vs.map((v) => `${v.enforcement} ${v.policy} ${v.urn}: ${v.message}`).join("\n");

/**
 * The plan as a first `pulumi preview` sees it: every value the provider computes (ids, ARNs,
 * endpoints) is unknown, and so is every input built from one, JSON documents included.
 */
function asFirstPreview(plan: Plan): Plan {
    const computed = new Set<string>();
    for (const r of plan.resources) {
        for (const v of [r.id, ...Object.values(r.outputs).flat()]) if (typeof v === "string" && v.length >= 8) computed.add(v);
    }
    const values = [...computed];
    const blank = (v: unknown): unknown => {
        if (typeof v === "string") return values.some((c) => v.includes(c)) ? "[unknown]" : v;
        if (Array.isArray(v)) return v.map(blank);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)]));
        return v;
    };
    return {
        ...plan,
        resources: plan.resources.map((r) =>
            r.type.startsWith("pulumi:")
                ? r
                : {
                      ...r,
                      inputs: blank(r.inputs) as Record<string, unknown>,
                      outputs: Object.fromEntries(Object.keys(r.outputs).map((k) => [k, "[unknown]"])),
                      id: r.id ? "[unknown]" : undefined,
                  },
        ),
    };
}

/** The whole pack on each committed stack's offline plan: CI fails on any mandatory violation. */
describe("the policy pack on the committed stacks", function () {
    this.timeout(120000);

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: zero mandatory violations`, async () => {
            const mandatory = (await evaluatePolicies(planOf(stack), ALL_POLICIES)).filter((v) => v.enforcement === "mandatory");
            assert.equal(mandatory.length, 0, `stack ${stack} has ${mandatory.length} mandatory violation(s):\n${show(mandatory)}`);
        });

        it(`${stack}: every rule decides on the offline plan (none is left unable to run)`, async () => {
            const cantRun = (await evaluatePolicies(planOf(stack), ALL_POLICIES)).filter((v) => v.message.startsWith("can't run policy"));
            assert.deepEqual(show(cantRun), "");
        });

        it(`${stack}: on a first preview, with every computed value unknown, no rule crashes or raises a mandatory violation the known plan doesn't`, async () => {
            const known = new Set((await evaluatePolicies(planOf(stack), ALL_POLICIES)).map((v) => `${v.policy} ${v.urn}`));
            const preview = await evaluatePolicies(asFirstPreview(planOf(stack)), ALL_POLICIES);
            const spurious = preview.filter((v) => v.enforcement === "mandatory" && !known.has(`${v.policy} ${v.urn}`));
            assert.equal(show(spurious), "");
        });
    }

    it("delivery: zero mandatory violations on the pipelines' stack (judged by the stack each pipeline deploys)", async () => {
        const plan = deliveryPlanOf();
        const mandatory = (await evaluatePolicies(plan, ALL_POLICIES)).filter((v) => v.enforcement === "mandatory");
        assert.equal(mandatory.length, 0, `the delivery stack has ${mandatory.length} mandatory violation(s):\n${show(mandatory)}`);
    });
});
