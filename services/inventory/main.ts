/** Entry point of the inventory container (the bundle is /app/main.js in the image). */
import { runService } from "../container/lifecycle";
import { jsonLog } from "../container/log";
import { startInventory } from "./app";

const log = jsonLog("inventory");
runService(log, () => startInventory(process.env, log));
