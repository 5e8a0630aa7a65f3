import type { Plan } from "../../tools/engine";
import { committedPlan } from "../helpers/plan";

/** The delivery project's stack (the pipelines), planned once per run. */
export function deliveryPlanOf(): Plan {
    return committedPlan("delivery");
}
