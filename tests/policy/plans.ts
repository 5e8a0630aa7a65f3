import type { Plan } from "../../tools/engine";
import { cli } from "../helpers/plan";

let deliveryPlan: Plan | undefined;

/** The delivery project's stack (the pipelines), planned once per run. */
export function deliveryPlanOf(): Plan {
    if (!deliveryPlan) {
        const r = cli(["plan", "--project", "delivery", "--stack", "delivery", "--json"]);
        if (!r.stdout.trim().startsWith("{")) throw new Error(`plan of the delivery stack failed (exit ${r.status}):\n${r.stderr}`);
        deliveryPlan = JSON.parse(r.stdout) as Plan;
    }
    return deliveryPlan;
}
