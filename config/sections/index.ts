import type { z } from "zod";
import type { ProfileDefaults } from "../common";
import * as account from "./account";
import * as alarms from "./alarms";
import * as analytics from "./analytics";
import * as api from "./api";
import * as budget from "./budget";
import * as cache from "./cache";
import * as containers from "./containers";
import * as database from "./database";
import * as edge from "./edge";
import * as events from "./events";
import * as globalTable from "./global-table";
import * as network from "./network";
import * as protection from "./protection";
import * as tags from "./tags";
import * as usage from "./usage";
import * as web from "./web";

/** Every `platform:<section>` key: its schema and its defaults per profile. Order is display order. */
export const SECTIONS = {
    tags,
    protection,
    account,
    network,
    web,
    cache,
    database,
    globalTable,
    analytics,
    events,
    containers,
    api,
    edge,
    alarms,
    budget,
    usage,
} satisfies Record<string, { schema: z.ZodType; defaults: ProfileDefaults<unknown> }>;

export type SectionName = keyof typeof SECTIONS;
export type SectionValues = { [K in SectionName]: z.infer<(typeof SECTIONS)[K]["schema"]> };
